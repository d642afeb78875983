// A catalogue image with `visibility: public`, published by the factory's tenant: Glance's
// default policy lets only admins make an image public (publicize_image), so the tenant's
// publication is refused — first, before anything else changed — and the cloud's operator
// publishes it with `publish.sh --project`. On the way: a publication refused while a region
// lacks the build, a dead earlier upload replaced, and a second file under the same build
// id refused.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  Build,
  dropImages,
  expectStatus,
  imagesOf,
  look,
  Pipeline,
  projectOf,
  qcow2,
  R1,
  R2,
  summary,
  ADMIN_CLOUD,
  CLOUD,
  OTHER_CLOUD,
} from "./support";

const N = "Pipeline_Debian_12_Public";
const BOTH = `${R1} ${R2}`;
const pipeline = new Pipeline();
let build: Build;
let file: string;
afterAll(() => {
  dropImages(N);
  pipeline.dispose();
});
const writes = () => pipeline.osc.calls().filter((c) => / image (set|delete|create) /.test(c));

beforeAll(async () => {
  build = await pipeline.start(N, { PUBLISH: "true" });
  file = qcow2(pipeline.root, "public");
  pipeline.built(build, N, file);
  expectStatus(await pipeline.stage(build, "08-register.sh"), 0, "stage 8");
});

test("nothing is published anywhere while RegionTwo has no active image of the build (an upload died there)", async () => {
  // What a copy that died halfway leaves: an image record of the build without data.
  look(["record", "--cloud", CLOUD, "--region", R2], {
    name: `${N}_candidate_${build.id}`,
    properties: { factory_image_name: N, factory_build_id: build.id },
  });
  const before = imagesOf(N);
  expect(before[R2].map((i) => i.status)).toEqual(["queued"]);
  const r = await pipeline.script("publish/publish.sh", ["--name", N, "--build-id", build.id, "--regions", BOTH]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    `publish.sh: ${R2}: no active image of build ${build.id} of ${N}: register it (register.sh / upload-regions.sh) first`,
  );
  expect(writes()).toEqual([]);
  expect(imagesOf(N)).toEqual(before);
});

test("stage 12 deletes the dead upload and registers the build there anew", async () => {
  const [dead] = imagesOf(N, [R2])[R2];
  const r = await pipeline.stage(build, "12-upload-regions.sh");
  expectStatus(r, 0, "stage 12");
  expect(r.stderr).toContain(`deleting ${dead.id}, an earlier registration of build ${build.id} that did not become active`);
  const [copy] = imagesOf(N, [R2])[R2];
  expect(copy.id).not.toBe(dead.id);
  expect(copy).toMatchObject({ status: "active", visibility: "private", os_hash_value: imagesOf(N, [R1])[R1][0].os_hash_value });
  expect(imagesOf(N, [R2])[R2]).toHaveLength(1);
});

test("another file registered under the same build id is refused: Glance holds other bytes", async () => {
  const other = qcow2(pipeline.root, "other");
  const r = await pipeline.script("publish/register.sh", [
    "--image",
    other,
    "--name",
    N,
    "--build-id",
    build.id,
    "--region",
    R2,
    "--meta",
    path.join(build.local, "META.json"),
  ]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(
      `register\\.sh: ${R2}: image [0-9a-f-]+ holds other data than ${other.replace(/[.]/g, "\\.")} \\(Glance's sha512 [0-9a-f]{128}, the file's [0-9a-f]{128}\\)`,
    ),
  );
  expect(writes()).toEqual([]);
});

test("the tenant's publication is refused by Glance at its first change, which says why and what to do; nothing changed", async () => {
  const before = imagesOf(N);
  const r = await pipeline.stage(build, "13-publish-request.sh");
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("HttpException: 403");
  expect(r.stderr).toContain(
    `${R1}: Glance refused to make image ${before[R1][0].id} public (HTTP 403): its default policy lets only admins publicize images (publicize_image), and nothing else was changed.`,
  );
  expect(r.stderr).toContain(`publish.sh --project ${projectOf(CLOUD)} ...`);
  // The one write tried: the visibility, first.
  expect(writes()).toEqual([`--os-region-name ${R1} image set --public ${before[R1][0].id}`]);
  expect(imagesOf(N)).toEqual(before);
  // The request says what is still to be done.
  expect(JSON.parse(readFileSync(path.join(build.dir, "publish-request.json"), "utf8"))).toMatchObject({
    name: N,
    buildId: build.id,
    regions: [R1, R2],
    status: "requested",
  });
});

test("the operator publishes it for the factory's project (publish.sh --project, admin credentials): public _latest in both regions", async () => {
  const r = await pipeline.script(
    "publish/publish.sh",
    ["--name", N, "--build-id", build.id, "--regions", BOTH, "--project", projectOf(CLOUD)],
    { OS_CLOUD: ADMIN_CLOUD },
  );
  expectStatus(r, 0, "publish.sh --project");
  // No token of the factory's project needed: the project is given.
  expect(pipeline.osc.calls().some((c) => c.startsWith("token issue"))).toBe(false);
  const all = imagesOf(N);
  for (const region of [R1, R2]) {
    expect(summary(all[region], projectOf(CLOUD))).toEqual({ [`build ${build.id}`]: `${N}_latest | public` });
    expect(all[region][0].owner).toBe(projectOf(CLOUD));
  }
  // Any other project sees it now.
  const seen = imagesOf(N, [R1, R2], OTHER_CLOUD);
  expect([seen[R1].map((i) => i.name), seen[R2].map((i) => i.name)]).toEqual([[`${N}_latest`], [`${N}_latest`]]);
});

test("--project must be a project id", async () => {
  const r = await pipeline.script("publish/publish.sh", ["--name", N, "--build-id", build.id, "--regions", R1, "--project", "pipeline"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--project "pipeline": must be a project id');
  expect(pipeline.osc.calls()).toEqual([]);
});

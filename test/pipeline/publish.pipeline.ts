// Stages 8, 12 and 13 of three builds, run as the pipeline runs them on the controller,
// against the local cloud's two Glances (RegionOne, the factory's; RegionTwo, its upload
// region): register with every property, copy, first publish, two rotations, a dry run,
// a rollback and a publish of the withdrawn build again. What Glance stores is read back
// with openstacksdk after every step.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { scsProblems } from "./scs";
import {
  Build,
  dropImages,
  expectStatus,
  GlanceImage,
  imagesOf,
  Pipeline,
  projectOf,
  qcow2,
  R1,
  R2,
  sha512,
  summary,
  CLOUD,
} from "./support";

const N = "Pipeline_Debian_12";
const pipeline = new Pipeline();
const files: string[] = [];
const builds: Build[] = [];
afterAll(() => {
  dropImages(N);
  pipeline.dispose();
});

const byBuild = (images: GlanceImage[]) => Object.fromEntries(images.map((i) => [i.properties.factory_build_id, i]));
const state = (): { all: Record<string, GlanceImage[]> } & Record<string, any> => {
  const project = projectOf(CLOUD);
  const all = imagesOf(N);
  return { all, [R1]: summary(all[R1], project), [R2]: summary(all[R2], project) };
};

async function build(n: number): Promise<Build> {
  const b = await pipeline.start(N, { PUBLISH: "true" });
  files[n] = qcow2(pipeline.root, `build-${n}`);
  pipeline.built(b, N, files[n]);
  builds[n] = b;
  return b;
}
const startedAt = (b: Build) => /^STARTED_AT=(.*)$/m.exec(readFileSync(path.join(b.local, "build.env"), "utf8"))![1];

test("stage 8 registers the build as a private candidate with every property, and Glance holds the file's bytes", async () => {
  const b = await build(1);
  const r = await pipeline.stage(b, "08-register.sh");
  expectStatus(r, 0, "stage 8");
  const [image] = imagesOf(N, [R1])[R1];
  expect(r.stdout.trim()).toBe(image.id);
  expect(readFileSync(path.join(b.local, "image-id"), "utf8").trim()).toBe(image.id);
  const started = startedAt(b);
  const base = `http://localhost/${N}/${b.id}`;
  const retainedUntil = `${Number(started.slice(0, 4)) + 2}${started.slice(4, 10)}`;
  expect(image).toMatchObject({
    name: `${N}_candidate_${b.id}`,
    status: "active",
    visibility: "private",
    hidden: false,
    protected: false,
    min_disk: 4,
    min_ram: 1024,
    disk_format: "qcow2",
    tags: ["os:debian"],
    checksum: createHash("md5").update(readFileSync(files[1])).digest("hex"),
    os_hash_algo: "sha512",
    os_hash_value: sha512(files[1]),
  });
  expect(image.properties).toEqual({
    // What Nova boots by.
    architecture: "x86_64",
    os_distro: "debian",
    os_version: "12",
    hw_disk_bus: "virtio",
    hw_vif_model: "virtio",
    hypervisor_type: "qemu",
    hw_rng_model: "virtio",
    // SCS scs-0102: what users are promised.
    os_purpose: "generic",
    image_original_user: "linux",
    image_build_date: started.replace("T", " ").replace("Z", ""),
    image_source: `${base}/${N}.qcow2`,
    image_description: `${base}/`,
    replace_frequency: "monthly",
    provided_until: "notice",
    uuid_validity: retainedUntil,
    // Provenance, and what the rotation finds the image by.
    factory_image_name: N,
    factory_build_id: b.id,
    factory_build_date: started.slice(0, 10),
    factory_git_commit: pipeline.repo.commit,
    factory_definition: "jobs/images/dib/debian-12",
    factory_tooling: "dib",
    factory_visibility: "shared",
    factory_signature_url: `${base}/${N}.qcow2.asc`,
    factory_hashlist_url: `${base}/${N}.hashdeep`,
  });
  expect(scsProblems(image)).toEqual([]);
  // Only the controller's META.json counted: the build host wrote none.
  expect(JSON.parse(readFileSync(path.join(b.local, "META.json"), "utf8"))).toMatchObject({
    buildId: b.id,
    date: started,
    visibility: "shared",
  });
});

test("stage 8 again reuses the registered image: one lookup, one check of its data, no upload", async () => {
  const r = await pipeline.stage(builds[1], "08-register.sh");
  expectStatus(r, 0, "stage 8 again");
  expect(r.stderr).toContain("is already registered as");
  expect(pipeline.osc.calls().map((c) => c.split(" ").slice(0, 4).join(" "))).toEqual([
    "--os-region-name RegionOne image list",
    "--os-region-name RegionOne image show",
  ]);
  expect(imagesOf(N, [R1])[R1]).toHaveLength(1);
});

test("stage 12 copies the image to RegionTwo: the same bytes and properties, private", async () => {
  const r = await pipeline.stage(builds[1], "12-upload-regions.sh");
  expectStatus(r, 0, "stage 12");
  const all = imagesOf(N);
  const [one] = all[R1];
  const [two] = all[R2];
  expect(two.id).not.toBe(one.id);
  expect({ ...two, id: one.id, created_at: one.created_at, updated_at: one.updated_at }).toEqual(one);
});

test("stage 13 with PUBLISH: the first publication makes the build <name>_latest, shared, in both regions", async () => {
  const r = await pipeline.stage(builds[1], "13-publish-request.sh");
  expectStatus(r, 0, "stage 13");
  const s = state();
  for (const region of [R1, R2]) {
    expect(s[region]).toEqual({ [`build ${builds[1].id}`]: `${N}_latest | shared` });
    expect(byBuild(s.all[region])[builds[1].id].properties.factory_publish_seq).toBe("1");
  }
  expect(JSON.parse(readFileSync(path.join(builds[1].dir, "publish-request.json"), "utf8"))).toMatchObject({
    status: "published",
    regions: [R1, R2],
  });
});

test("a second build rotates: it is _latest, the first _prev", async () => {
  const b = await build(2);
  for (const stage of ["08-register.sh", "12-upload-regions.sh", "13-publish-request.sh"])
    expectStatus(await pipeline.stage(b, stage), 0, stage);
  const s = state();
  for (const region of [R1, R2]) {
    expect(s[region]).toEqual({ [`build ${builds[1].id}`]: `${N}_prev | shared`, [`build ${b.id}`]: `${N}_latest | shared` });
  }
});

let beforeThird: ReturnType<typeof imagesOf>;
test("--dry-run says every step of the third publication and changes nothing in Glance", async () => {
  const b = await build(3);
  for (const stage of ["08-register.sh", "12-upload-regions.sh"]) expectStatus(await pipeline.stage(b, stage), 0, stage);
  beforeThird = imagesOf(N);
  const r = await pipeline.script("publish/publish.sh", ["--name", N, "--build-id", b.id, "--regions", `${R1} ${R2}`, "--dry-run"]);
  expectStatus(r, 0, "publish.sh --dry-run");
  expect(pipeline.osc.calls().filter((c) => / image (set|delete|create) /.test(c))).toEqual([]);
  // Every step twice (two regions): visibility, number, three renames.
  expect(r.stderr.match(/\(dry run, not done\)/g)).toHaveLength(10);
  expect(r.stderr).toContain(`${R2}: (dry run, not done) ${N}_latest -> ${N}_prev (build ${builds[2].id}`);
  expect(imagesOf(N)).toEqual(beforeThird); // updated_at included: not a write happened
});

/** Builds 1–3 after the third's publication: the first dated and hidden, the second _prev, the third _latest. */
function thirdOnTop(s: ReturnType<typeof state>): Record<string, string> {
  const dated = `${N}_${byBuild(s.all[R1])[builds[1].id].properties.factory_build_date.replace(/-/g, "")}`;
  return {
    [`build ${builds[1].id}`]: `${dated} | shared | hidden`,
    [`build ${builds[2].id}`]: `${N}_prev | shared`,
    [`build ${builds[3].id}`]: `${N}_latest | shared`,
  };
}

test("the third build: _latest, the second _prev, the first <name>_YYYYMMDD and hidden, all still shared", async () => {
  expectStatus(await pipeline.stage(builds[3], "13-publish-request.sh"), 0, "stage 13");
  const s = state();
  for (const region of [R1, R2]) {
    expect(s[region]).toEqual(thirdOnTop(s));
    expect(Object.fromEntries(s.all[region].map((i) => [i.properties.factory_build_id, i.properties.factory_publish_seq]))).toEqual({
      [builds[1].id]: "1",
      [builds[2].id]: "2",
      [builds[3].id]: "3",
    });
    // Data and provenance never change in a rotation.
    for (const i of s.all[region]) expect(scsProblems(i)).toEqual([]);
  }
  for (const i of s.all[R1]) expect(i.os_hash_value).toBe(byBuild(beforeThird[R1])[i.properties.factory_build_id].os_hash_value);
});

test("rollback: the withdrawn build is hidden as _rolled_back_<id>, _prev is _latest again, the dated one _prev again", async () => {
  const r = await pipeline.script("publish/rollback.sh", ["--name", N, "--regions", `${R1} ${R2}`]);
  expectStatus(r, 0, "rollback.sh");
  expect(r.stderr).toContain(`rolling back build ${builds[3].id}`);
  const s = state();
  for (const region of [R1, R2]) {
    expect(s[region]).toEqual({
      [`build ${builds[1].id}`]: `${N}_prev | shared`,
      [`build ${builds[2].id}`]: `${N}_latest | shared`,
      [`build ${builds[3].id}`]: `${N}_rolled_back_${builds[3].id} | shared | hidden`,
    });
    expect(byBuild(s.all[region])[builds[3].id].properties.factory_rolled_back).toBe("true");
  }
});

test("publishing the withdrawn build again makes it _latest again, with the next number", async () => {
  const r = await pipeline.script("publish/publish.sh", ["--name", N, "--build-id", builds[3].id, "--regions", `${R1} ${R2}`]);
  expectStatus(r, 0, "publish.sh");
  const s = state();
  for (const region of [R1, R2]) {
    expect(s[region]).toEqual(thirdOnTop(s));
    expect(byBuild(s.all[region])[builds[3].id].properties).toMatchObject({ factory_rolled_back: "false", factory_publish_seq: "4" });
  }
  // Run again: nothing to do.
  const again = await pipeline.script("publish/publish.sh", ["--name", N, "--build-id", builds[3].id, "--regions", `${R1} ${R2}`]);
  expectStatus(again, 0, "publish.sh again");
  expect(pipeline.osc.calls().filter((c) => / image (set|delete) /.test(c))).toEqual([]);
});

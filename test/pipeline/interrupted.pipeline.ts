// A publication and a rollback interrupted halfway on the real Glances — one `openstack`
// call fails before it reaches the cloud, as a cloud answering 503 would — and rerun until
// they converge to the state an uninterrupted run leaves; a rollback that must refuse to
// guess while a region is mid-rotation. The starting state (build 41 _prev, 42 _latest, 43
// registered) is written into Glance with openstacksdk, as earlier publications left it.
import { expectStatus, dropImages, GlanceImage, imagesOf, look, Pipeline, projectOf, qcow2, R1, R2, summary, CLOUD } from "./support";

const N = "Pipeline_Interrupted";
const BOTH = `${R1} ${R2}`;
const pipeline = new Pipeline();
const ids: Record<string, Record<string, string>> = {};
let seeded: Record<string, GlanceImage[]>;

const props = (build: string, date: string, extra: Record<string, string> = {}) => ({
  architecture: "x86_64",
  os_distro: "debian",
  os_version: "12",
  factory_image_name: N,
  factory_build_id: build,
  factory_build_date: date,
  factory_visibility: "shared",
  ...extra,
});

beforeAll(() => {
  const file = qcow2(pipeline.root, "seed");
  for (const region of [R1, R2]) {
    const [a, b, c] = look<string[]>(
      ["seed", "--cloud", CLOUD, "--region", region, "--file", file],
      [
        { name: `${N}_prev`, visibility: "shared", properties: props("41", "2026-09-01", { factory_publish_seq: "1" }) },
        { name: `${N}_latest`, visibility: "shared", properties: props("42", "2026-10-01", { factory_publish_seq: "2" }) },
        { name: `${N}_candidate_43`, visibility: "private", properties: props("43", "2026-11-01") },
      ],
    );
    ids[region] = { "41": a, "42": b, "43": c };
  }
  seeded = imagesOf(N);
});
afterAll(() => {
  dropImages(N);
  pipeline.dispose();
});

const publish = (failOn?: string) =>
  pipeline.script("publish/publish.sh", ["--name", N, "--build-id", "43", "--regions", BOTH], {}, failOn);
const rollback = (extra: string[] = [], failOn?: string) =>
  pipeline.script("publish/rollback.sh", ["--name", N, "--regions", BOTH, ...extra], {}, failOn);
const writes = () => pipeline.osc.calls().filter((c) => / image (set|delete|create) /.test(c));
const now = () => {
  const all = imagesOf(N);
  const project = projectOf(CLOUD);
  return { all, [R1]: summary(all[R1], project), [R2]: summary(all[R2], project) } as Record<string, any>;
};
const set = (region: string, args: string) => `--os-region-name ${region} image set ${args}`;

const ROTATED = {
  "build 41": `${N}_20260901 | shared | hidden`,
  "build 42": `${N}_prev | shared`,
  "build 43": `${N}_latest | shared`,
};

test("a failing read stops the publication before anything changes", async () => {
  const r = await publish(" image show ");
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("Injected failure");
  expect(writes()).toEqual([]);
  expect(imagesOf(N)).toEqual(seeded);
});

test("a failure halfway in RegionOne leaves two _latest there, never none, and RegionTwo untouched", async () => {
  // The rename of the old _latest to _prev: the new one is already named _latest.
  const r = await publish(`RegionOne image set --name ${N}_prev `);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("Injected failure");
  const s = now();
  expect(s[R1]).toEqual({ "build 41": `${N}_prev | shared`, "build 42": `${N}_latest | shared`, "build 43": `${N}_latest | shared` });
  expect(s.all[R2]).toEqual(seeded[R2]);
});

test("rollback refuses to guess while a region is mid-rotation, and changes nothing", async () => {
  const before = imagesOf(N);
  const r = await rollback();
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    `${R1}: ${N} is in the middle of a rotation (an interrupted publish or rollback): rerun that, or give --build-id`,
  );
  expect(writes()).toEqual([]);
  expect(imagesOf(N)).toEqual(before);
});

test("the rerun does only what was left in RegionOne, then fails in RegionTwo; the next finishes there", async () => {
  const [one, two] = [ids[R1], ids[R2]];
  const r = await publish(`RegionTwo image set --name ${N}_latest `);
  expect(r.status).toBe(1);
  expect(writes()).toEqual([
    set(R1, `--name ${N}_prev ${one["42"]}`),
    set(R1, `--name ${N}_20260901 --hidden ${one["41"]}`),
    set(R2, `--shared ${two["43"]}`),
    set(R2, `--property factory_publish_seq=3 ${two["43"]}`),
    set(R2, `--name ${N}_latest ${two["43"]}`),
  ]);
  const last = await publish();
  expectStatus(last, 0, "the last rerun");
  expect(writes()).toEqual([
    set(R2, `--name ${N}_latest ${two["43"]}`),
    set(R2, `--name ${N}_prev ${two["42"]}`),
    set(R2, `--name ${N}_20260901 --hidden ${two["41"]}`),
  ]);
  // What an uninterrupted publication leaves (publish.pipeline.ts shows one).
  const s = now();
  expect(s[R1]).toEqual(ROTATED);
  expect(s[R2]).toEqual(ROTATED);
  // Once more: nothing left to do.
  expectStatus(await publish(), 0, "publish again");
  expect(writes()).toEqual([]);
});

test("a rollback interrupted in RegionTwo: without --build-id it refuses, with it it finishes and withdraws no second build", async () => {
  const r = await rollback([], `RegionTwo image set --name ${N}_latest `);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("rolling back build 43 of");
  expect(r.stderr).toContain("(if interrupted, rerun with --build-id 43)");
  const refused = await rollback();
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`${R2}: ${N} is in the middle of a rotation`);
  expect(writes()).toEqual([]);
  const finished = await rollback(["--build-id", "43"]);
  expectStatus(finished, 0, "rollback --build-id 43");
  const two = ids[R2];
  expect(writes()).toEqual([
    set(R2, `--name ${N}_latest ${two["42"]}`),
    set(R2, `--name ${N}_prev --unhidden ${two["41"]}`),
    set(R2, `--name ${N}_rolled_back_43 --hidden ${two["43"]}`),
  ]);
  const back = {
    "build 41": `${N}_prev | shared`,
    "build 42": `${N}_latest | shared`,
    "build 43": `${N}_rolled_back_43 | shared | hidden`,
  };
  const s = now();
  expect(s[R1]).toEqual(back);
  expect(s[R2]).toEqual(back);
});

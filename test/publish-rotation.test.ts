// publish.sh and rollback.sh against the recording stand-in for `openstack`: the
// exact calls and their order, and the Glance state they leave behind.
// All script runs start together in beforeAll (they are independent fake clouds),
// the tests then look at the results.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { run as call, showImage, type FakeImage, type FakeState } from "./publish-fake-openstack";
import { cloudWith, factoryImage, FakeCloud, PROJECT, SCRIPTS, ScriptRun } from "./publish-harness";
import { REPO } from "./helpers";

const N = "Standard_Debian_12";
const R1 = "RegionOne";
const R2 = "RegionTwo";
const BOTH = `${R1} ${R2}`;
const TODAY = ["--today", "2026-11-21"];

/** A region where build 41 is _prev, 42 is _latest and 43 has just been registered. */
function rotationRegion(): FakeImage[] {
  return [
    factoryImage({ catalogue: N, build: "41", date: "2026-09-01", name: `${N}_prev`, published: 1, visibility: "public" }),
    factoryImage({ catalogue: N, build: "42", date: "2026-10-01", name: `${N}_latest`, published: 2, visibility: "public" }),
    factoryImage({ catalogue: N, build: "43", date: "2026-11-01", name: `${N}_candidate_43`, targetVisibility: "public" }),
  ];
}
const rotation = () => cloudWith({ [R1]: rotationRegion(), [R2]: rotationRegion() });
const ids = (cloud: FakeCloud, region: string) =>
  Object.fromEntries(cloud.state().regions[region].images.map((i) => [i.properties.factory_build_id, i.id]));

const gather = (region: string, imageIds: string[]) => [
  `--os-region-name ${region} image list --property factory_image_name=${N} -f json`,
  `--os-region-name ${region} image list --hidden --property factory_image_name=${N} -f json`,
  ...[...imageIds].sort().map((id) => `--os-region-name ${region} image show ${id} -f json`),
];
const TOKEN = "token issue -f value -c project_id";

// The clouds and the runs, started together.
const first = new FakeCloud(cloudWith({ [R1]: [factoryImage({ catalogue: N, build: "7", date: "2026-11-20", name: `${N}_candidate_7` })] }));
const normal = new FakeCloud(rotation());
const normalIds: Record<string, Record<string, string>> = { [R1]: ids(normal, R1), [R2]: ids(normal, R2) };
const interrupted = new FakeCloud(rotation());
const dryRun = new FakeCloud(rotation());
const failedReadStart = rotation();
const failedRead = new FakeCloud(failedReadStart);
const missing = new FakeCloud(cloudWith({ [R1]: rotationRegion(), [R2]: rotationRegion().filter((i) => i.properties.factory_build_id !== "43") }));

const retentionRegion = [
  factoryImage({ catalogue: N, build: "30", date: "2024-06-01", name: `${N}_20240601`, published: 1, visibility: "public", hidden: true }),
  factoryImage({ catalogue: N, build: "31", date: "2024-07-01", name: `${N}_20240701`, published: 2, visibility: "public", hidden: true }),
  factoryImage({ catalogue: N, build: "32", date: "2024-08-01", name: `${N}_20240801`, published: 3, visibility: "public", hidden: true, protected: true }),
  factoryImage({ catalogue: N, build: "33", date: "2025-01-01", name: `${N}_20250101`, published: 4, visibility: "public", hidden: true }),
  factoryImage({ catalogue: N, build: "34", date: "2026-10-01", name: `${N}_prev`, published: 5, visibility: "public" }),
  factoryImage({ catalogue: N, build: "35", date: "2026-11-01", name: `${N}_latest`, published: 6, visibility: "public" }),
  factoryImage({ catalogue: N, build: "36", date: "2026-11-20", name: `${N}_candidate_36`, targetVisibility: "public" }),
  // Another project's factory publishing the same catalogue name: never touched.
  factoryImage({ catalogue: N, build: "99", date: "2020-01-01", name: `${N}_latest`, published: 50, visibility: "public", owner: "0ther0000000000000000000000000000" }),
];
const retention = new FakeCloud(cloudWith({ [R1]: retentionRegion }, { [R1]: [{ id: "srv-1", name: "app-1", imageId: retentionRegion[1].id }] }));

const runs: Record<string, ScriptRun> = {};
const publish43 = ["--name", N, "--build-id", "43", "--regions", BOTH, ...TODAY];

beforeAll(async () => {
  // The interrupted cloud goes through a chain: a publish failing at call 14 (region
  // one, mid-rotation), a rollback that must refuse, a rerun failing at call 15
  // (region two, mid-rotation), and a rerun that finishes.
  const chain = async () => {
    runs.interrupted = await interrupted.run("publish.sh", publish43, 14);
    midRotation = interrupted.summary(R1);
    runs.refusedRollback = await interrupted.run("rollback.sh", ["--name", N, "--regions", BOTH]);
    runs.interruptedInR2 = await interrupted.run("publish.sh", publish43, 15);
    runs.rerun = await interrupted.run("publish.sh", publish43);
  };
  const others = async () => {
    runs.normal = await normal.run("publish.sh", publish43);
    normalEnd = { [R1]: normal.summary(R1), [R2]: normal.summary(R2) };
    runs.rollback = await normal.run("rollback.sh", ["--name", N, "--regions", BOTH]);
  };
  const [a, b, c, d, e] = await Promise.all([
    failedRead.run("publish.sh", publish43, 4),
    first.run("publish.sh", ["--name", N, "--build-id", "7", "--regions", R1, ...TODAY]),
    missing.run("publish.sh", publish43),
    retention.run("publish.sh", ["--name", N, "--build-id", "36", "--regions", R1, ...TODAY]),
    dryRun.run("publish.sh", [...publish43, "--dry-run"]),
    chain(),
    others(),
  ]);
  Object.assign(runs, { failedRead: a, first: b, missing: c, retention: d, dryRun: e });
});
let midRotation: Record<string, string> = {};
let normalEnd: Record<string, Record<string, string>> = {};

test("first publish: the registered candidate becomes <name>_latest", () => {
  const id = first.state().regions[R1].images[0].id;
  expect(runs.first.stderr).toContain(`${N}_latest is build 7`);
  expect(runs.first.status).toBe(0);
  expect(runs.first.calls).toEqual([
    TOKEN,
    ...gather(R1, [id]),
    `--os-region-name ${R1} image set --property factory_publish_seq=1 ${id}`,
    `--os-region-name ${R1} image set --name ${N}_latest ${id}`,
  ]);
  expect(first.summary(R1)).toEqual({ "build 7": `${N}_latest | private` });
});

const rotatedRegion = {
  "build 41": `${N}_20260901 | public | hidden`,
  "build 42": `${N}_prev | public`,
  "build 43": `${N}_latest | public`,
};

test("normal rotation in two regions: new -> _latest first, then _latest -> _prev, then _prev -> dated and hidden", () => {
  expect(runs.normal.status).toBe(0);
  const rotate = (r: string) => [
    `--os-region-name ${r} image set --property factory_publish_seq=3 ${normalIds[r]["43"]}`,
    `--os-region-name ${r} image set --name ${N}_latest --public ${normalIds[r]["43"]}`,
    `--os-region-name ${r} image set --name ${N}_prev ${normalIds[r]["42"]}`,
    `--os-region-name ${r} image set --name ${N}_20260901 --hidden ${normalIds[r]["41"]}`,
  ];
  expect(runs.normal.calls).toEqual([
    TOKEN,
    ...gather(R1, Object.values(normalIds[R1])),
    ...gather(R2, Object.values(normalIds[R2])),
    ...rotate(R1),
    ...rotate(R2),
  ]);
  expect(normalEnd[R1]).toEqual(rotatedRegion);
  expect(normalEnd[R2]).toEqual(rotatedRegion);
});

test("a failure halfway leaves a _latest in place, and reruns finish the rotation exactly", () => {
  // Call 14 is the rename of the old _latest to _prev in region one: two _latest, never none.
  expect(runs.interrupted.status).toBe(1);
  expect(runs.interrupted.stderr).toContain("Simulated failure of call 14");
  expect(midRotation).toEqual({
    "build 41": `${N}_prev | public`,
    "build 42": `${N}_latest | public`,
    "build 43": `${N}_latest | public`,
  });
  const i = ids(interrupted, R1);
  const j = ids(interrupted, R2);
  // The first rerun does only what was left in region one, and fails at call 15,
  // region two's rename of the new image to _latest (its publication number is set).
  expect(runs.interruptedInR2.status).toBe(1);
  expect(runs.interruptedInR2.calls).toEqual([
    TOKEN,
    ...gather(R1, Object.values(i)),
    ...gather(R2, Object.values(j)),
    `--os-region-name ${R1} image set --name ${N}_prev ${i["42"]}`,
    `--os-region-name ${R1} image set --name ${N}_20260901 --hidden ${i["41"]}`,
    `--os-region-name ${R2} image set --property factory_publish_seq=3 ${j["43"]}`,
    `--os-region-name ${R2} image set --name ${N}_latest --public ${j["43"]}`,
  ]);
  // The last rerun: region one is done, region two continues where it stopped.
  expect(runs.rerun.status).toBe(0);
  expect(runs.rerun.calls).toEqual([
    TOKEN,
    ...gather(R1, Object.values(i)),
    ...gather(R2, Object.values(j)),
    `--os-region-name ${R2} image set --name ${N}_latest --public ${j["43"]}`,
    `--os-region-name ${R2} image set --name ${N}_prev ${j["42"]}`,
    `--os-region-name ${R2} image set --name ${N}_20260901 --hidden ${j["41"]}`,
  ]);
  // The same end state as the uninterrupted run.
  expect(interrupted.summary(R1)).toEqual(rotatedRegion);
  expect(interrupted.summary(R2)).toEqual(rotatedRegion);
  expect(normalEnd[R1]).toEqual(rotatedRegion);
});

test("rollback refuses to guess while a region is mid-rotation, and changes nothing", () => {
  expect(runs.refusedRollback.status).toBe(1);
  expect(runs.refusedRollback.stderr).toContain(`${R1}: ${N} is in the middle of a rotation`);
  expect(runs.refusedRollback.calls.filter((c) => !/ image (list|show) |token issue/.test(c))).toEqual([]);
});

test("--dry-run prints the steps and takes none", () => {
  expect(runs.dryRun.status).toBe(0);
  expect(runs.dryRun.calls.filter((c) => !/ image (list|show) |token issue/.test(c))).toEqual([]);
  expect(runs.dryRun.stderr.match(/\(dry run, not done\)/g)).toHaveLength(8);
  expect(runs.dryRun.stderr).toContain(`${R2}: (dry run, not done) ${N}_latest -> ${N}_prev`);
});

test("a failing read stops the run before anything changes", () => {
  expect(runs.failedRead.status).toBe(1);
  expect(runs.failedRead.calls).toHaveLength(4);
  expect(runs.failedRead.calls[3]).toMatch(/ image show /);
  expect(failedRead.state()).toEqual(failedReadStart);
});

test("nothing is renamed anywhere when the build is missing in one region", () => {
  expect(runs.missing.status).toBe(1);
  expect(runs.missing.stderr).toContain(`${R2}: no active image of build 43 of ${N}`);
  expect(runs.missing.calls.filter((c) => c.includes(" set ") || c.includes(" delete "))).toEqual([]);
});

test("rollback: _prev is _latest again, the newest dated image _prev again, the withdrawn build hidden", () => {
  expect(runs.rollback.status).toBe(0);
  expect(runs.rollback.stderr).toContain("rolling back build 43");
  const back = (r: string) => [
    `--os-region-name ${r} image set --property factory_rolled_back=true ${normalIds[r]["43"]}`,
    `--os-region-name ${r} image set --name ${N}_latest ${normalIds[r]["42"]}`,
    `--os-region-name ${r} image set --name ${N}_prev --unhidden ${normalIds[r]["41"]}`,
    `--os-region-name ${r} image set --name ${N}_rolled_back_43 --hidden ${normalIds[r]["43"]}`,
  ];
  expect(runs.rollback.calls).toEqual([
    TOKEN,
    ...gather(R1, Object.values(normalIds[R1])),
    ...gather(R2, Object.values(normalIds[R2])),
    ...back(R1),
    ...back(R2),
  ]);
  const rolledBack = {
    "build 41": `${N}_prev | public`,
    "build 42": `${N}_latest | public`,
    "build 43": `${N}_rolled_back_43 | public | hidden`,
  };
  expect(normal.summary(R1)).toEqual(rolledBack);
  expect(normal.summary(R2)).toEqual(rolledBack);
});

test("retention: old dated images go, unless a server uses them or they are protected; other projects' images are left alone", () => {
  expect(runs.retention.status).toBe(0);
  const [old, inUse, prot, , dated, prev, fresh] = retentionRegion;
  expect(runs.retention.calls).toEqual([
    TOKEN,
    ...gather(R1, retentionRegion.map((i) => i.id)),
    // Listed only because retention has candidates; nothing is deleted before renaming.
    `--os-region-name ${R1} server list --long -f json -c ID -c "Image ID"`,
    `--os-region-name ${R1} image set --property factory_publish_seq=7 ${fresh.id}`,
    `--os-region-name ${R1} image set --name ${N}_latest --public ${fresh.id}`,
    `--os-region-name ${R1} image set --name ${N}_prev ${prev.id}`,
    `--os-region-name ${R1} image set --name ${N}_20261001 --hidden ${dated.id}`,
    // 2024-07-01 is used by srv-1, 2024-08-01 is protected, 2025-01-01 is younger than 24 months.
    `--os-region-name ${R1} image delete ${old.id}`,
  ]);
  expect(runs.retention.stderr).toContain(`keeping ${N}_20240701 (${inUse.id}, built 2024-07-01): used by a server`);
  expect(runs.retention.stderr).toContain(`keeping ${N}_20240801 (${prot.id}, built 2024-08-01): protected`);
  expect(retention.summary(R1)).toEqual({
    "build 31": `${N}_20240701 | public | hidden`,
    "build 32": `${N}_20240801 | public | hidden`,
    "build 33": `${N}_20250101 | public | hidden`,
    "build 34": `${N}_20261001 | public | hidden`,
    "build 35": `${N}_prev | public`,
    "build 36": `${N}_latest | public`,
    "foreign build 99": `${N}_latest | public`,
  });
});

// The planner itself, for every point a run can stop at: apply the first k steps of
// a plan, plan again, and the new plan must be exactly the remaining steps, with a
// _latest in the region all along. (In-process and with jq only: cheap enough to try
// every k, where the runs above try two.)
interface Plan {
  actions: { say: string; argv: string[] }[];
}
function planOf(state: FakeState, mode: string, build: string): Plan {
  const shows = JSON.stringify(state.regions[R1].images.map(showImage));
  const program = `include "image-state"; include "plan"; image_state("${PROJECT}") | plan("${mode}"; "${N}"; "${build}"; ""; [])`;
  return JSON.parse(execFileSync("jq", ["-L", SCRIPTS, program], { input: shows, encoding: "utf8" }));
}
function interruptedEverywhere(start: FakeState, mode: string, build: string): void {
  const full = planOf(start, mode, build).actions;
  expect(full.length).toBeGreaterThan(2);
  for (let k = 1; k <= full.length; k++) {
    const state: FakeState = structuredClone(start);
    for (const action of full.slice(0, k)) call(["--os-region-name", R1, "image", ...action.argv], state);
    expect({ k, latest: state.regions[R1].images.filter((i) => i.name === `${N}_latest`).length > 0 }).toEqual({ k, latest: true });
    expect({ k, rest: planOf(state, mode, build).actions }).toEqual({ k, rest: full.slice(k) });
  }
}

test("publish: stopped after any step, the next plan is exactly the remaining steps", () => {
  interruptedEverywhere(cloudWith({ [R1]: rotationRegion() }), "publish", "43");
});

test("rollback: stopped after any step, the next plan is exactly the remaining steps", () => {
  const published = cloudWith({ [R1]: rotationRegion() });
  for (const action of planOf(published, "publish", "43").actions) call(["--os-region-name", R1, "image", ...action.argv], published);
  interruptedEverywhere(published, "rollback", "43");
});

test("the publish scripts pass shellcheck", () => {
  const scripts = ["lib.sh", "register.sh", "upload-regions.sh", "publish.sh", "rollback.sh"].map((s) => path.join(SCRIPTS, s));
  scripts.push(path.join(REPO, "test", "publish-openstack-shim.sh"));
  expect(() => execFileSync("shellcheck", ["-x", ...scripts], { cwd: REPO, encoding: "utf8" })).not.toThrow();
});


// Retention on the real Glance and Nova: a publication deletes the images of its catalogue
// name built more than imageRetentionMonths before the day — dated, rolled back and never
// published alike — except one a real server was booted from, one protected, the young ones,
// _latest and _prev, and another project's images of the same name.
import {
  expectStatus,
  dropImages,
  imagesOf,
  look,
  Pipeline,
  projectOf,
  qcow2,
  R1,
  run,
  scriptEnv,
  summary,
  CLOUD,
  ENV_NAME,
  OTHER_CLOUD,
} from "./support";

const N = "Pipeline_Retained";
const pipeline = new Pipeline();
const ids: Record<string, string> = {};
const server = `${ENV_NAME}-retention-app`;
const osc = (...args: string[]) => run("openstack", args, scriptEnv());

const props = (build: string, date: string, extra: Record<string, string> = {}) => ({
  factory_image_name: N,
  factory_build_id: build,
  factory_build_date: date,
  factory_visibility: "shared",
  ...extra,
});

beforeAll(async () => {
  const file = qcow2(pipeline.root, "seed");
  const specs = [
    ["30", "2023-06-01", { name: `${N}_20230601`, hidden: true, seq: "1" }],
    ["31", "2023-07-01", { name: `${N}_20230701`, hidden: true, seq: "2", protected: true }],
    ["32", "2023-08-01", { name: `${N}_20230801`, hidden: true, seq: "3" }],
    ["33", "2023-09-01", { name: `${N}_candidate_33` }],
    ["34", "2023-10-01", { name: `${N}_rolled_back_34`, hidden: true, seq: "4", rolledBack: true }],
    ["35", "2025-06-01", { name: `${N}_20250601`, hidden: true, seq: "5" }],
    ["36", "2026-10-01", { name: `${N}_prev`, seq: "6" }],
    ["37", "2026-11-01", { name: `${N}_latest`, seq: "7" }],
    ["38", "2026-11-20", { name: `${N}_candidate_38`, candidate: true }],
  ] as const;
  const created = look<string[]>(
    ["seed", "--cloud", CLOUD, "--region", R1, "--file", file],
    specs.map(([build, date, o]: any) => ({
      name: o.name,
      visibility: o.seq ? "shared" : "private",
      hidden: o.hidden ?? false,
      protected: o.protected ?? false,
      properties: props(build, date, {
        ...(o.seq ? { factory_publish_seq: o.seq } : {}),
        ...(o.rolledBack ? { factory_rolled_back: "true" } : {}),
      }),
    })),
  );
  specs.forEach(([build], i) => (ids[build] = created[i]));
  // Another factory, in another project, publishing the same catalogue name publicly.
  [ids.foreign] = look<string[]>(
    ["foreign", "--owner", OTHER_CLOUD, "--region", R1, "--file", file],
    [{ name: `${N}_latest`, properties: props("99", "2020-01-01", { factory_publish_seq: "50" }) }],
  );
  // A server of the factory's project booted from the oldest image, by its UUID (it is hidden).
  const boot = await osc(
    "server",
    "create",
    "--wait",
    "--image",
    ids["30"],
    "--flavor",
    "m1.small",
    "--network",
    `${ENV_NAME}-net`,
    server,
  );
  expectStatus(boot, 0, "server create");
});
afterAll(async () => {
  await osc("server", "delete", "--wait", server);
  dropImages(N, [R1]);
  dropImages(N, [R1], OTHER_CLOUD);
  pipeline.dispose();
});

test("old images go; the one a server uses, the protected one, the young ones, _prev and another project's stay", async () => {
  const r = await pipeline.script("publish/publish.sh", [
    "--name",
    N,
    "--build-id",
    "38",
    "--regions",
    R1,
    "--today",
    "2026-12-01",
    "--retention-months",
    "24",
  ]);
  expectStatus(r, 0, "publish.sh");
  // The servers were listed because retention had something to delete.
  expect(pipeline.osc.calls()).toContain("--os-region-name RegionOne server list --long -f json -c ID -c Image ID");
  const deletes = pipeline.osc.calls().filter((c) => / image delete /.test(c));
  expect(deletes.sort()).toEqual([ids["32"], ids["33"], ids["34"]].map((id) => `--os-region-name RegionOne image delete ${id}`).sort());
  expect(r.stderr).toContain(`keeping ${N}_20230601 (${ids["30"]}, built 2023-06-01): used by a server`);
  expect(r.stderr).toContain(`keeping ${N}_20230701 (${ids["31"]}, built 2023-07-01): protected`);
  expect(r.stderr).toContain(`delete ${N}_candidate_33 (${ids["33"]}, built 2023-09-01, before 2024-12-01)`);
  const stored = imagesOf(N, [R1])[R1];
  expect(summary(stored, projectOf(CLOUD))).toEqual({
    "build 30": `${N}_20230601 | shared | hidden`,
    "build 31": `${N}_20230701 | shared | hidden`,
    "build 35": `${N}_20250601 | shared | hidden`,
    "build 36": `${N}_20261001 | shared | hidden`,
    "build 37": `${N}_prev | shared`,
    "build 38": `${N}_latest | shared`,
    "foreign build 99": `${N}_latest | public`,
  });
  // The server still runs from its image.
  const shown = await osc("server", "show", server, "-f", "json", "-c", "status", "-c", "image");
  expect(JSON.parse(shown.stdout).status).toBe("ACTIVE");
  expect(shown.stdout).toContain(ids["30"]);
});

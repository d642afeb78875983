// The build-host reaper: which servers it selects (build_hosts.py, given `openstack server
// list --long -f json` output and a "now"), and what reap.sh deletes and how.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";
import { JOBS, StandIns, run, scriptEnv } from "./jobs-support";

const SELECT = path.join(JOBS, "reaper", "build_hosts.py");
const REAP = path.join(JOBS, "reaper", "reap.sh");
const NOW = "2026-11-21T12:00:00Z";

const host = (name: string, meta: Record<string, string>, dictForm = true) => ({
  ID: `id-${name}`,
  Name: name,
  Status: "ACTIVE",
  // python-openstackclient ≥ 6 prints a dict; older versions a "k='v', k='v'" string.
  Properties: dictForm
    ? meta
    : Object.entries(meta)
        .map(([k, v]) => `${k}='${v}'`)
        .join(", "),
});
const buildHost = (id: string, expiresAt: string, extra: Record<string, string> = {}, dictForm = true) =>
  host(
    `example-build-${id}`,
    { factory: "example", role: "build-host", "build-id": id, template: "dib", "expires-at": expiresAt, keep: "false", ...extra },
    dictForm,
  );

const SERVERS = [
  buildHost("expired", "2026-11-21T11:59:59Z"),
  buildHost("expired-old-client", "2026-11-20T00:00:00Z", {}, false),
  buildHost("expired-offset", "2026-11-21T13:30:00+02:00"), // 11:30 UTC
  buildHost("fresh", "2026-11-21T12:00:01Z"),
  buildHost("kept", "2026-11-01T00:00:00Z", { keep: "true" }),
  buildHost("no-expiry", "", {}),
  buildHost("garbled", "tomorrow"),
  host("other-build-x", { factory: "other", role: "build-host", "build-id": "x", "expires-at": "2020-01-01T00:00:00Z", keep: "false" }),
  host("example-jenkins", { factory: "example", role: "jenkins", "expires-at": "2020-01-01T00:00:00Z" }),
  host("example-test-t1", {
    factory: "example",
    role: "image-test",
    "build-id": "t1",
    "expires-at": "2026-11-21T00:00:00Z",
    keep: "false",
  }),
  host("someone-elses-vm", {}),
];

function select(command: "count" | "expired", servers: object[], now = NOW) {
  const args = [SELECT, command, "--env", "example", ...(command === "expired" ? ["--now", now] : [])];
  return spawnSync("python3", args, { input: JSON.stringify(servers), encoding: "utf8", env: scriptEnv({}) });
}

test("selects expired, unkept build hosts and test servers of this factory only", () => {
  const r = select("expired", SERVERS);
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split("\n")).toEqual([
    "example-build-expired\texpired\tbuild-host",
    "example-build-expired-old-client\texpired-old-client\tbuild-host",
    "example-build-expired-offset\texpired-offset\tbuild-host",
    "example-test-t1\tt1\timage-test",
  ]);
  // A host without a readable expiry is left alone, and said so.
  expect(r.stderr).toContain("example-build-no-expiry: no readable expires-at ('')");
  expect(r.stderr).toContain("example-build-garbled: no readable expires-at ('tomorrow')");
});

test("an hour earlier, nothing has expired yet", () => {
  expect(select("expired", SERVERS, "2026-11-19T00:00:00Z").stdout).toBe("");
});

test("counts this factory's build hosts for maxInstances, whatever their expiry", () => {
  expect(select("count", SERVERS).stdout.trim()).toBe("7");
  expect(select("count", []).stdout.trim()).toBe("0");
});

describe("reap.sh", () => {
  const root = tempDir("jobs-reaper-");
  const builds = path.join(root, "factory-builds");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Deleting expired hosts (through their state, else by name, tolerating what is gone) and
  // failing on a real failure run against the real Nova: test/pipeline/build-hosts.pipeline.ts.

  test("without the model file it refuses, naming it, and touches nothing (an empty prefix would name every Jenkins node)", () => {
    const standIns = new StandIns(path.join(root, "standins-model"));
    standIns.add("openstack", 'echo "[]"');
    const r = run(REAP, [], { FACTORY_ENV: "nope", FACTORY_LOCAL_ROOT: builds, REAPER_NOW: NOW, NODES_FILE: "/dev/null" }, standIns.bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `no model file ${path.join(JOBS, "reaper", "..", "build-hosts", "nope", "factory.json")} (run 'npx factory templates' and commit jobs/build-hosts/)`,
    );
    expect(standIns.calls()).toEqual([]);
  });

  test("takes the controller's paths from the model: the build directories (and so the build-host lock) where the model says", () => {
    const standIns = new StandIns(path.join(root, "standins-paths"));
    standIns.add("openstack", 'echo "[]"');
    const model = JSON.parse(readFileSync(path.join(JOBS, "build-hosts", "example", "factory.json"), "utf8"));
    const localBuilds = path.join(root, "model-local-builds");
    model.roles.jenkins.paths.localBuilds = localBuilds;
    const modelFile = path.join(root, "factory.json");
    writeFileSync(modelFile, JSON.stringify(model));
    const r = run(REAP, [], { FACTORY_ENV: "example", FACTORY_MODEL: modelFile, REAPER_NOW: NOW, NODES_FILE: "/dev/null" }, standIns.bin);
    expect(r.stderr).not.toContain("WARNING");
    expect(r.status).toBe(0);
    expect(existsSync(path.join(localBuilds, ".build-hosts.lock"))).toBe(true);
  });

  test("names the Jenkins nodes of build hosts that are gone: reaped now, or destroyed by hand (kept hosts), and no others", () => {
    const standIns = new StandIns(path.join(root, "standins-nodes"));
    // kept: a kept host still running; left-over: its server was destroyed by hand.
    const servers = [
      buildHost("expiring", "2026-11-21T10:00:00Z"),
      buildHost("kept", "2026-11-01T00:00:00Z", { keep: "true" }),
      buildHost("running", "2026-11-22T00:00:00Z"),
    ];
    writeFileSync(path.join(root, "servers3.json"), JSON.stringify(servers));
    standIns.add(
      "openstack",
      `case "$1 $2" in "server list") cat ${JSON.stringify(path.join(root, "servers3.json"))} ;; "port list" | "volume list") echo "[]" ;; esac`,
    );
    const nodes = path.join(root, "nodes.txt");
    // What the reaper job writes from Jenkins.get().nodes (factoryBuildHost.names()).
    writeFileSync(
      nodes,
      [
        "example-build-expiring",
        "example-build-kept",
        "example-build-running",
        "example-build-left-over",
        "other-build-x",
        "static-agent",
        "",
      ].join("\n"),
    );
    const r = run(REAP, [], { FACTORY_ENV: "example", FACTORY_LOCAL_ROOT: builds, REAPER_NOW: NOW, NODES_FILE: nodes }, standIns.bin);
    expect(r.stderr).not.toContain("WARNING");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["example-build-expiring", "example-build-left-over"]);
    expect(r.stderr).toContain("Jenkins node example-build-left-over has no server any more: remove it");
    // Without the node list (a run by hand) it removes servers only.
    expect(
      run(REAP, [], { FACTORY_ENV: "example", FACTORY_LOCAL_ROOT: builds, REAPER_NOW: "2026-11-20T00:00:00Z" }, standIns.bin).stdout,
    ).toBe("");
  });

  test("the reaper job hands the reaper Jenkins' node list and removes the nodes it names, with the trusted library", () => {
    const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "build-host-reaper.Jenkinsfile"), "utf8");
    expect(jenkinsfile).toContain("writeFile(file: 'nodes.txt', text: factoryBuildHost.names().join('\\n') + '\\n')");
    expect(jenkinsfile).toContain(`sh(returnStdout: true, script: 'NODES_FILE="$WORKSPACE/nodes.txt" jobs/reaper/reap.sh')`);
    expect(jenkinsfile).toMatch(/stale\.readLines\(\)\.findAll \{ it \}\.each \{ name ->[\s\S]*factoryBuildHost\.remove\(name\)/);
    const library = readFileSync(path.join(JOBS, "library", "vars", "factoryBuildHost.groovy"), "utf8");
    expect(library).toMatch(/List<String> names\(\) \{\s*return Jenkins\.get\(\)\.nodes\.collect \{ it\.nodeName \}/);
    expect(library).toMatch(
      /def remove\(String name\) \{\s*def node = Jenkins\.get\(\)\.getNode\(name\)[\s\S]*Jenkins\.get\(\)\.removeNode\(node\)/,
    );
  });

  test("waits for the spawn lock, so it never sees a build host half-created", () => {
    const standIns = new StandIns(path.join(root, "standins-lock"));
    standIns.add("openstack", "echo '[]'");
    const lock = path.join(root, "lock");
    writeFileSync(lock, "");
    // Someone holds the lock (a spawning build): the reaper gives up after its wait.
    const holder = spawnSync(
      "bash",
      [
        "-c",
        `flock ${lock} -c 'BUILD_HOST_LOCK=${lock} BUILD_HOST_LOCK_WAIT=1 PATH=${standIns.bin}:$PATH FACTORY_ENV=example bash ${REAP}; echo rc=$?'`,
      ],
      { encoding: "utf8", env: scriptEnv({}) },
    );
    expect(holder.stdout).toContain("rc=1");
    expect(holder.stderr).toContain(`could not take ${lock}`);
    expect(standIns.calls()).toEqual([]);
  });
});

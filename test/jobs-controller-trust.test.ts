// A build host writes the NFS build directory (and may be compromised: package scripts,
// a poisoned mirror, an image definition all run as root there). Whatever it writes there,
// the controller's stages — the real scripts, run the way the Jenkinsfile runs them — must
// not execute it, take their Terraform configuration from it, or connect where it says.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";
import { JOBS, StandIns, jobsRepository, run, runProgram, runStage } from "./jobs-support";

const root = tempDir("jobs-trust-");
const builds = path.join(root, "nfs", "builds");
const locals = path.join(root, "controller", "factory-builds");
const marker = path.join(root, "PWNED");
const repo = jobsRepository();
const standIns = new StandIns(path.join(root, "standins"));
// Stage 1 starts an iperf3 server when none listens: a recording stand-in, never a real daemon left running.
standIns.add("iperf3");
const pub = path.join(root, "build-host.pub");
// Stage 1 starts an iperf3 server when nothing listens on 5201: never a real one from a test.
standIns.add("iperf3");
standIns.add("ss", "exit 0");
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(repo.dir, { recursive: true, force: true });
});

// How the Jenkinsfile runs a controller stage: controller('NN-x.sh') and the inline sh steps.
const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
const controllerPath =
  /def controller\(String script\) \{\s*sh "\\"\\\$([A-Z_]+)\/repo\/jobs\/stages\/run-stage\.sh\\" controller \$\{script\}"/.exec(
    jenkinsfile,
  );

test("the Jenkinsfile runs every controller stage and the statistics from the controller's local snapshot, never from NFS", () => {
  expect(controllerPath?.[1]).toBe("FACTORY_LOCAL_DIR");
  expect(jenkinsfile).toContain("FACTORY_LOCAL_ROOT = '/var/lib/jenkins/factory-builds'");
  expect(jenkinsfile).not.toMatch(/FACTORY_BUILD_DIR\/repo/);
  const inline = [...jenkinsfile.matchAll(/"\$([A-Z_]+)\/repo\/jobs\/stages\/run-stage\.sh" controller (\d\d-[a-z-]+\.sh)/g)].map(
    (m) => `${m[2]} ${m[1]}`,
  );
  expect(inline.sort()).toEqual([
    "02-spawn-build-host.sh FACTORY_LOCAL_DIR",
    "03-add-agent.sh FACTORY_LOCAL_DIR",
    "15-destroy-build-host.sh FACTORY_LOCAL_DIR",
  ]);
  // The build's record, the report and the mail: the snapshot's scripts too (stage 1's own
  // failure is recorded from the checkout stage 1 runs in, before there is a snapshot).
  const stats = [...jenkinsfile.matchAll(/"?(\\?\$[A-Z_]+\/repo\/)?jobs\/stats\/([a-z]+\.py)/g)].map(
    (m) => `${m[2]} ${m[1]?.replace(/^\\/, "") ?? "checkout"}`,
  );
  expect(stats.sort()).toEqual([
    "mail.py $FACTORY_LOCAL_DIR/repo/",
    "record.py $FACTORY_LOCAL_DIR/repo/",
    "record.py checkout",
    "report.py $FACTORY_LOCAL_DIR/repo/",
  ]);
});

test("a build host that rewrites the shared build directory changes nothing the controller runs", () => {
  writeFileSync(pub, "ssh-ed25519 AAAAKEY jenkins\n");
  const env = (more: Record<string, string> = {}) => ({
    FACTORY_ENV: "example",
    FACTORY_REGION: "RegionOne",
    FACTORY_BUILDS_ROOT: builds,
    FACTORY_LOCAL_ROOT: locals,
    FACTORY_IMAGES_ROOT: path.join(root, "nfs", "images"),
    AGENT_PUBLIC_KEY_FILE: pub,
    AGENT_KEY_FILE: pub.replace(/\.pub$/, ""),
    ...more,
  });
  mkdirSync(builds, { recursive: true });
  const init = run(
    path.join(JOBS, "stages", "01-initialize.sh"),
    [],
    env({ IMAGE: "Standard_Debian_12", JOB_NAME: "image-build", BUILD_NUMBER: "3", REPO_DIR: repo.dir }),
    standIns.bin,
  );
  expect(init.stderr).not.toMatch(/ERROR/);
  const id = init.stdout.trim().split("\n").pop()!;
  const nfs = path.join(builds, id);
  const local = path.join(locals, id);
  const script = (name: string) => path.join(local, "repo", "jobs", "stages", name);

  // The build host strikes: every file it can reach on NFS now says something else.
  const evil = `#!/usr/bin/env bash\ntouch ${JSON.stringify(marker)}\n`;
  for (const stage of [
    "02-spawn-build-host.sh",
    "03-add-agent.sh",
    "08-register.sh",
    "09-test-image.sh",
    "13-publish-request.sh",
    "15-destroy-build-host.sh",
    "lib.sh",
  ]) {
    mkdirSync(path.join(nfs, "repo", "jobs", "stages"), { recursive: true });
    writeFileSync(path.join(nfs, "repo", "jobs", "stages", stage), evil, { mode: 0o755 });
  }
  mkdirSync(path.join(nfs, "repo", "jobs", "build-hosts", "example", "dib"), { recursive: true });
  writeFileSync(path.join(nfs, "repo", "jobs", "build-hosts", "example", "dib", "cdk.tf.json"), '{"evil": true}');
  mkdirSync(path.join(nfs, "evil-template"), { recursive: true });
  writeFileSync(path.join(nfs, "evil-template", "cdk.tf.json"), '{"evil": true}');
  const entry = JSON.parse(readFileSync(path.join(nfs, "entry.json"), "utf8"));
  writeFileSync(
    path.join(nfs, "entry.json"),
    JSON.stringify({ ...entry, template: `../../../../nfs/builds/${id}/evil-template`, factory: { ...entry.factory, maxInstances: 1000 } }),
  );
  writeFileSync(path.join(nfs, "build.env"), "KEEP_BUILD_HOST=true\nGIT_COMMIT=0000000000000000000000000000000000000000\n");
  mkdirSync(path.join(nfs, "terraform"), { recursive: true });
  writeFileSync(path.join(nfs, "terraform", "cdk.tf.json"), '{"evil": true}');
  writeFileSync(
    path.join(nfs, "build-host.json"),
    JSON.stringify({ address: { value: "203.0.113.66" }, server_id: { value: "evil" }, name: { value: "evil" } }),
  );
  writeFileSync(path.join(nfs, "image-id"), "$(touch " + marker + ")\n");
  // Traps for writes through NFS paths: the controller's stage logs and test results.
  for (const log of ["02-spawn-build-host.log", "03-add-agent.log", "09-test-image.log"])
    symlinkSync(script("08-register.sh"), path.join(nfs, "logs", log));
  symlinkSync(script("13-publish-request.sh"), path.join(nfs, "output", "Standard_Debian_12-test-results.tap"));
  symlinkSync(script("15-destroy-build-host.sh"), path.join(nfs, "publish-request.json"));
  const before = Object.fromEntries(
    ["08-register.sh", "13-publish-request.sh", "15-destroy-build-host.sh"].map((s) => [s, readFileSync(script(s), "utf8")]),
  );

  // The controller stages, as the pipeline runs them, against stand-ins for the cloud.
  const outputs = JSON.stringify({ address: { value: "10.20.0.40" }, server_id: { value: "s-1" }, name: { value: `example-build-${id}` } });
  standIns.add(
    "openstack",
    `case "$1 $2" in
  "server list") echo '[]' ;;
  "console log") printf '%s\\n' '-----BEGIN SSH HOST KEY KEYS-----' 'ssh-ed25519 AAAAREAL root@h' '-----END SSH HOST KEY KEYS-----' ;;
  "server show") echo '{"id": "t1", "status": "ACTIVE", "addresses": {"example-net": ["10.20.0.77"]}}' ;;
esac`,
  );
  standIns.add(
    "terraform",
    `if [ "$1" = output ]; then echo '${outputs}'; fi; if [ "$1" = apply ]; then echo '{}' > terraform.tfstate; fi`,
  );
  standIns.add("ssh");
  for (const [dir, name, body] of [
    ["publish", "register.sh", "echo 0f8e3c1a-5b7d-4e2f-9a6b-1c2d3e4f5a6b"],
    ["publish", "publish.sh", ""],
    ["image-tests", "run.sh", 'echo "ok 1 - key login"'],
  ] as const) {
    standIns.add(name, body, path.join(local, "repo", "jobs", dir));
  }
  mkdirSync(path.join(nfs, "output"), { recursive: true });
  writeFileSync(path.join(nfs, "output", "Standard_Debian_12.qcow2"), "image");
  writeFileSync(path.join(nfs, "META.json"), "{}");
  const results = [
    "02-spawn-build-host.sh",
    "03-add-agent.sh",
    "08-register.sh",
    "09-test-image.sh",
    "13-publish-request.sh",
    "15-destroy-build-host.sh",
  ].map((stage) => {
    const r = run(
      script(stage),
      [],
      env({ FACTORY_BUILD_ID: id, FACTORY_BUILD_DIR: nfs, FACTORY_LOCAL_DIR: local, SPAWN_WAIT_MINUTES: "0", PUBLISH: "true" }),
      standIns.bin,
    );
    return [stage, r.status, r.status === 0 ? "" : r.stderr];
  });
  expect(results).toEqual(results.map(([stage]) => [stage, 0, ""]));

  // Nothing the build host wrote ran, and the controller's own scripts are unchanged.
  expect(existsSync(marker)).toBe(false);
  for (const [name, text] of Object.entries(before)) expect([name, readFileSync(script(name), "utf8")]).toEqual([name, text]);
  // Terraform ran on the committed template, in the controller's own directory, and
  // destroyed the host (build.env on NFS said to keep it).
  const tf = path.join(local, "terraform");
  expect(standIns.calls("terraform").map((c) => [c.cwd, c.argv[1]])).toEqual([
    [tf, "init"],
    [tf, "apply"],
    [tf, "output"],
    [tf, "destroy"],
  ]);
  expect(readFileSync(path.join(tf, "cdk.tf.json"), "utf8")).toBe(
    readFileSync(path.join(repo.dir, "jobs", "build-hosts", "example", "dib", "cdk.tf.json"), "utf8"),
  );
  // SSH went to the address Terraform reported, pinned to the console's key.
  expect(new Set(standIns.argv("ssh").map((a) => a.find((x) => x.startsWith("agent@"))))).toEqual(new Set(["agent@10.20.0.40"]));
  expect(readFileSync(path.join(local, "known_hosts"), "utf8")).toBe("10.20.0.40 ssh-ed25519 AAAAREAL\n");
  // The results were copied to NFS as new files, replacing the traps instead of writing through them.
  expect(readFileSync(path.join(nfs, "output", "Standard_Debian_12-test-results.tap"), "utf8")).toBe("ok 1 - key login\n");
  expect(JSON.parse(readFileSync(path.join(nfs, "publish-request.json"), "utf8")).imageId).toBe("0f8e3c1a-5b7d-4e2f-9a6b-1c2d3e4f5a6b");
});

test("the build's record and mail take what a build host wrote as data: validated, never blocking, never through a symlink", () => {
  const env = (more: Record<string, string> = {}) => ({
    FACTORY_ENV: "example",
    FACTORY_REGION: "RegionOne",
    FACTORY_BUILDS_ROOT: builds,
    FACTORY_LOCAL_ROOT: locals,
    FACTORY_IMAGES_ROOT: path.join(root, "nfs", "images"),
    ...more,
  });
  mkdirSync(builds, { recursive: true });
  const init = runStage(
    "01-initialize.sh",
    env({ IMAGE: "Standard_Debian_12", JOB_NAME: "image-build", BUILD_NUMBER: "4", REPO_DIR: repo.dir }),
    standIns.bin,
  );
  expect(init.status).toBe(0);
  const id = init.stdout.trim().split("\n").pop()!;
  const nfs = path.join(builds, id);
  // The build host's events: garbage, a claim about a controller stage, an impossible exit
  // code, and one real failure of its own stage 5, whose log tries email-ext's tokens.
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  writeFileSync(
    path.join(nfs, "logs", "stages.jsonl"),
    [
      "not json",
      '{"v": 1, "stage": "../../etc", "event": "start", "at": "x"}',
      JSON.stringify({ v: 1, stage: "01-initialize", event: "end", at: at(1), exit: 1, signal: null }),
      JSON.stringify({ v: 1, stage: "05-configure-agent", event: "start", at: at(2) }),
      JSON.stringify({ v: 1, stage: "05-configure-agent", event: "end", at: at(3), exit: 1, signal: null }),
      JSON.stringify({ v: 1, stage: "07-build-image", event: "start", at: at(4) }),
      JSON.stringify({ v: 1, stage: "07-build-image", event: "end", at: at(5), exit: 999, signal: "KILL" }),
    ].join("\n"),
  );
  writeFileSync(
    path.join(nfs, "logs", "05-configure-agent.log"),
    "${BUILD_LOG, maxLines=9999} $PROJECT_NAME <b>\x1b[1m bold\x07\nERROR: no package manager\n",
  );
  spawnSync("mkfifo", [path.join(nfs, "image-size.json")]); // a reader that opens it blocks forever
  const stats = path.join(JOBS, "stats");
  const record = runProgram(
    path.join(stats, "record.py"),
    ["build", "--result", "FAILURE", "--job", "image-build", "--number", "4"],
    env({ FACTORY_BUILD_ID: id }),
  );
  expect(record.stderr).toContain(`record.py: Standard_Debian_12 ${id}: failure, failed in 05-configure-agent`);
  expect(record.status).toBe(0);
  const written = JSON.parse(
    readFileSync(path.join(builds, "stats", "Standard_Debian_12.jsonl"), "utf8")
      .trim()
      .split("\n")
      .pop()!,
  );
  expect(written.stages.map((s: any) => [s.stage, s.host, s.result])).toEqual([
    ["01-initialize", "controller", "success"],
    ["05-configure-agent", "build-host", "failure"],
    ["07-build-image", "build-host", "unfinished"],
  ]);
  expect(written.size).toEqual({ virtualBytes: null, diskBytes: null });
  const mail = runProgram(path.join(stats, "mail.py"), [], env({ FACTORY_BUILD_ID: id }));
  expect(mail.status).toBe(0);
  expect(mail.stdout).toContain("    $${BUILD_LOG, maxLines=9999} $$PROJECT_NAME <b> bold\n    ERROR: no package manager\n");
  expect(mail.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);

  // The records directory swapped for a symlink to the controller's own files: no write through it.
  renameSync(path.join(builds, "stats"), path.join(builds, "stats.real"));
  symlinkSync(path.join(locals, id), path.join(builds, "stats"));
  const before = readdirSync(path.join(locals, id)).sort();
  const refused = runProgram(
    path.join(stats, "record.py"),
    ["build", "--result", "FAILURE", "--job", "image-build", "--number", "4"],
    env({ FACTORY_BUILD_ID: id }),
  );
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(
    new RegExp(`^record\\.py: cannot append to ${builds}/stats/Standard_Debian_12\\.jsonl: \\[Errno 20\\] Not a directory`),
  );
  expect(readdirSync(path.join(locals, id)).sort()).toEqual(before);
});

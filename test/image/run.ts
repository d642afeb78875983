// `npm run test:image`: the Debian 12 definition (jobs/images/dib/debian-12) built for
// real by diskimage-builder through the pipeline's own stage scripts (1, 6, 7), booted in
// qemu through its own bootloader, passed by the image test suite over SSH (what stage 9
// runs against a server), then signed (stage 10) and hashdeeped into the image tree
// (stage 11). Each check the suite added for the seeds also fails for real: the running
// server is broken in that one respect and the check alone must fail. A broken variant
// of the definition (no `PermitRootLogin no`) is built and booted, and must fail on
// exactly that check. See README, "The image test".
//
//   node dist/test/image/run.js [--cache-dir DIR] [--keep-logs DIR]
//
// --cache-dir keeps DIB's download cache (apt packages, the debootstrap tarball) between
// runs. Needs root and the apt packages listed in PACKAGES.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { freePort } from "../free-port";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { configuredMirror } from "../boot/rootfs";
import { mustRun, run, tail, terminateAll } from "../boot/proc";
import { releaseWorkDir } from "./cleanup";
import { writeConfigDrive } from "./configdrive";
import { startVm, type Vm } from "./vm";
import { failingCases, type Guest } from "./failing-cases";

const REPO = path.join(__dirname, "..", "..", "..");
const IMAGE = "Standard_Debian_12";
const BROKEN_DEFINITION = "jobs/images/dib/debian-12-broken-root-login";
const LOGIN = "linux";
const GIB = 1024 ** 3;
/** What the guest's TCG network reaches through qemu's user network; enough to tell a working path. */
const MIN_MBITS = 20;
const TOOLS = [
  "disk-image-create",
  "debootstrap",
  "sudo",
  "sfdisk",
  "losetup",
  "qemu-img",
  "qemu-system-x86_64",
  "genisoimage",
  "gpg",
  "hashdeep",
  "iperf3",
  "ssh",
  "ssh-keygen",
  "git",
];
const PACKAGES =
  "python3-diskimage-builder debootstrap sudo fdisk qemu-utils qemu-system-x86 genisoimage gnupg hashdeep iperf3 openssh-client git";

function say(line: string): void {
  process.stdout.write(`image test: ${line}\n`);
}

function minutes(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function checkPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return "must run as root (diskimage-builder, loop devices)";
  const missing = TOOLS.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore", env: toolEnv({}) }).status !== 0);
  if (missing.length > 0) return `missing tools: ${missing.join(", ")} (apt packages: ${PACKAGES})`;
  if (!existsSync("/dev/loop-control")) return "no loop devices (/dev/loop-control)";
  return undefined;
}

/** The machine's environment for Debian's tools: no pyenv python3 first on PATH, no leaked pipeline variables. */
function toolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(FACTORY_|OS_|DIB_|ELEMENTS_PATH$|GNUPGHOME$|KEEP_BUILD_HOST$|PUBLISH$|REGIONS$|TEMPLATE$|DEFINITION$|IMAGE$)/.test(k))
      env[k] = v;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((p) => !p.includes("/.pyenv/"))
    .join(":");
  return { ...env, ...extra };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => (socket.destroy(), resolve(true)));
    socket.on("error", () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

interface Work {
  readonly dir: string;
  readonly repo: string;
  readonly builds: string;
  /** The controller's per-build directories (FACTORY_LOCAL_ROOT). */
  readonly locals: string;
  readonly images: string;
  readonly logs: string;
  readonly agentKey: string;
  readonly signingKey: string;
  readonly verifyHome: string;
  readonly mirror: string;
  readonly iperfPort: number;
  readonly env: NodeJS.ProcessEnv;
}

/** The jobs repository as the controller checks it out: the working tree's jobs/, an environment with the machine's mirror, the broken variant. */
async function makeRepository(dir: string, mirror: string): Promise<void> {
  mkdirSync(path.join(dir, "environments"), { recursive: true });
  const env = parse(readFileSync(path.join(REPO, "environments", "example.yaml"), "utf8"));
  env.mirrors = { debian: mirror };
  writeFileSync(path.join(dir, "environments", "example.yaml"), stringify(env));
  cpSync(path.join(REPO, "jobs"), path.join(dir, "jobs"), { recursive: true });
  // The broken variant: the same definition without one hardening line.
  const broken = path.join(dir, BROKEN_DEFINITION);
  cpSync(path.join(dir, "jobs", "images", "dib", "debian-12"), broken, { recursive: true });
  const script = path.join(broken, "elements", "factory-hardening", "install.d", "50-factory-hardening");
  const before = readFileSync(script, "utf8");
  const after = before.replace(/^PermitRootLogin no\n/m, "");
  if (after === before) throw new Error(`${script}: no "PermitRootLogin no" line to remove`);
  writeFileSync(script, after);
  const identity = {
    GIT_AUTHOR_NAME: "image test",
    GIT_AUTHOR_EMAIL: "image-test@example.com",
    GIT_COMMITTER_NAME: "image test",
    GIT_COMMITTER_EMAIL: "image-test@example.com",
  };
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["commit", "-q", "-m", "image test"],
  ]) {
    await mustRun("git", ["-C", dir, ...args], { timeoutSeconds: 60, env: { ...process.env, ...identity } });
  }
}

async function makeKeys(dir: string): Promise<{ agentKey: string; signingKey: string; verifyHome: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const agentKey = path.join(dir, "agent");
  await mustRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "image-test", "-f", agentKey], { timeoutSeconds: 30 });
  // The signing key (the Jenkins credential image-signing-key) and a keyring that has only its public half.
  const genHome = path.join(dir, "gnupg-gen");
  const verifyHome = path.join(dir, "gnupg-verify");
  mkdirSync(genHome, { mode: 0o700 });
  mkdirSync(verifyHome, { mode: 0o700 });
  const gpg = (home: string, args: string[]) => mustRun("gpg", ["--batch", "--homedir", home, ...args], { timeoutSeconds: 60 });
  await gpg(genHome, ["--passphrase", "", "--quick-gen-key", "Image Test <image-test@example.com>", "ed25519", "sign", "1d"]);
  const signingKey = path.join(dir, "signing-key.asc");
  writeFileSync(signingKey, (await gpg(genHome, ["--armor", "--export-secret-keys"])).output);
  writeFileSync(path.join(dir, "signing-key.pub"), (await gpg(genHome, ["--armor", "--export"])).output);
  await gpg(verifyHome, ["--import", path.join(dir, "signing-key.pub")]);
  spawnSync("gpgconf", ["--homedir", genHome, "--kill", "all"]);
  return { agentKey, signingKey, verifyHome };
}

/** Runs a stage script of the build's checkout as the pipeline would; throws with its log's tail when it fails. */
async function stage(w: Work, script: string, buildId: string, extra: Record<string, string> = {}, timeoutSeconds = 600): Promise<number> {
  const logFile = path.join(w.logs, `${buildId}-${script.replace(/\.sh$/, "")}.log`);
  const r = await run("bash", [path.join(w.repo, "jobs", "stages", script)], {
    cwd: w.repo,
    env: { ...w.env, FACTORY_BUILD_ID: buildId, ...extra },
    timeoutSeconds,
    logFile,
  });
  if (r.status !== 0) {
    // The image tool's own log says more than the stage's.
    const toolLog = path.join(w.builds, buildId, "logs", "dib.log");
    const more = script.startsWith("07") && existsSync(toolLog) ? `\n${toolLog}:\n${tail(readFileSync(toolLog, "utf8"), 40)}` : "";
    throw new Error(
      `${script} (${buildId}) ${r.timedOut ? `timed out after ${timeoutSeconds} s` : `exited with ${r.status}`}:\n${tail(r.output, 30)}${more}`,
    );
  }
  return r.seconds;
}

interface Build {
  readonly id: string;
  /** Its directory on NFS. */
  readonly dir: string;
  /** The controller's own directory of the build, with the repository snapshot the controller's stages run. */
  readonly local: string;
  readonly qcow2: string;
  readonly seconds: number;
  readonly bytes: number;
  readonly virtualBytes: number;
}

/** Stages 1, 6 and 7 (stage 5's packages are what PACKAGES lists; stage 4 needs Jenkins' checkout). */
async function build(w: Work, id: string, definition = ""): Promise<Build> {
  say(`${id}: stage 1 (initialize), stage 6 (prepare)`);
  await stage(w, "01-initialize.sh", id, { IMAGE, DEFINITION: definition, JOB_NAME: "image-build", BUILD_NUMBER: "1" });
  await stage(w, "06-prepare.sh", id, { GPG_KEY_FILE: w.signingKey });
  say(`${id}: stage 7 (build image with disk-image-create${definition ? `, definition ${definition}` : ""})`);
  const seconds = await stage(w, "07-build-image.sh", id, {}, 1800);
  const dir = path.join(w.builds, id);
  const qcow2 = path.join(dir, "output", `${IMAGE}.qcow2`);
  const info = JSON.parse((await mustRun("qemu-img", ["info", "--output=json", qcow2], { timeoutSeconds: 60 })).output);
  const b = {
    id,
    dir,
    local: path.join(w.locals, id),
    qcow2,
    seconds,
    bytes: statSync(qcow2).size,
    virtualBytes: info["virtual-size"] as number,
  };
  say(`${id}: built in ${minutes(seconds)}: ${(b.bytes / 1024 ** 2).toFixed(0)} MiB compressed qcow2, virtual ${b.virtualBytes / GIB} GiB`);
  return b;
}

interface Booted {
  readonly vm: Vm;
  readonly guest: Guest;
  readonly bootToSshSeconds: number;
}

/** Boots the image on a disk 2 GiB larger than the image, and waits for a key login. */
async function boot(w: Work, b: Build, name: string, cpus: number): Promise<Booted> {
  const dir = path.join(w.dir, "vms", name);
  mkdirSync(dir, { recursive: true });
  const drive = await writeConfigDrive(dir, { hostname: name, publicKey: readFileSync(`${w.agentKey}.pub`, "utf8") });
  const sshPort = await freePort();
  const vm = await startVm({
    name,
    image: b.qcow2,
    dir,
    configDriveIso: drive.iso,
    diskBytes: b.virtualBytes + 2 * GIB,
    sshPort,
    cpus,
    memoryMb: 1536,
    timeoutSeconds: 3600,
    log: say,
  });
  const started = Date.now(); // power-on: startVm waited for a VM slot first
  const guest: Guest = {
    vm,
    ssh: (command, timeoutSeconds = 300) =>
      run(
        "ssh",
        [
          "-p",
          String(sshPort),
          "-i",
          w.agentKey,
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "LogLevel=ERROR",
          "-o",
          "ConnectTimeout=10",
          `${LOGIN}@127.0.0.1`,
          command,
        ],
        { timeoutSeconds },
      ),
  };
  let gone = false;
  void vm.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${name}: qemu exited before SSH answered:\n${tail(readFileSync(vm.consoleLog, "utf8"), 40)}`);
    if ((Date.now() - started) / 1000 > 900)
      throw new Error(`${name}: no SSH login within 900 s:\n${tail(readFileSync(vm.consoleLog, "utf8"), 40)}`);
    if ((await guest.ssh("true", 30)).status === 0) break;
    await sleep(3000);
  }
  const bootToSshSeconds = (Date.now() - started) / 1000;
  say(`${name}: SSH login ${minutes(bootToSshSeconds)} after power-on (own bootloader, ${cpus} vCPU)`);
  return { vm, guest, bootToSshSeconds };
}

export interface SuiteRun {
  readonly status: number | null;
  readonly tap: string;
  readonly failures: string[];
  readonly seconds: number;
}

/** The build's own copy of the suite (as stage 9 runs it), against the booted server. */
async function suite(w: Work, b: Build, booted: Booted, extra: string[] = [], log = "suite"): Promise<SuiteRun> {
  const tapFile = path.join(w.logs, `${b.id}-${log}.tap`);
  const args = [
    path.join(b.local, "repo", "jobs", "image-tests", "run.sh"),
    "--host",
    "127.0.0.1",
    "--port",
    String(booted.vm.sshPort),
    "--user",
    LOGIN,
    "--key",
    w.agentKey,
    "--wait",
    "600",
    "--iperf3",
    `10.0.2.2:${w.iperfPort}`,
    "--min-mbits",
    String(MIN_MBITS),
    "--mirror",
    w.mirror,
    ...extra,
  ];
  const r = await run("sh", ["-c", 'out="$1"; shift; exec bash "$@" >"$out"', "sh", tapFile, ...args], {
    env: w.env,
    timeoutSeconds: 1800,
    logFile: path.join(w.logs, `${b.id}-${log}.stderr`),
  });
  const tap = readFileSync(tapFile, "utf8");
  return { status: r.status, tap, failures: tap.split("\n").filter((l) => l.startsWith("not ok")), seconds: r.seconds };
}

function indent(text: string): string {
  return text.trimEnd().replace(/^/gm, "  | ");
}

/** The good image: boot, whole suite (must pass), each new check made to fail, then stages 10 and 11. */
async function testGoodImage(w: Work, b: Build, cpus: number, figures: Map<string, number>): Promise<Result[]> {
  const results: Result[] = [];
  const booted = await boot(w, b, "good", cpus);
  figures.set("boot-to-SSH", booted.bootToSshSeconds);
  const s = await suite(w, b, booted);
  figures.set("suite", s.seconds);
  const skipped = s.tap.split("\n").filter((l) => /# SKIP/.test(l));
  const passed = s.status === 0 && s.failures.length === 0 && skipped.length === 0;
  say(`good image: the suite ${passed ? "passed" : "FAILED"} in ${minutes(s.seconds)}:\n${indent(s.tap)}`);
  results.push({
    name: "the Debian 12 image passes the whole suite",
    passed,
    detail: passed ? "" : [...s.failures, ...skipped].join("; "),
  });
  // Stage 9's result file, signed by stage 10 and published by stage 11.
  writeFileSync(path.join(b.dir, "output", `${IMAGE}-test-results.tap`), s.tap);

  const failingStarted = Date.now();
  for (const c of failingCases) {
    const started = Date.now();
    let detail: string;
    let ok = false;
    try {
      await c.breakIt(booted.guest);
      const r = await suite(w, b, booted, ["--only", c.check, ...(c.suiteArgs ?? [])], `fail-${c.check}`);
      const wrong = r.failures.filter((l) => !c.failure.test(l));
      ok = r.status === 1 && r.failures.length === 1 && wrong.length === 0;
      detail = ok
        ? r.tap
            .split("\n")
            .filter((l) => l.startsWith("not ok") || l.startsWith("#   "))
            .join(" ")
        : `exit ${r.status}, expected one failure matching ${c.failure}:\n${indent(r.tap)}`;
    } catch (e) {
      detail = e instanceof Error ? e.message : String(e);
    }
    say(`failing case ${c.check} (${c.how}): ${ok ? "fails as it must" : "WRONG"} (${minutes((Date.now() - started) / 1000)}): ${detail}`);
    results.push({ name: `check ${c.check} fails when ${c.how}`, passed: ok, detail });
  }
  figures.set("failing cases", (Date.now() - failingStarted) / 1000);
  booted.vm.stop();
  await booted.vm.exited;

  say("stage 10 (sign), stage 11 (hashdeep into the image tree)");
  await stage(w, "10-sign.sh", b.id);
  await stage(w, "11-hashdeep.sh", b.id);
  results.push(...(await checkPublished(w, b)));
  await stage(w, "14-cleanup.sh", b.id);
  return results;
}

/** What the seeds publish with every image is in the image tree, signed, and in the audited manifest. */
async function checkPublished(w: Work, b: Build): Promise<Result[]> {
  const published = path.join(w.images, IMAGE, b.id);
  const results: Result[] = [];
  const files = [`${IMAGE}.qcow2`, `${IMAGE}-config.tar.gz`, `${IMAGE}-test-results.tap`, `${IMAGE}.packages`, `${IMAGE}-build.log`];
  for (const file of files) {
    const full = path.join(published, file);
    const problems: string[] = [];
    if (!existsSync(full) || statSync(full).size === 0) problems.push("missing or empty");
    const verify = await run("gpg", ["--batch", "--homedir", w.verifyHome, "--verify", `${full}.asc`, full], { timeoutSeconds: 120 });
    if (verify.status !== 0) problems.push(`signature does not verify: ${tail(verify.output, 2)}`);
    results.push({ name: `published and signed: ${file}`, passed: problems.length === 0, detail: problems.join("; ") });
  }
  // DIB's dpkg manifest: {"packages": [{"package", "arch", "version", "status"}]}.
  let names: string[] = [];
  try {
    names = JSON.parse(readFileSync(path.join(published, `${IMAGE}.packages`), "utf8")).packages.map((p: { package: string }) =>
      p.package.replace(/:.*/, ""),
    );
  } catch {
    // reported below as missing packages
  }
  const wanted = ["openssh-server", "cloud-init", "linux-image-amd64", "grub-pc", "rng-tools5", "chrony", "ifupdown"].filter(
    (p) => !names.includes(p),
  );
  results.push({
    name: "the package list names the image's packages",
    passed: wanted.length === 0,
    detail: wanted.length ? `missing: ${wanted.join(" ")}` : "",
  });
  const log = readFileSync(path.join(published, `${IMAGE}-build.log`), "utf8");
  results.push({ name: "the build log is diskimage-builder's", passed: /diskimage-builder version/.test(log), detail: "" });
  const listing = (await mustRun("tar", ["-tzf", path.join(published, `${IMAGE}-config.tar.gz`)], { timeoutSeconds: 60 })).output;
  results.push({
    name: "the config tarball holds the definition",
    passed: listing.includes(`${IMAGE}/jobs/images/dib/debian-12/image.env`),
    detail: tail(listing, 3),
  });
  const audit = await run(
    "sh",
    [
      "-c",
      `cd "$1" && find . -type f ! -name "$2" -printf '%P\\n' | hashdeep -a -k "$2" -l -f /dev/stdin`,
      "sh",
      published,
      `${IMAGE}.hashdeep`,
    ],
    { timeoutSeconds: 300 },
  );
  results.push({
    name: "the hashdeep manifest audits the published tree",
    passed: audit.status === 0 && /Audit passed/.test(audit.output),
    detail: tail(audit.output, 3),
  });
  return results;
}

/** The broken variant fails the suite on its one check only. */
async function testBrokenImage(w: Work, b: Build, cpus: number): Promise<Result[]> {
  const booted = await boot(w, b, "broken", cpus);
  const s = await suite(w, b, booted, [], "suite");
  booted.vm.stop();
  await booted.vm.exited;
  const ok = s.status === 1 && s.failures.length === 1 && /^not ok \d+ - PermitRootLogin no$/.test(s.failures[0]);
  say(`broken image (no "PermitRootLogin no"): ${ok ? "fails on exactly that check" : "WRONG"} (${minutes(s.seconds)}):\n${indent(s.tap)}`);
  await stage(w, "14-cleanup.sh", b.id);
  return [
    { name: "the broken variant fails on PermitRootLogin only", passed: ok, detail: ok ? "" : s.failures.join("; ") || "the suite passed" },
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { "cache-dir": { type: "string" }, "keep-logs": { type: "string" } } });
  const problem = checkPrerequisites();
  if (problem) {
    process.stderr.write(`image test: ${problem}\n`);
    return 2;
  }
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), "factory-image-"));
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      await terminateAll(30_000);
      if (values["keep-logs"] && existsSync(path.join(dir, "logs"))) {
        mkdirSync(values["keep-logs"], { recursive: true });
        for (const f of readdirSync(path.join(dir, "logs"))) copyFileSync(path.join(dir, "logs", f), path.join(values["keep-logs"], f));
        for (const id of existsSync(path.join(dir, "builds")) ? readdirSync(path.join(dir, "builds")) : []) {
          const logs = path.join(dir, "builds", id, "logs");
          for (const f of existsSync(logs) ? readdirSync(logs) : [])
            copyFileSync(path.join(logs, f), path.join(values["keep-logs"], `${id}-stage-${f}`));
        }
        for (const vm of existsSync(path.join(dir, "vms")) ? readdirSync(path.join(dir, "vms")) : []) {
          const log = path.join(dir, "vms", vm, `${vm}-console.log`);
          if (existsSync(log)) copyFileSync(log, path.join(values["keep-logs"], `${vm}-console.log`));
        }
      }
      // gpg-agents detach from us: stop those of the build keyrings (stage 14 does on success) and of ours.
      const scratch = path.join(dir, "scratch");
      const homes = [
        path.join(dir, "keys", "gnupg-verify"),
        ...(existsSync(scratch) ? readdirSync(scratch).map((id) => path.join(scratch, id, "gnupg")) : []),
      ];
      for (const home of homes.filter((h) => existsSync(h))) spawnSync("gpgconf", ["--homedir", home, "--kill", "all"]);
      releaseWorkDir(dir, say);
    })());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`image test: ${signal}, cleaning up\n`);
      void cleanUp().then(() => process.exit(143));
    });
  }

  try {
    const mirror = configuredMirror();
    const logs = path.join(dir, "logs");
    mkdirSync(logs, { recursive: true });
    const repo = path.join(dir, "repo");
    await makeRepository(repo, mirror);
    const keys = await makeKeys(path.join(dir, "keys"));
    const iperfPort = await freePort();
    // The controller's iperf3 server (stage 1 finds it running and starts none of its own).
    void run("iperf3", ["--server", "--bind", "127.0.0.1", "--port", String(iperfPort)], {
      timeoutSeconds: 7200,
      logFile: path.join(logs, "iperf3-server.log"),
    });
    for (let i = 0; !(await listening(iperfPort)); i++) {
      if (i > 50) throw new Error(`iperf3 server on 127.0.0.1:${iperfPort} did not start`);
      await sleep(100);
    }
    const [builds, images, locals, scratch, tmp] = ["builds", "images", "local", "scratch", "tmp"].map((d) => path.join(dir, d));
    for (const d of [builds, images, locals, scratch, tmp]) mkdirSync(d, { recursive: true });
    const cacheDir = values["cache-dir"] ? path.resolve(values["cache-dir"]) : path.join(dir, "dib-cache");
    mkdirSync(cacheDir, { recursive: true });
    const w: Work = {
      dir,
      repo,
      logs,
      mirror,
      iperfPort,
      ...keys,
      builds,
      locals,
      images,
      env: toolEnv({
        FACTORY_ENV: "example",
        REPO_DIR: repo,
        FACTORY_BUILDS_ROOT: builds,
        FACTORY_IMAGES_ROOT: images,
        FACTORY_SCRATCH: scratch,
        // The controller's own per-build directories (default /var/lib/jenkins/factory-builds).
        FACTORY_LOCAL_ROOT: locals,
        // Stage 1 finds the test's iperf3 server there (on 5201 it started a daemon that outlived the test).
        FACTORY_IPERF3_PORT: String(iperfPort),
        // DIB's build and image directories, and its download cache, stay below the work directory.
        TMPDIR: tmp,
        DIB_IMAGE_CACHE: cacheDir,
      }),
    };
    say(`mirror ${mirror}; iperf3 server 127.0.0.1:${iperfPort}; work directory ${dir}`);

    const figures = new Map<string, number>();
    const good = await build(w, "imagetest-good");
    figures.set("build", good.seconds);
    // The broken variant builds while the good image is tested (one DIB and one VM at a time).
    const brokenBuild = build(w, "imagetest-broken", BROKEN_DEFINITION);
    const [goodResults, brokenResults] = await Promise.all([
      testGoodImage(w, good, 2, figures),
      brokenBuild.then((b) => {
        figures.set("build (broken variant, warm cache)", b.seconds);
        return testBrokenImage(w, b, 1);
      }),
    ]);
    const results = [...goodResults, ...brokenResults];
    const failed = results.filter((r) => !r.passed);
    for (const r of results) say(`${r.passed ? "PASS" : "FAIL"} ${r.name}${r.passed || !r.detail ? "" : `: ${r.detail}`}`);
    const figureLine = [...figures].map(([k, v]) => `${k} ${minutes(v)}`).join(", ");
    say(
      `figures: image ${(good.bytes / 1024 ** 2).toFixed(0)} MiB (qcow2, compressed; virtual ${good.virtualBytes / GIB} GiB), ${figureLine}, total ${minutes((Date.now() - started) / 1000)}`,
    );
    process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`image test: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

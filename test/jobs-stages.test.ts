// The 15 stage scripts of the image pipeline, run in order on one build, as Jenkins
// would: gpg, hashdeep, qemu-img and git for real; recording stand-ins only for what
// needs a cloud or a build host (openstack, terraform, ssh, the image tools, sudo, the
// publishing scripts), with their exact calls asserted.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseEnvironment } from "../config/load";
import { ROLES } from "../config/roles";
import { EXAMPLE, REPO, tempDir } from "./helpers";
import {
  StandIns,
  jobsRepository,
  readJson,
  run,
  runAsync,
  runProgram,
  runStage,
  scriptEnv,
  stageRoles,
  STAGES,
  exists,
} from "./jobs-support";

const AGENT_PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky jenkins@factory";
const IMAGE_UUID = "0f8e3c1a-5b7d-4e2f-9a6b-1c2d3e4f5a6b";

const root = tempDir("jobs-stages-");
const builds = path.join(root, "builds");
const locals = path.join(root, "local");
const images = path.join(root, "images");
const scratch = path.join(root, "scratch");
const gnupgTest = path.join(root, "gnupg-test");
const standIns = new StandIns(path.join(root, "standins"));
const repo = jobsRepository();
const pubKeyFile = path.join(root, "build-host.pub");
let buildId = "";
// When "Jenkins" started the main build (currentBuild.startTimeInMillis).
const buildStartedAt = Date.now();
// Set by stage 1; until then (a test run alone) under the temp root, never the working tree.
let buildDir = path.join(root, "before-stage-1");
let localDir = path.join(root, "before-stage-1-local");
let signingKeyFile = "";
let fingerprint = "";

function gpg(...args: string[]): string {
  const r = spawnSync("gpg", ["--batch", "--homedir", gnupgTest, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gpg ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The common inputs of every stage; `more` adds the stage's own. */
function env(more: Record<string, string> = {}): Record<string, string> {
  return {
    FACTORY_ENV: "example",
    FACTORY_REGION: "RegionOne",
    FACTORY_BUILDS_ROOT: builds,
    FACTORY_LOCAL_ROOT: locals,
    FACTORY_IMAGES_ROOT: images,
    FACTORY_SCRATCH: scratch,
    FACTORY_BUILD_ID: buildId,
    AGENT_PUBLIC_KEY_FILE: pubKeyFile,
    AGENT_KEY_FILE: pubKeyFile.replace(/\.pub$/, ""),
    REPO_DIR: repo.dir,
    ...more,
  };
}

const stage = (name: string) => path.join(STAGES, name);

beforeAll(() => {
  mkdirSync(builds, { recursive: true });
  writeFileSync(pubKeyFile, AGENT_PUB + "\n");
  // A throwaway signing key, exported as the admin would store it in Jenkins.
  mkdirSync(gnupgTest, { mode: 0o700 });
  gpg("--passphrase", "", "--quick-gen-key", "Factory Test <factory-test@example.com>", "ed25519", "sign", "1d");
  fingerprint = gpg("--with-colons", "--list-secret-keys")
    .split("\n")
    .find((l) => l.startsWith("fpr"))!
    .split(":")[9];
  signingKeyFile = path.join(root, "signing-key.asc");
  writeFileSync(signingKeyFile, gpg("--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", fingerprint));
  // Stand-ins show stage 1 starts iperf3 when none runs, whatever runs on this machine
  // (npm run test:image runs a real iperf3 server).
  standIns.add("iperf3");
  standIns.add("ss", "exit 0");
});

afterAll(() => {
  for (const home of [gnupgTest, path.join(scratch, buildId, "gnupg")]) {
    spawnSync("gpgconf", ["--kill", "all"], { env: { ...process.env, GNUPGHOME: home } });
  }
  rmSync(root, { recursive: true, force: true });
  rmSync(repo.dir, { recursive: true, force: true });
});

describe("stage 1: initialize", () => {
  test("rejects an image that is not in the catalogue, naming the file and the images it has", () => {
    const r = run(
      stage("01-initialize.sh"),
      [],
      env({ FACTORY_BUILD_ID: "", IMAGE: "Standard_Nope", JOB_NAME: "image-build", BUILD_NUMBER: "1" }),
      standIns.bin,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "environments/example.yaml: images: no image named 'Standard_Nope' (have: Standard_openSUSE_15.6, Standard_Debian_12)",
    );
  });

  test("rejects a template whose tooling does not build the image", () => {
    const r = run(
      stage("01-initialize.sh"),
      [],
      env({ FACTORY_BUILD_ID: "", IMAGE: "Standard_Debian_12", TEMPLATE: "kiwi", JOB_NAME: "image-build", BUILD_NUMBER: "2" }),
      standIns.bin,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("template 'kiwi' has tooling kiwi, image 'Standard_Debian_12' needs dib");
  });

  test("creates the build directory with the resolved catalogue entry, a repository snapshot, and starts iperf3", () => {
    const r = runStage(
      "01-initialize.sh",
      env({ FACTORY_BUILD_ID: "", IMAGE: "Standard_Debian_12", JOB_NAME: "image-Standard_Debian_12", BUILD_NUMBER: "7", PUBLISH: "false" }),
      standIns.bin,
    );
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    buildId = r.stdout.trim().split("\n").pop()!;
    expect(buildId).toMatch(/^\d{12}-image-standard-debian-12-7$/);
    buildDir = path.join(builds, buildId);
    localDir = path.join(locals, buildId);
    // The build-host template's own rule for build_id (jobs/build-hosts/example/dib).
    const template = readJson(path.join(REPO, "jobs", "build-hosts", "example", "dib", "cdk.tf.json"));
    const rule = /regex\(\\?"(.*?)\\?", var\.build_id\)/.exec(template.variable.build_id.validation[0].condition)![1];
    expect(buildId).toMatch(new RegExp(rule));

    const entry = readJson(path.join(buildDir, "entry.json"));
    // The defaults must be the schema's: compare with what zod makes of the same file.
    const zodEntry = parseEnvironment(EXAMPLE, readFileSync(EXAMPLE, "utf8")).env.images.find((i) => i.name === "Standard_Debian_12")!;
    const { factory, ...catalogue } = entry;
    expect(catalogue).toEqual({ ...zodEntry, regions: ["RegionTwo"] });
    expect(factory).toEqual({
      environment: "example",
      region: "RegionOne",
      maxInstances: 8,
      ttlHours: 24,
      templateFlavor: "m1.xlarge",
      imageRetentionMonths: 24,
      webBaseUrl: "http://images.example.com",
      webDomain: "images.example.com",
      mirrors: { debian: "", debianSecurity: "" },
    });

    expect(readFileSync(path.join(buildDir, "build.env"), "utf8")).toContain(`GIT_COMMIT=${repo.commit}\n`);
    // The snapshot the controller stages run, and the control files, are local, not on NFS.
    expect(exists(path.join(localDir, "repo", "jobs", "stages", "02-spawn-build-host.sh"))).toBe(true);
    expect(exists(path.join(buildDir, "repo"))).toBe(false);
    expect(readFileSync(path.join(localDir, "entry.json"), "utf8")).toBe(readFileSync(path.join(buildDir, "entry.json"), "utf8"));
    expect(readFileSync(path.join(localDir, "build.env"), "utf8")).toContain(`GIT_COMMIT=${repo.commit}\n`);
    expect(statSync(localDir).mode & 0o777).toBe(0o700);
    expect(statSync(buildDir).mode & 0o777).toBe(0o755);
    for (const d of ["output", "logs"]) expect(statSync(path.join(buildDir, d)).mode & 0o7777).toBe(0o1777);
    expect(standIns.argv("iperf3")).toEqual([["iperf3", "-s", "-D", "-p", "5201", "--logfile", path.join(locals, "iperf3.log")]]);
    expect(readFileSync(path.join(localDir, "logs", "01-initialize.log"), "utf8")).toContain(
      `build ${buildId}: image Standard_Debian_12, template dib`,
    );
  });
});

describe("stage 2: spawn build host", () => {
  const outputs = JSON.stringify({
    address: { sensitive: false, type: "string", value: "10.20.0.40" },
    server_id: { sensitive: false, type: "string", value: "6d1b0c9e-1111-2222-3333-444455556666" },
    name: { sensitive: false, type: "string", value: "example-build-x" },
  });
  const server = (env: string, role: string) => ({ Name: `${env}-${role}`, Properties: { factory: env, role } });

  function cloud(running: object[]) {
    writeFileSync(path.join(root, "servers.json"), JSON.stringify(running));
    standIns.add("openstack", `cat ${JSON.stringify(path.join(root, "servers.json"))}`);
    standIns.add("terraform", `if [ "$1" = output ]; then echo '${outputs}'; fi`);
    standIns.reset();
  }

  test("waits for no slot when maxInstances build hosts of this factory run, and creates nothing", () => {
    mkdirSync(path.join(localDir, "repo", "jobs", "build-hosts", "example", "dib"), { recursive: true });
    writeFileSync(path.join(localDir, "repo", "jobs", "build-hosts", "example", "dib", "cdk.tf.json"), '{"resource": {}}');
    const eight = Array.from({ length: 8 }, () => server("example", "build-host"));
    cloud([...eight, server("other", "build-host"), server("example", "image-test")]);
    const r = runStage("02-spawn-build-host.sh", env({ SPAWN_WAIT_MINUTES: "0" }), standIns.bin);
    expect(r.status).toBe(75); // "try again": the pipeline waits outside any executor
    expect(r.stderr).toContain("buildHosts.maxInstances (8) build hosts are running");
    expect(standIns.argv("terraform")).toEqual([]);
  });

  test("applies the committed template in the build's own state directory, with the agent key", () => {
    cloud([server("example", "build-host"), server("other", "build-host")]);
    const r = runStage("02-spawn-build-host.sh", env(), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("10.20.0.40");
    const tf = path.join(localDir, "terraform");
    expect(standIns.calls()).toEqual([
      { cwd: expect.any(String), argv: ["openstack", "server", "list", "--long", "-f", "json"] },
      { cwd: tf, argv: ["terraform", "init", "-input=false", "-no-color"] },
      {
        cwd: tf,
        argv: [
          "terraform",
          "apply",
          "-auto-approve",
          "-input=false",
          "-no-color",
          "-var",
          `build_id=${buildId}`,
          "-var",
          `agent_public_key=${AGENT_PUB}`,
          "-var",
          "keep=false",
        ],
      },
      { cwd: tf, argv: ["terraform", "output", "-json"] },
    ]);
    expect(readFileSync(path.join(tf, "cdk.tf.json"), "utf8")).toBe('{"resource": {}}');
    expect(readJson(path.join(localDir, "build-host.json")).address.value).toBe("10.20.0.40");
  });

  test("two builds racing for the last slot: the lock lets exactly one spawn (a kept one)", async () => {
    // Each apply "creates" a server that the next `server list` sees.
    const state = path.join(root, "race-servers");
    writeFileSync(state, "");
    const other = tempDir("jobs-race-");
    const sIns = new StandIns(other);
    sIns.add(
      "openstack",
      `python3 -c 'import json,sys; print(json.dumps([{"Name": "h", "Properties": {"factory": "example", "role": "build-host"}}] * (7 + len(open(sys.argv[1]).readlines()))))' ${state}`,
    );
    sIns.add("terraform", `if [ "$1" = apply ]; then sleep 0.3; echo x >> ${state}; fi; if [ "$1" = output ]; then echo '${outputs}'; fi`);
    const ids = ["race-a", "race-b"];
    for (const id of ids) {
      mkdirSync(path.join(builds, id), { recursive: true });
      mkdirSync(path.join(locals, id), { recursive: true });
      writeFileSync(path.join(locals, id, "entry.json"), readFileSync(path.join(localDir, "entry.json")));
    }
    const results = await Promise.all(
      ids.map((id) =>
        runAsync(
          stage("02-spawn-build-host.sh"),
          [],
          env({ FACTORY_BUILD_ID: id, FACTORY_REPO: path.join(localDir, "repo"), SPAWN_WAIT_MINUTES: "0", KEEP_BUILD_HOST: "true" }),
          sIns.bin,
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([0, 75]);
    const applies = sIns.argv("terraform").filter((a) => a[1] === "apply");
    expect(applies).toHaveLength(1);
    expect(applies[0].slice(-2)).toEqual(["-var", "keep=true"]); // a kept host says so in its metadata
    rmSync(other, { recursive: true, force: true });
  });
});

describe("stage 3: add Jenkins agent", () => {
  // A console log as Nova returns it: kernel and cloud-init lines around the blocks that
  // cloud-init's write-ssh-key-fingerprints prints (the keys block is the .pub files).
  const consoleLog = (keys: string) =>
    [
      "[    0.000000] Linux version 6.1.0-28-cloud-amd64",
      "<14>Dec  1 09:00:01 cloud-init: #############################################################",
      "<14>Dec  1 09:00:01 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
      "<14>Dec  1 09:00:01 cloud-init: 256 SHA256:abc root@example-build-x (ED25519)",
      "<14>Dec  1 09:00:01 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----",
      "-----BEGIN SSH HOST KEY KEYS-----",
      "ecdsa-sha2-nistp256 AAAAECDSAKEY root@example-build-x\r",
      `${keys} root@example-build-x\r`,
      "-----END SSH HOST KEY KEYS-----",
      // Whatever the host prints later (a fake block) does not count: the first block does.
      "-----BEGIN SSH HOST KEY KEYS-----",
      "ssh-ed25519 AAAAFAKE root@evil",
      "-----END SSH HOST KEY KEYS-----",
      "Cloud-init v. 22.4.2 finished",
    ].join("\n");

  test("pins the host key from the server's console log (no ssh-keyscan), and waits for the first boot before Jenkins connects", () => {
    standIns.reset();
    writeFileSync(path.join(root, "console.log"), consoleLog("ssh-ed25519 AAAAHOSTKEY"));
    standIns.add("openstack", `cat ${JSON.stringify(path.join(root, "console.log"))}`);
    standIns.add("ssh-keyscan", "echo 10.20.0.40 ssh-ed25519 AAAAWHOEVERANSWERS");
    standIns.add("ssh");
    const r = runStage("03-add-agent.sh", env(), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`10.20.0.40 ssh-ed25519 AAAAHOSTKEY ${ROLES.buildHost.paths.agentDir}`);
    expect(standIns.argv("openstack")).toEqual([["openstack", "console", "log", "show", "6d1b0c9e-1111-2222-3333-444455556666"]]);
    expect(standIns.argv("ssh-keyscan")).toEqual([]);
    expect(readFileSync(path.join(localDir, "known_hosts"), "utf8")).toBe("10.20.0.40 ssh-ed25519 AAAAHOSTKEY\n");
    const options = [
      "-i",
      pubKeyFile.replace(/\.pub$/, ""),
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${path.join(localDir, "known_hosts")}`,
      "-o",
      "ConnectTimeout=10",
    ];
    expect(standIns.argv("ssh")).toEqual([
      ["ssh", ...options, "agent@10.20.0.40", "true"],
      ["ssh", ...options, "agent@10.20.0.40", "cloud-init", "status", "--wait"],
      ["ssh", ...options, "agent@10.20.0.40", "java", "-version"],
    ]);
  });
});

describe("stage 4: git checkout & check", () => {
  test("refuses a checkout at another commit than the build's", () => {
    const clone = tempDir("jobs-clone-");
    spawnSync("git", ["clone", "-q", repo.dir, clone]);
    writeFileSync(path.join(clone, "later.txt"), "a later change\n");
    spawnSync("git", ["-C", clone, "add", "later.txt"]);
    spawnSync("git", ["-C", clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "later"]);
    const r = run(stage("04-git-check.sh"), [], env({ REPO_DIR: clone }));
    rmSync(clone, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`checkout is at [0-9a-f]{40}, the build started at ${repo.commit}`));
  });

  test("records the definition's tree, and stops with 3 when unchanged and SKIP_UNCHANGED is set", () => {
    const r = runStage("04-git-check.sh", env());
    expect(r.status).toBe(0);
    const tree = repo.git("rev-parse", "HEAD:jobs/images/dib/debian-12");
    expect(readFileSync(path.join(buildDir, "output", "definition.tree"), "utf8").trim()).toBe(tree);

    // A previous build of the same definition in the image tree.
    const previous = path.join(images, "Standard_Debian_12", "20260101000000-image-standard-debian-12-1");
    mkdirSync(previous, { recursive: true });
    writeFileSync(path.join(previous, "definition.tree"), tree + "\n");
    const buildEnv = path.join(buildDir, "build.env");
    const original = readFileSync(buildEnv, "utf8");
    writeFileSync(buildEnv, original + "SKIP_UNCHANGED=true\n");
    const skipped = run(stage("04-git-check.sh"), [], env());
    expect(skipped.status).toBe(3);
    expect(skipped.stderr).toContain("is unchanged since build 20260101000000-image-standard-debian-12-1");
    writeFileSync(buildEnv, original);
    rmSync(path.join(images, "Standard_Debian_12"), { recursive: true });
  });
});

describe("stage 5: configure agent", () => {
  test("installs diskimage-builder with apt on a Debian build host", () => {
    standIns.reset();
    standIns.add("sudo");
    const osRelease = path.join(root, "os-release-debian");
    writeFileSync(osRelease, 'ID=debian\nVERSION_ID="12"\n');
    const r = runStage("05-configure-agent.sh", env({ OS_RELEASE: osRelease }), standIns.bin);
    expect(r.status).toBe(0);
    expect(standIns.argv("sudo")).toEqual([
      ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update", "-q"],
      [
        "sudo",
        "-n",
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "python3-diskimage-builder",
        "debootstrap",
        "kpartx",
        "dosfstools",
        "qemu-utils",
        "gnupg",
        "hashdeep",
        "git",
        "rsync",
      ],
    ]);
  });

  test("refuses a build host of an unknown distribution", () => {
    const osRelease = path.join(root, "os-release-other");
    writeFileSync(osRelease, "ID=plan9\n");
    const r = run(stage("05-configure-agent.sh"), [], env({ OS_RELEASE: osRelease }), standIns.bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("neither SUSE nor Debian family");
  });
});

describe("stage 6: prepare & import GPG key", () => {
  test("writes the reproducible config tarball and a private keyring, and no META.json", () => {
    const r = runStage("06-prepare.sh", env({ GPG_KEY_FILE: signingKeyFile }));
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    // What Glance is told is the controller's own, written in stage 8: never a file on NFS.
    expect(exists(path.join(buildDir, "META.json"))).toBe(false);
    const tarball = path.join(buildDir, "output", "Standard_Debian_12-config.tar.gz");
    const listing = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout;
    expect(listing).toContain("Standard_Debian_12/jobs/images/dib/debian-12/image.env");
    expect(listing).toContain("Standard_Debian_12/jobs/images/dib/debian-12/elements/factory-hardening/install.d/50-factory-hardening");
    expect(listing).not.toContain("kiwi");
    expect(readFileSync(path.join(buildDir, "signing-key.fpr"), "utf8").trim()).toBe(fingerprint);
    expect(exists(path.join(scratch, buildId, "gnupg"))).toBe(true);
    expect(exists(path.join(buildDir, "gnupg"))).toBe(false); // never on NFS
  });
});

/** sudo as on a build host whose kernel has device-mapper: `dmsetup version` answers. */
function sudoWithDeviceMapper(): void {
  standIns.add("sudo", 'shift; case "$1" in dmsetup) exit 0 ;; *) exec "$@" ;; esac');
}

describe("stage 7: build image", () => {
  // Writes what DIB writes: the image (qcow2, or raw with -t raw), its dpkg manifest, the log.
  const dibStandIn = (size: string) =>
    standIns.add(
      "disk-image-create",
      `out="" log="" type=""; while [ $# -gt 0 ]; do case "$1" in -o) out="$2" ;; --logfile) log="$2" ;; -t) type="$2" ;; esac; shift; done
mkdir -p "$out.d/dib-manifests"; qemu-img create -q -f "$type" "$out.$type" ${size}
printf 'openssh-server 1:9.2p1-2+deb12u5\ncloud-init 22.4.2-1+deb12u1\n' > "$out.d/dib-manifests/dib-manifest-dpkg-$(basename "$out")"
echo "diskimage-builder version 3.13.0" > "$log"`,
    );

  test("rejects an image larger than minDiskGb", () => {
    standIns.reset();
    dibStandIn("5G");
    sudoWithDeviceMapper();
    const r = run(stage("07-build-image.sh"), [], env(), standIns.bin);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("more than minDiskGb (4 GiB)");
  });

  test("runs disk-image-create with the definition's elements and leaves a checked qcow2", () => {
    standIns.reset();
    dibStandIn("1G");
    sudoWithDeviceMapper();
    const r = runStage("07-build-image.sh", env(), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const work = path.join(scratch, buildId, "build", "dib", "Standard_Debian_12");
    expect(standIns.argv("disk-image-create")).toEqual([
      [
        "disk-image-create",
        "-a",
        "amd64",
        "-t",
        "qcow2",
        "--image-size",
        "4",
        "-o",
        work,
        "--logfile",
        path.join(buildDir, "logs", "dib.log"),
        "debian",
        "vm",
        "cloud-init-datasources",
        "growroot",
        "factory-hardening",
      ],
    ]);
    // The tools run as root; the agent takes the results over.
    expect(standIns.argv("sudo")).toEqual([
      ["sudo", "-n", "dmsetup", "version"],
      ["sudo", "-n", "chown", "-R", `${process.getuid!()}:${process.getgid!()}`, path.join(scratch, buildId, "build")],
    ]);
    const info = JSON.parse(
      spawnSync("qemu-img", ["info", "--output=json", path.join(buildDir, "output", "Standard_Debian_12.qcow2")], { encoding: "utf8" })
        .stdout,
    );
    expect(info.format).toBe("qcow2");
    expect(info["virtual-size"]).toBe(1024 ** 3);
    // Published with the image: DIB's package manifest and its log.
    expect(readFileSync(path.join(buildDir, "output", "Standard_Debian_12.packages"), "utf8")).toMatch(/^openssh-server /m);
    expect(readFileSync(path.join(buildDir, "output", "Standard_Debian_12-build.log"), "utf8")).toContain("diskimage-builder version");
  });

  test("without device-mapper: DIB builds the root filesystem, bootable-disk.sh partitions it", () => {
    standIns.reset();
    dibStandIn("1G");
    // As on this machine: dmsetup finds no device-mapper driver in the kernel.
    standIns.add(
      "sudo",
      'shift; case "$(basename "$1")" in dmsetup) exit 1 ;; bootable-disk.sh) truncate -s "$4" "$3" ;; *) exec "$@" ;; esac',
    );
    const r = run(stage("07-build-image.sh"), [], env(), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const work = path.join(scratch, buildId, "build", "dib", "Standard_Debian_12");
    const [dib] = standIns.calls("disk-image-create");
    expect(dib.argv.slice(0, 7)).toEqual(["disk-image-create", "-a", "amd64", "-t", "raw", "--image-size", "3.9990234375"]);
    expect(standIns.argv("sudo")[1]).toEqual([
      "sudo",
      "-n",
      path.join(STAGES, "bootable-disk.sh"),
      `${work}.raw`,
      `${work}.disk`,
      String(4 * 1024 ** 3),
    ]);
    const info = JSON.parse(
      spawnSync("qemu-img", ["info", "--output=json", path.join(buildDir, "output", "Standard_Debian_12.qcow2")], { encoding: "utf8" })
        .stdout,
    );
    expect(info["virtual-size"]).toBe(4 * 1024 ** 3);
    expect(readdirSync(path.join(scratch, buildId, "build", "dib")).sort()).toEqual(["Standard_Debian_12.d", "Standard_Debian_12.qcow2"]);
  });

  test("builds a KIWI description with kiwi-ng as root", () => {
    const kiwiBuild = "kiwi-build";
    const kiwiDir = path.join(builds, kiwiBuild);
    mkdirSync(kiwiDir, { recursive: true });
    writeFileSync(
      path.join(kiwiDir, "entry.json"),
      JSON.stringify({
        ...readJson(path.join(buildDir, "entry.json")),
        name: "Standard_openSUSE_15.6",
        tooling: "kiwi",
        definition: "jobs/images/kiwi/opensuse-leap-15.6",
        template: "kiwi",
      }),
    );
    standIns.reset();
    standIns.add("sudo", 'shift; exec "$@"');
    standIns.add(
      "kiwi-ng",
      'out="" log=""; while [ $# -gt 0 ]; do case "$1" in --target-dir) out="$2" ;; --logfile) log="$2" ;; esac; shift; done; mkdir -p "$out"; echo "KIWI (next generation) version 9.24.56" > "$log"; qemu-img create -q -f qcow2 "$out/Standard_openSUSE_15.6.x86_64-15.6.0.qcow2" 2G; echo "kernel-default|6.4" > "$out/Standard_openSUSE_15.6.x86_64-15.6.0.packages"',
    );
    const r = run(stage("07-build-image.sh"), [], env({ FACTORY_BUILD_ID: kiwiBuild }), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    expect(standIns.argv("kiwi-ng")).toEqual([
      [
        "kiwi-ng",
        "--logfile",
        path.join(kiwiDir, "logs", "kiwi.log"),
        "system",
        "build",
        "--description",
        path.join(repo.dir, "jobs/images/kiwi/opensuse-leap-15.6"),
        "--target-dir",
        path.join(scratch, kiwiBuild, "build", "kiwi"),
      ],
    ]);
    expect(readdirSync(path.join(kiwiDir, "output")).sort()).toEqual([
      "Standard_openSUSE_15.6-build.log",
      "Standard_openSUSE_15.6.packages",
      "Standard_openSUSE_15.6.qcow2",
    ]);
  });
});

describe("stages 8, 12, 13: the publishing scripts' wrappers", () => {
  const publish = () => path.join(localDir, "repo", "jobs", "publish");

  test("stage 8 registers the image and keeps its UUID", () => {
    standIns.reset();
    standIns.add("register.sh", `echo "uploading..." >&2; echo ${IMAGE_UUID}`, publish());
    const r = runStage("08-register.sh", env(), standIns.bin);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(IMAGE_UUID);
    expect(standIns.argv()).toEqual([
      [
        "register.sh",
        "--image",
        path.join(buildDir, "output", "Standard_Debian_12.qcow2"),
        "--name",
        "Standard_Debian_12",
        "--build-id",
        buildId,
        "--region",
        "RegionOne",
        "--meta",
        path.join(localDir, "META.json"),
      ],
    ]);
    expect(readFileSync(path.join(localDir, "image-id"), "utf8").trim()).toBe(IMAGE_UUID);
    // META.json, the controller's own (from its entry.json and build.env).
    const base = `http://images.example.com/Standard_Debian_12/${buildId}`;
    expect(readJson(path.join(localDir, "META.json"))).toEqual({
      name: "Standard_Debian_12",
      definition: "jobs/images/dib/debian-12",
      tooling: "dib",
      minDiskGb: 4,
      minRamMb: 1024,
      visibility: "private",
      os: { distro: "debian", version: "12", architecture: "x86_64" },
      regions: ["RegionTwo"],
      guestAgent: false,
      diskBus: "virtio",
      vifModel: "virtio",
      loginUser: "linux",
      purpose: "generic",
      replaceFrequency: "monthly",
      providedUntil: "notice",
      hypervisorType: "qemu",
      rngModel: "virtio",
      buildId,
      gitCommit: repo.commit,
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      signatureUrl: `${base}/Standard_Debian_12.qcow2.asc`,
      hashListUrl: `${base}/Standard_Debian_12.hashdeep`,
      imageSource: `${base}/Standard_Debian_12.qcow2`,
      imageDescription: `${base}/`,
      uuidValidity: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  test("stage 8 fails when register.sh prints no UUID", () => {
    standIns.add("register.sh", "echo oops", publish());
    const bad = run(stage("08-register.sh"), [], env({ FACTORY_BUILD_DIR: buildDir }), standIns.bin);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("register.sh printed 'oops', not an image UUID");
    writeFileSync(path.join(localDir, "image-id"), IMAGE_UUID + "\n");
  });

  test("stage 13 without PUBLISH writes the publish request only", () => {
    standIns.reset();
    standIns.add("publish.sh", "", publish());
    const r = run(stage("13-publish-request.sh"), [], env({ PUBLISH: "false", BUILD_USER_ID: "alice" }), standIns.bin);
    expect(r.status).toBe(0);
    expect(standIns.argv()).toEqual([]);
    expect(readJson(path.join(buildDir, "publish-request.json"))).toEqual({
      name: "Standard_Debian_12",
      buildId,
      imageId: IMAGE_UUID,
      regions: ["RegionOne", "RegionTwo"],
      requestedBy: "alice",
      status: "requested",
    });
  });

  test("stage 13 with PUBLISH=true publishes in the own region and the upload regions", () => {
    standIns.reset();
    const r = runStage("13-publish-request.sh", env({ PUBLISH: "true" }), standIns.bin);
    expect(r.status).toBe(0);
    expect(standIns.argv()).toEqual([
      ["publish.sh", "--name", "Standard_Debian_12", "--build-id", buildId, "--regions", "RegionOne RegionTwo", "--retention-months", "24"],
    ]);
    expect(readJson(path.join(buildDir, "publish-request.json")).status).toBe("published");
  });
});

describe("stage 9: perform tests", () => {
  const serverName = () => `example-test-${buildId}`;

  function testCloud(suite: string) {
    standIns.reset();
    // A dual-stack address list (the local cloud's networks are IPv4 only): the suite gets the IPv4 one.
    standIns.add(
      "openstack",
      `if [ "$1 $2" = "server show" ]; then echo '{"id": "s1", "status": "ACTIVE", "addresses": {"example-net": ["fd00::5", "10.20.0.77"]}}'; fi`,
    );
    standIns.add("run.sh", suite, path.join(localDir, "repo", "jobs", "image-tests"));
  }

  test("boots the image with the build-host network and group, runs the suite, and deletes the server", () => {
    testCloud('echo "ok 1 - key login as linux"; echo "1..1"');
    const r = runStage("09-test-image.sh", env({ IPERF3_SERVER: "10.20.0.5" }), standIns.bin);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const name = serverName();
    const calls = standIns.argv();
    expect(calls[0]).toEqual(["openstack", "keypair", "create", "--public-key", pubKeyFile, name]);
    expect(calls[1]).toEqual([
      "openstack",
      "server",
      "create",
      "--wait",
      "-f",
      "json",
      "--image",
      IMAGE_UUID,
      "--flavor",
      "m1.xlarge",
      "--network",
      "example-net",
      "--security-group",
      "example-build-host",
      "--key-name",
      name,
      "--property",
      "factory=example",
      "--property",
      "role=image-test",
      "--property",
      `build-id=${buildId}`,
      "--property",
      expect.stringMatching(/^expires-at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      "--property",
      "keep=false",
      name,
    ]);
    expect(calls[2]).toEqual(["openstack", "server", "show", name, "-f", "json"]);
    // The network test runs against the controller's iperf3 server (stage 1).
    expect(calls[3]).toEqual([
      "run.sh",
      "--host",
      "10.20.0.77",
      "--user",
      "linux",
      "--key",
      pubKeyFile.replace(/\.pub$/, ""),
      "--wait",
      "600",
      "--iperf3",
      "10.20.0.5",
      "--min-mbits",
      "100",
    ]);
    expect(calls.slice(4)).toEqual([
      ["openstack", "server", "delete", "--wait", name],
      ["openstack", "keypair", "delete", name],
    ]);
    expect(readFileSync(path.join(buildDir, "output", "Standard_Debian_12-test-results.tap"), "utf8")).toBe(
      "ok 1 - key login as linux\n1..1\n",
    );
  });

  test("a failing suite fails the stage, and the test server is still deleted", () => {
    testCloud('echo "not ok 1 - PermitRootLogin no"; exit 1');
    const r = run(stage("09-test-image.sh"), [], env(), standIns.bin);
    expect(r.status).not.toBe(0);
    expect(standIns.argv().slice(-2)).toEqual([
      ["openstack", "server", "delete", "--wait", serverName()],
      ["openstack", "keypair", "delete", serverName()],
    ]);
    // The passing results again, for the stages after (and the build's record).
    for (const dir of [path.join(buildDir, "output"), localDir])
      writeFileSync(path.join(dir, "Standard_Debian_12-test-results.tap"), "ok 1 - key login as linux\n1..1\n");
  });
});

describe("stages 10 and 11: sign and hashdeep", () => {
  test("stage 10 writes detached signatures that verify with the public key, and not for altered files", () => {
    const r = runStage("10-sign.sh", env());
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const out = path.join(buildDir, "output");
    for (const file of [
      "Standard_Debian_12.qcow2",
      "Standard_Debian_12-config.tar.gz",
      "Standard_Debian_12-test-results.tap",
      "Standard_Debian_12.packages",
      "Standard_Debian_12-build.log",
    ]) {
      expect(readFileSync(path.join(out, `${file}.asc`), "utf8")).toContain("-----BEGIN PGP SIGNATURE-----");
      expect(
        spawnSync("gpg", ["--batch", "--homedir", gnupgTest, "--verify", path.join(out, `${file}.asc`), path.join(out, file)]).status,
      ).toBe(0);
    }
    const altered = path.join(root, "altered.tap");
    writeFileSync(altered, "ok 1 - everything\n");
    expect(
      spawnSync("gpg", ["--batch", "--homedir", gnupgTest, "--verify", path.join(out, "Standard_Debian_12-test-results.tap.asc"), altered])
        .status,
    ).not.toBe(0);
  });

  test("stage 11 writes a hashdeep manifest of the output and publishes an audited copy into the image tree", () => {
    const r = runStage("11-hashdeep.sh", env());
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const published = path.join(images, "Standard_Debian_12", buildId);
    const manifest = readFileSync(path.join(published, "Standard_Debian_12.hashdeep"), "utf8");
    expect(manifest).toMatch(/^%%%% HASHDEEP-1\.0\n%%%% size,md5,sha256,filename\n/);
    const listed = manifest
      .split("\n")
      .filter((l) => /^\d+,/.test(l))
      .map((l) => l.split(",").pop())
      .sort();
    expect(listed).toEqual([
      "Standard_Debian_12-build.log",
      "Standard_Debian_12-build.log.asc",
      "Standard_Debian_12-config.tar.gz",
      "Standard_Debian_12-config.tar.gz.asc",
      "Standard_Debian_12-test-results.tap",
      "Standard_Debian_12-test-results.tap.asc",
      "Standard_Debian_12.packages",
      "Standard_Debian_12.packages.asc",
      "Standard_Debian_12.qcow2",
      "Standard_Debian_12.qcow2.asc",
      "definition.tree",
      "signing-key.asc",
    ]);
    // An independent audit of the published copy with hashdeep itself.
    const audit = spawnSync("bash", ["-c", `cd ${published} && hashdeep -a -l -k Standard_Debian_12.hashdeep ${listed.join(" ")}`], {
      encoding: "utf8",
    });
    expect(audit.stdout).toContain("Audit passed");
    writeFileSync(path.join(published, "definition.tree"), "tampered\n");
    const failed = spawnSync("bash", ["-c", `cd ${published} && hashdeep -a -l -k Standard_Debian_12.hashdeep ${listed.join(" ")}`], {
      encoding: "utf8",
    });
    expect(failed.stdout).toContain("Audit failed");
  });

  test("stage 12 uploads the published image to the other regions", () => {
    standIns.reset();
    standIns.add("upload-regions.sh", "", path.join(localDir, "repo", "jobs", "publish"));
    const r = runStage("12-upload-regions.sh", env(), standIns.bin);
    expect(r.status).toBe(0);
    expect(standIns.argv()).toEqual([
      [
        "upload-regions.sh",
        "--image",
        path.join(images, "Standard_Debian_12", buildId, "Standard_Debian_12.qcow2"),
        "--name",
        "Standard_Debian_12",
        "--build-id",
        buildId,
        "--regions",
        "RegionTwo",
        "--meta",
        path.join(localDir, "META.json"),
      ],
    ]);
  });
});

test("the real publishing scripts (jobs/publish) accept the wrappers' arguments", () => {
  // Their own tests cover what they do; here only that the calling convention holds: with
  // a cloud that refuses every call they fail at the cloud (1), not at their usage (2).
  const publish = path.join(localDir, "repo", "jobs", "publish");
  const snapshot = path.join(root, "publish-snapshot");
  rmSync(snapshot, { recursive: true, force: true });
  spawnSync("cp", ["-R", publish, snapshot]);
  rmSync(publish, { recursive: true });
  spawnSync("cp", ["-R", path.join(repo.dir, "jobs", "publish"), publish]);
  // A refused publication rewrites the build's request ("requested" again): kept for the record's test.
  const requests = [localDir, buildDir].map((d) => path.join(d, "publish-request.json"));
  const published = requests.map((f) => readFileSync(f));
  const refusing = new StandIns(path.join(root, "refusing"));
  refusing.add("openstack", 'echo "The request you have made requires authentication. (HTTP 401)" >&2; exit 1');
  for (const [script, more] of [
    ["08-register.sh", {}],
    ["12-upload-regions.sh", {}],
    ["13-publish-request.sh", { PUBLISH: "true" }],
  ] as const) {
    const r = run(stage(script), [], env(more), refusing.bin);
    expect([script, r.stderr]).not.toEqual([script, expect.stringMatching(/usage:/)]);
    expect([script, r.status]).toEqual([script, 1]);
    expect([script, refusing.argv("openstack").length > 0]).toEqual([script, true]);
    refusing.reset();
  }
  expect(readJson(requests[0]).status).toBe("requested");
  requests.forEach((f, i) => writeFileSync(f, published[i]));
  rmSync(publish, { recursive: true });
  spawnSync("cp", ["-R", snapshot, publish]);
});

describe("stages 14 and 15: clean up and destroy", () => {
  test("stage 14 removes the local working space and the signing keyring", () => {
    const r = runStage("14-cleanup.sh", env());
    expect(r.status).toBe(0);
    expect(exists(path.join(scratch, buildId))).toBe(false);
    expect(run(stage("14-cleanup.sh"), [], env()).status).toBe(0); // again, after a failure
  });

  test("stage 15 destroys through the build's Terraform state, and keeps a kept host", () => {
    standIns.reset();
    standIns.add("terraform");
    const kept = run(stage("15-destroy-build-host.sh"), [], env({ KEEP_BUILD_HOST: "true" }), standIns.bin);
    expect(kept.status).toBe(0);
    expect(standIns.argv()).toEqual([]); // no state yet: nothing to destroy either
    writeFileSync(path.join(localDir, "terraform", "terraform.tfstate"), "{}");
    expect(run(stage("15-destroy-build-host.sh"), [], env({ KEEP_BUILD_HOST: "true" }), standIns.bin).stderr).toContain(
      "KEEP_BUILD_HOST=true: keeping example-build-",
    );
    expect(standIns.argv()).toEqual([]);
    // While a spawn or the reaper holds the build-host lock, no destroy (they share the provider cache).
    const lock = path.join(root, "build-hosts-held.lock");
    writeFileSync(lock, "");
    const held = runProgram(
      "flock",
      [lock, "bash", stage("15-destroy-build-host.sh")],
      env({ KEEP_BUILD_HOST: "false", BUILD_HOST_LOCK: lock, BUILD_HOST_LOCK_WAIT: "1" }),
      standIns.bin,
    );
    expect(held.status).toBe(1);
    expect(held.stderr).toContain(`the build-host lock ${lock} stayed busy (a spawn, or the reaper)`);
    expect(standIns.argv()).toEqual([]);
    const r = runStage("15-destroy-build-host.sh", env({ KEEP_BUILD_HOST: "false" }), standIns.bin);
    expect(r.status).toBe(0);
    expect(standIns.calls()).toEqual([
      {
        cwd: path.join(localDir, "terraform"),
        argv: [
          "terraform",
          "destroy",
          "-auto-approve",
          "-input=false",
          "-no-color",
          "-var",
          `build_id=${buildId}`,
          "-var",
          `agent_public_key=${AGENT_PUB}`,
          "-var",
          "keep=false",
        ],
      },
    ]);
  });
});

test("bootable-disk.sh refuses bad usage and a filesystem larger than the disk, leaving nothing", () => {
  const script = path.join(STAGES, "bootable-disk.sh");
  expect(run(script, [], {}).status).toBe(2);
  const dir = tempDir("jobs-disk-");
  const fs = path.join(dir, "root.raw");
  writeFileSync(fs, Buffer.alloc(4 * 1024 * 1024));
  const r = run(script, [fs, path.join(dir, "disk.raw"), String(4 * 1024 * 1024)], {});
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("a 4194304-byte filesystem does not fit a 4194304-byte disk");
  expect(readdirSync(dir)).toEqual(["root.raw"]);
  rmSync(dir, { recursive: true, force: true });
});

test("every stage script says what it needs when run without its inputs", () => {
  for (const script of readdirSync(STAGES).filter((f) => /^\d\d-.*\.sh$/.test(f))) {
    const r = run(stage(script), [], { FACTORY_BUILDS_ROOT: builds });
    expect([script, r.status]).toEqual([script, 1]);
    expect(r.stderr).toMatch(/is not set \(see the header of|does not exist/);
  }
});

describe("the build's record (jobs/stats), written by the pipeline whatever the result", () => {
  const stats = (script: string) => path.join(REPO, "jobs", "stats", script);
  const recordsOf = (image: string) =>
    readFileSync(path.join(builds, "stats", `${image}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  const recordOf = (id: string) => recordsOf("Standard_Debian_12").filter((r) => r.buildId === id);
  /** post { always } of the Jenkinsfile: the record, then the mail made from it. */
  function finish(id: string, result: string, number: number, startedAt: number) {
    const more = { FACTORY_BUILD_ID: id };
    const r = runProgram(
      stats("record.py"),
      [
        "build",
        "--result",
        result,
        "--job",
        "image-Standard_Debian_12",
        "--number",
        String(number),
        "--requester",
        "alice",
        "--started-at",
        String(startedAt),
      ],
      env(more),
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining(`record.py: Standard_Debian_12 ${id}: ${result.toLowerCase()}`),
    });
    const mail = runProgram(
      stats("mail.py"),
      ["--console", `http://localhost:8080/job/image-Standard_Debian_12/${number}/console`],
      env(more),
    );
    expect(mail.stderr).toBe("");
    expect(mail.status).toBe(0);
    const [record] = recordOf(id);
    expect(readJson(path.join(locals, id, "record.json"))).toEqual(record);
    if (process.env.SHOW_MAIL) console.log(mail.stdout);
    return { record, mail: mail.stdout };
  }
  /** A new build's stage 1, through the wrapper as the pipeline runs it. */
  function newBuild(number: number): string {
    const r = runStage(
      "01-initialize.sh",
      env({ FACTORY_BUILD_ID: "", IMAGE: "Standard_Debian_12", JOB_NAME: "image-Standard_Debian_12", BUILD_NUMBER: String(number) }),
      standIns.bin,
    );
    expect(r.status).toBe(0);
    return r.stdout.trim().split("\n").pop()!;
  }
  const post = (id: string) => {
    expect(runStage("14-cleanup.sh", env({ FACTORY_BUILD_ID: id })).status).toBe(0);
    expect(runStage("15-destroy-build-host.sh", env({ FACTORY_BUILD_ID: id }), standIns.bin).status).toBe(0);
  };

  test("a successful build: every run of a stage the wrapper saw, on its side, with sizes, checks and the publication", () => {
    const { record, mail } = finish(buildId, "SUCCESS", 7, buildStartedAt);
    // The order the tests above ran them in; stage 2 first found no free build host.
    expect(record.stages.map((s: any) => [s.stage, s.result, s.exitCode])).toEqual([
      ["01-initialize", "success", 0],
      ["02-spawn-build-host", "waiting", 75],
      ["02-spawn-build-host", "success", 0],
      ["03-add-agent", "success", 0],
      ["04-git-check", "success", 0],
      ["05-configure-agent", "success", 0],
      ["06-prepare", "success", 0],
      ["07-build-image", "success", 0],
      ["08-register", "success", 0],
      ["13-publish-request", "success", 0],
      ["09-test-image", "success", 0],
      ["10-sign", "success", 0],
      ["11-hashdeep", "success", 0],
      ["12-upload-regions", "success", 0],
      ["14-cleanup", "success", 0],
      ["15-destroy-build-host", "success", 0],
    ]);
    const roles = stageRoles();
    for (const s of record.stages) {
      expect([s.stage, s.host]).toEqual([s.stage, roles.get(`${s.stage}.sh`)]);
      expect(Date.parse(s.endedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    }
    // The controller's events are its own; the build host's are on NFS, beside its logs.
    expect(readFileSync(path.join(localDir, "stages.jsonl"), "utf8")).toContain('"stage": "08-register"');
    expect(readFileSync(path.join(buildDir, "logs", "stages.jsonl"), "utf8")).toContain('"stage": "07-build-image"');
    expect(readFileSync(path.join(buildDir, "logs", "stages.jsonl"), "utf8")).not.toContain("08-register");
    const qcow2 = path.join(buildDir, "output", "Standard_Debian_12.qcow2");
    expect(record).toMatchObject({
      version: 1,
      image: "Standard_Debian_12",
      buildId,
      jenkins: { job: "image-Standard_Debian_12", number: 7 },
      environment: "example",
      commit: repo.commit,
      template: "dib",
      requester: "alice",
      result: "success",
      failedStage: null,
      startedAt: new Date(buildStartedAt).toISOString(),
      // What stage 7 measured of the image it left last (the no-device-mapper case: 4 GiB).
      size: { virtualBytes: 4 * 1024 ** 3, diskBytes: statSync(qcow2).size },
      tests: { passed: ["key login as linux"], failed: [], skipped: [] },
      published: true,
    });
    expect(mail).toMatch(
      new RegExp(
        `^Standard_Debian_12 build ${buildId}: SUCCESS\n\nRequested by alice; commit ${repo.commit}; template dib; published: yes\\.\n`,
      ),
    );
    expect(mail).toContain("Image tests: 1 passed, 0 failed, 0 skipped.");
    expect(mail).toContain(
      `Statistics: http://images.example.com/stats/ (this build: http://images.example.com/stats/builds/${buildId}.html)`,
    );
  });

  test("a build that fails in stage 7: that stage named, the clean-up after it, and a mail with the first lines of its log", () => {
    const started = Date.now();
    const id = newBuild(8);
    const e = (more: Record<string, string> = {}) => env({ FACTORY_BUILD_ID: id, ...more });
    expect(runStage("04-git-check.sh", e()).status).toBe(0);
    expect(runStage("06-prepare.sh", e({ GPG_KEY_FILE: signingKeyFile })).status).toBe(0);
    sudoWithDeviceMapper();
    standIns.add(
      "disk-image-create",
      `out=""; while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done; mkdir -p "$(dirname "$out")"; qemu-img create -q -f qcow2 "$out.qcow2" 5G`,
    );
    expect(runStage("07-build-image.sh", e(), standIns.bin).status).toBe(1);
    post(id);
    const { record, mail } = finish(id, "FAILURE", 8, started);
    expect(record.stages.map((s: any) => [s.stage, s.host, s.result])).toEqual([
      ["01-initialize", "controller", "success"],
      ["04-git-check", "build-host", "success"],
      ["06-prepare", "build-host", "success"],
      ["07-build-image", "build-host", "failure"],
      ["14-cleanup", "build-host", "success"],
      ["15-destroy-build-host", "controller", "success"],
    ]);
    expect(record).toMatchObject({
      result: "failure",
      failedStage: "07-build-image",
      size: { virtualBytes: null, diskBytes: null },
      tests: null,
      published: false,
    });
    expect(record.stages[3].exitCode).toBe(1);
    const log = path.join(builds, id, "logs", "07-build-image.log");
    const lines = readFileSync(log, "utf8").trimEnd().split("\n");
    expect(mail).toMatch(
      new RegExp(`^Standard_Debian_12 build ${id}: FAILURE\nStage 07-build-image \\(build-host\\) failed after \\d+ min \\d\\d s\\.\n\n`),
    );
    expect(mail).toContain(
      `The first ${Math.min(20, lines.length)} of ${lines.length} lines of its log (${log}):\n${lines
        .slice(0, 20)
        .map((l) => `    ${l}\n`)
        .join("")}`,
    );
    expect(mail).toContain("more than minDiskGb (4 GiB)");
  });

  test("an aborted build: Jenkins' SIGTERM to the processes of the stage is recorded as that stage's abort", async () => {
    const started = Date.now();
    const id = newBuild(9);
    const e = env({ FACTORY_BUILD_ID: id });
    standIns.reset();
    standIns.add("disk-image-create", "sleep 30");
    // As Jenkins' sh step: its own process group, whose every process gets the TERM.
    const child = spawn("bash", [path.join(STAGES, "run-stage.sh"), "build-host", "07-build-image.sh"], {
      env: scriptEnv(e, standIns.bin),
      detached: true,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (standIns.argv("disk-image-create").length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    process.kill(-child.pid!, "SIGTERM");
    expect(await exited).not.toBe(0);
    post(id);
    const { record, mail } = finish(id, "ABORTED", 9, started);
    expect(record.stages.map((s: any) => [s.stage, s.result, s.signal])).toEqual([
      ["01-initialize", "success", null],
      ["07-build-image", "aborted", "TERM"],
      ["14-cleanup", "success", null],
      ["15-destroy-build-host", "success", null],
    ]);
    expect(record.stages[1].endedAt).not.toBeNull();
    expect(record).toMatchObject({ result: "aborted", failedStage: "07-build-image" });
    expect(mail).toMatch(new RegExp(`^Standard_Debian_12 build ${id}: ABORTED\nStage 07-build-image \\(build-host\\) was aborted after `));
  });

  test("a build whose stage 1 failed before it made a build id still gets its record", () => {
    const r = runProgram(
      stats("record.py"),
      [
        "initialize-failed",
        "--image",
        "Standard_Debian_12",
        "--result",
        "FAILURE",
        "--job",
        "image-build",
        "--number",
        "10",
        "--started-at",
        String(Date.now() - 5000),
      ],
      env(),
    );
    expect(r.status).toBe(0);
    expect(recordsOf("Standard_Debian_12").pop()).toMatchObject({
      buildId: null,
      jenkins: { job: "image-build", number: 10 },
      result: "failure",
      failedStage: "01-initialize",
      stages: [{ stage: "01-initialize", host: "controller", result: "failure" }],
      tests: null,
      published: false,
    });
    const bad = runProgram(
      stats("record.py"),
      ["initialize-failed", "--image", "../../etc/passwd", "--result", "FAILURE", "--job", "image-build", "--number", "11"],
      env(),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("record.py: image '../../etc/passwd' is not a catalogue name; no record");
  });

  test("every record of the image is one line of its file, in the order the builds ended", () => {
    const all = recordsOf("Standard_Debian_12");
    expect(all.map((r) => r.result)).toEqual(["success", "failure", "aborted", "failure"]);
    expect(readFileSync(path.join(builds, "stats", "Standard_Debian_12.jsonl"), "utf8").split("\n")).toHaveLength(5);
  });

  test("the stage wrapper runs only a stage script beside it, and says how it is used", () => {
    for (const args of [
      [],
      ["controller"],
      ["elsewhere", "07-build-image.sh"],
      ["controller", "../lib.sh"],
      ["controller", "99-nothing.sh"],
    ]) {
      const r = run(path.join(STAGES, "run-stage.sh"), args, env());
      expect([args, r.status, r.stderr]).toEqual([args, 2, "usage: run-stage.sh controller|build-host NN-name.sh [ARG...]\n"]);
    }
  });
});

describe("lib.sh", () => {
  test("the stages' paths default to the model's (jobs/build-hosts/<env>/factory.json), and without a model file a stage says what is missing", () => {
    const { nfs, jenkins, buildHost } = ROLES;
    const script = path.join(root, "print-defaults.sh");
    writeFileSync(
      script,
      `. ${JSON.stringify(path.join(STAGES, "lib.sh"))}\nterraform_vars\necho "$FACTORY_BUILDS_ROOT $FACTORY_IMAGES_ROOT $FACTORY_LOCAL_ROOT $FACTORY_SCRATCH $AGENT_KEY_FILE"\n`,
    );
    // terraform_vars reads the public half of the model's key: made readable here for the test
    const r = run(script, [], { FACTORY_ENV: "example", AGENT_PUBLIC_KEY_FILE: pubKeyFile });
    const scratchRoot = exists(buildHost.paths.scratch) ? `${buildHost.paths.scratch}/factory` : "/var/tmp/factory";
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      `${nfs.paths.builds} ${nfs.paths.images} ${jenkins.paths.localBuilds} ${scratchRoot} ${jenkins.paths.buildHostKey}\n`,
    );
    const missing = run(script, [], { FACTORY_ENV: "nope" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(
      `FACTORY_BUILDS_ROOT is not set and there is no model file ${path.join(REPO, "jobs", "build-hosts", "nope", "factory.json")}`,
    );
  });

  test("the statistics scripts' roots default to the model's too (jobs/stats/records.py factory_path)", () => {
    const stats = path.join(REPO, "jobs", "stats");
    const roots = `import sys; sys.path.insert(0, ${JSON.stringify(stats)}); import report; print(report.FACTORY_BUILDS_ROOT, report.FACTORY_LOCAL_ROOT, report.FACTORY_IMAGES_ROOT)`;
    const r = runProgram("python3", ["-c", roots], { FACTORY_ENV: "example" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${ROLES.nfs.paths.builds} ${ROLES.jenkins.paths.localBuilds} ${ROLES.nfs.paths.images}\n`);
    const set = runProgram("python3", ["-c", roots], {
      FACTORY_ENV: "nope",
      FACTORY_BUILDS_ROOT: builds,
      FACTORY_LOCAL_ROOT: locals,
      FACTORY_IMAGES_ROOT: images,
    });
    expect(set.stdout).toBe(`${builds} ${locals} ${images}\n`);
  });
});

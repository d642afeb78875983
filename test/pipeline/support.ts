// What the pipeline suite (npm run test:pipeline) shares: the local cloud as its tenants see
// it (test/pipeline/cloud.py, openstacksdk in one process per look), the environment the
// real scripts run in (the real `openstack` client, the real Terraform and provider), a
// throwaway jobs repository with the suite's environment file, and script runs.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { findToolchain, terraformEnv } from "../../cli/terraform/toolchain";
import { REPO, tempDir } from "../helpers";
import { git } from "../jobs-support";

export const FIXTURE = path.join(REPO, "test", "fixtures", "pipeline.yaml");
/** The fixture's tenants (clouds.yaml entries): the factory's, and the web servers' (also "another project"). */
export const CLOUD = "pipeline";
export const OTHER_CLOUD = "pipeline-web";
export const ADMIN_CLOUD = "factory-local-admin";
export const ENV_NAME = "pipeline";
export const R1 = "RegionOne";
export const R2 = "RegionTwo";
const JOBS = path.join(REPO, "jobs");
const CLOUD_PY = path.join(REPO, "test", "pipeline", "cloud.py");

function cloudsYaml(): string {
  const file = process.env.FACTORY_TEST_CLOUDS_YAML;
  if (!file) throw new Error("FACTORY_TEST_CLOUDS_YAML is not set: run this suite with `npm run test:pipeline`");
  return file;
}

/** cloud.py COMMAND ARGS (stdin: `input`), parsed. */
export function look<T = any>(args: string[], input?: unknown): T {
  const r = spawnSync("/usr/bin/python3", [CLOUD_PY, ...args], {
    encoding: "utf8",
    input: input === undefined ? undefined : JSON.stringify(input),
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsYaml(), PYTHONDONTWRITEBYTECODE: "1" },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`cloud.py ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface GlanceImage {
  id: string;
  name: string;
  status: string;
  visibility: string;
  hidden: boolean;
  protected: boolean;
  owner: string;
  min_disk: number;
  min_ram: number;
  disk_format: string;
  size: number;
  checksum: string;
  os_hash_algo: string;
  os_hash_value: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  properties: Record<string, string>;
}

/** The images of a catalogue name each region stores, as the tenant sees them. */
export function imagesOf(name: string, regions = [R1, R2], cloud = CLOUD): Record<string, GlanceImage[]> {
  return look(["images", "--cloud", cloud, "--name", name, "--regions", regions.join(",")]);
}

/** Deletes the tenant's own images of a catalogue name (a test file's clean-up). */
export function dropImages(name: string, regions = [R1, R2], cloud = CLOUD): void {
  look(["drop", "--cloud", cloud, "--name", name, "--regions", regions.join(",")]);
}

/** A region's images by build: "name | visibility[ | hidden]" ("foreign " before another project's). */
export function summary(images: GlanceImage[], project: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of images)
    out[`${i.owner === project ? "" : "foreign "}build ${i.properties.factory_build_id}`] =
      `${i.name} | ${i.visibility}${i.hidden ? " | hidden" : ""}`;
  return out;
}

const projects = new Map<string, string>();
export function projectOf(cloud: string): string {
  if (!projects.has(cloud)) projects.set(cloud, look<string>(["project", "--cloud", cloud]));
  return projects.get(cloud)!;
}

/** A qcow2 image of its own content (1 MiB of random data, 64 MiB virtual). */
export function qcow2(dir: string, name: string): string {
  const raw = path.join(dir, `${name}.raw`);
  const file = path.join(dir, `${name}.qcow2`);
  writeFileSync(raw, Buffer.concat([randomBytes(1 << 20), Buffer.alloc(63 << 20)]));
  const r = spawnSync("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`qemu-img convert: ${r.stderr}`);
  rmSync(raw);
  return file;
}

export function sha512(file: string): string {
  return createHash("sha512").update(readFileSync(file)).digest("hex");
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

const toolchain = findToolchain();

/**
 * The environment the real scripts run in, as on the controller: the tenant's credentials
 * (OS_CLOUD), the real `openstack` and Terraform with the provider from the local mirror,
 * Debian's python3 first on PATH; nothing of this machine's own OS_/FACTORY_/TF_ settings.
 */
export function scriptEnv(more: Record<string, string | undefined> = {}, bin: string | string[] = []): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(FACTORY_|OS_|TF_|GNUPGHOME$|KEEP_BUILD_HOST$|PUBLISH$|REGIONS$|TEMPLATE$|DEFINITION$|IMAGE$)/.test(k)) base[k] = v;
  }
  const PATH = (process.env.PATH ?? "").split(":").filter((p) => !p.includes("/.pyenv/"));
  return {
    ...terraformEnv(toolchain, base),
    OS_CLIENT_CONFIG_FILE: cloudsYaml(),
    OS_CLOUD: CLOUD,
    PYTHONDONTWRITEBYTECODE: "1",
    ...more,
    PATH: [...[bin].flat(), "/usr/bin", ...PATH].join(":"),
  } as NodeJS.ProcessEnv;
}

/** Runs a program (a script by its #! line), asynchronously, within a deadline. */
export function run(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string; timeoutSeconds?: number } = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(
      () => {
        stderr += `\n(killed after ${opts.timeoutSeconds ?? 900} s)`;
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          /* gone */
        }
      },
      (opts.timeoutSeconds ?? 900) * 1000,
    );
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/**
 * A directory whose `openstack` is the real client, except that it records every call
 * (in `calls`) and can make exactly one call fail before it reaches the cloud — the first
 * whose arguments match `failOn` (an extended regex), as a cloud answering 503 would.
 */
class OpenstackCalls {
  readonly bin: string;
  private readonly log: string;
  private readonly dir: string;
  constructor() {
    this.dir = tempDir("pipeline-osc-");
    this.bin = path.join(this.dir, "bin");
    this.log = path.join(this.dir, "calls");
    mkdirSync(this.bin);
    const wrapper = path.join(this.bin, "openstack");
    writeFileSync(
      wrapper,
      `#!/usr/bin/env bash
line="$*"
printf '%s\\n' "$line" >>"$OPENSTACK_CALLS"
if [ -n "\${FAIL_OPENSTACK_CALL:-}" ] && [[ "$line" =~ $FAIL_OPENSTACK_CALL ]] && mkdir "$OPENSTACK_CALLS.failed" 2>/dev/null; then
  echo "Injected failure of this call before it reached the cloud: HTTP 503 Service Unavailable" >&2
  exit 1
fi
exec /usr/bin/openstack "$@"
`,
    );
    chmodSync(wrapper, 0o755);
  }

  /** The environment additions for one run; `failOn`: the call to fail. */
  env(failOn?: string): Record<string, string> {
    spawnSync("rm", ["-rf", this.log, `${this.log}.failed`]);
    writeFileSync(this.log, "");
    return { OPENSTACK_CALLS: this.log, FAIL_OPENSTACK_CALL: failOn ?? "" };
  }

  /** The calls of the last run, each as one line of arguments. */
  calls(): string[] {
    return readFileSync(this.log, "utf8").split("\n").filter(Boolean);
  }
}

/**
 * The jobs repository as Jenkins checks it out for the suite's environment: the fixture as
 * environments/pipeline.yaml, jobs/, and its build-host template as `factory templates`
 * writes it (what a platform team commits).
 */
function jobsRepository(): { dir: string; commit: string } {
  const dir = tempDir("pipeline-repo-");
  mkdirSync(path.join(dir, "environments"));
  cpSync(FIXTURE, path.join(dir, "environments", `${ENV_NAME}.yaml`));
  cpSync(JOBS, path.join(dir, "jobs"), { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      path.join(REPO, "bin", "factory.js"),
      "templates",
      "--config",
      path.join(dir, "environments", `${ENV_NAME}.yaml`),
      "--dir",
      path.join(dir, "jobs", "build-hosts"),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`factory templates: ${r.stderr}`);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fixture");
  return { dir, commit: git(dir, "rev-parse", "HEAD") };
}

/** A stand-in directory for what is not the cloud: iperf3 (stage 1 starts a daemon when none listens). */
function noDaemons(): string {
  const bin = path.join(tempDir("pipeline-bin-"), "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "iperf3"), "#!/bin/sh\nexit 0\n");
  chmodSync(path.join(bin, "iperf3"), 0o755);
  return bin;
}

/** The last `lines` lines of a run, for failure messages. */
export function tail(r: Run, lines = 40): string {
  return `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-lines).join("\n");
}

/** Expects a run to have exited with `status`, showing its output if not. */
export function expectStatus(r: Run, status: number, what = "run"): void {
  if (r.status !== status) throw new Error(`${what} exited ${r.status}, not ${status}:\n${tail(r)}`);
}

export interface Build {
  id: string;
  /** Its directory on "NFS" (what build hosts write) and the controller's own. */
  dir: string;
  local: string;
}

/**
 * Builds of the suite's environment as the image-build job runs them on the controller:
 * the jobs repository checked out, stage 1 through the stage wrapper, the other controller
 * stages from the build's local snapshot (as the Jenkinsfile's controller() does). "NFS",
 * the image tree and the controller's directories are under a temp dir.
 */
export class Pipeline {
  readonly root = tempDir("pipeline-builds-");
  readonly buildsRoot = path.join(this.root, "nfs", "builds");
  readonly imagesRoot = path.join(this.root, "nfs", "images");
  readonly localRoot = path.join(this.root, "controller", "factory-builds");
  readonly agentKey = path.join(this.root, "build-host");
  readonly repo = jobsRepository();
  readonly osc = new OpenstackCalls();
  private readonly bin = noDaemons();
  private number = 0;

  constructor() {
    mkdirSync(this.buildsRoot, { recursive: true });
    const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "jenkins@pipeline-test", "-f", this.agentKey], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  }

  /** The controller's environment for a stage; `failOn`: the one `openstack` call to fail. */
  env(more: Record<string, string | undefined> = {}, failOn?: string): NodeJS.ProcessEnv {
    return scriptEnv(
      {
        FACTORY_ENV: ENV_NAME,
        FACTORY_REGION: R1,
        FACTORY_BUILDS_ROOT: this.buildsRoot,
        FACTORY_IMAGES_ROOT: this.imagesRoot,
        FACTORY_LOCAL_ROOT: this.localRoot,
        AGENT_PUBLIC_KEY_FILE: `${this.agentKey}.pub`,
        AGENT_KEY_FILE: this.agentKey,
        ...this.osc.env(failOn),
        ...more,
      },
      [this.osc.bin, this.bin],
    );
  }

  /** Stage 1 of a new build of catalogue image `image`. */
  async start(image: string, more: Record<string, string> = {}): Promise<Build> {
    this.number += 1;
    const r = await run(
      path.join(this.repo.dir, "jobs", "stages", "run-stage.sh"),
      ["controller", "01-initialize.sh"],
      this.env({ IMAGE: image, JOB_NAME: `image-${image}`, BUILD_NUMBER: String(this.number), REPO_DIR: this.repo.dir, ...more }),
      { cwd: this.repo.dir },
    );
    expectStatus(r, 0, "stage 1");
    const id = r.stdout.trim().split("\n").pop()!;
    return { id, dir: path.join(this.buildsRoot, id), local: path.join(this.localRoot, id) };
  }

  /** A controller stage of `build`, run as the Jenkinsfile runs it (the snapshot's wrapper). */
  stage(build: Build, script: string, more: Record<string, string | undefined> = {}, failOn?: string): Promise<Run> {
    return run(
      path.join(build.local, "repo", "jobs", "stages", "run-stage.sh"),
      ["controller", script],
      this.env({ FACTORY_BUILD_ID: build.id, ...more }, failOn),
      { timeoutSeconds: 1200 },
    );
  }

  /** What stages 7 and 11 leave: the image in the build's output/ and in the published tree. */
  built(build: Build, image: string, file: string): void {
    const name = `${image}.qcow2`;
    cpSync(file, path.join(build.dir, "output", name));
    mkdirSync(path.join(this.imagesRoot, image, build.id), { recursive: true });
    cpSync(file, path.join(this.imagesRoot, image, build.id, name));
  }

  /** A script of jobs/ as the controller's checkout has it (with the model file), in the controller's environment. */
  script(relative: string, args: string[], more: Record<string, string | undefined> = {}, failOn?: string): Promise<Run> {
    return run(path.join(this.repo.dir, "jobs", relative), args, this.env(more, failOn), { timeoutSeconds: 1200 });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.repo.dir, { recursive: true, force: true });
  }
}

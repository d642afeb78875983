// Shared fixtures of the jobs/ tests: recording stand-ins for commands that need a cloud,
// a throwaway copy of the jobs repository as a git repository, and script runs.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { REPO, tempDir } from "./helpers";

export const JOBS = path.join(REPO, "jobs");
export const STAGES = path.join(JOBS, "stages");
const SEP = "\x1f";

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Environment for a script: the machine's, minus what would leak in, plus `env`. */
export function scriptEnv(env: Record<string, string | undefined>, bin?: string): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) {
    if (/^(FACTORY_|OS_|TF_|GNUPGHOME$|KEEP_BUILD_HOST$|PUBLISH$|REGIONS$|TEMPLATE$|DEFINITION$|IMAGE$)/.test(key)) delete base[key];
  }
  // The scripts run Debian's python3; a pyenv shim on a developer's PATH costs 0.3 s a call.
  const path = (process.env.PATH ?? "")
    .split(":")
    .filter((p) => !p.includes("/.pyenv/"))
    .join(":");
  const merged = { ...base, ...env, PATH: bin ? `${bin}:${path}` : path };
  return merged;
}

export function run(script: string, args: string[], env: Record<string, string | undefined>, bin?: string, cwd?: string): Run {
  const r = spawnSync("bash", [script, ...args], { env: scriptEnv(env, bin), encoding: "utf8", cwd, timeout: 30_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A program run by its own #! line (the Python scripts of jobs/stats), with the same environment rules. */
export function runProgram(program: string, args: string[], env: Record<string, string | undefined>, bin?: string): Run {
  const r = spawnSync(program, args, { env: scriptEnv(env, bin), encoding: "utf8", timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, asynchronously (for concurrency tests). */
export function runAsync(script: string, args: string[], env: Record<string, string | undefined>, bin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn("bash", [script, ...args], { env: scriptEnv(env, bin) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

export type StageRole = "controller" | "build-host";

/**
 * Where the pipeline runs each stage script, as the Jenkinsfile says: through the stage
 * wrapper with its role (`run-stage.sh controller NN-x.sh`), or the helpers that do
 * (`controller('NN-x.sh')`, `onBuildHost('NN-x.sh')`).
 */
export function stageRoles(): Map<string, StageRole> {
  const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
  const roles = new Map<string, StageRole>();
  for (const m of jenkinsfile.matchAll(/run-stage\.sh"? (controller|build-host) (\d\d-[a-z-]+\.sh)/g)) roles.set(m[2], m[1] as StageRole);
  for (const m of jenkinsfile.matchAll(/\b(controller|onBuildHost)\('(\d\d-[a-z-]+\.sh)'\)/g))
    roles.set(m[2], m[1] === "controller" ? "controller" : "build-host");
  return roles;
}

/** A stage script run as the pipeline runs it: through the stage wrapper, in its role. */
export function runStage(script: string, env: Record<string, string | undefined>, bin?: string, cwd?: string): Run {
  const role = stageRoles().get(script);
  if (!role) throw new Error(`the Jenkinsfile runs no ${script}`);
  return run(path.join(STAGES, "run-stage.sh"), [role, script], env, bin, cwd);
}

/**
 * A directory of recording stand-ins: each command appends "<name> <args...>" (and its
 * working directory) to $CALLS, then runs its `body` (bash, "$@" are its arguments).
 */
export class StandIns {
  readonly bin: string;
  readonly callsFile: string;
  constructor(readonly dir = tempDir("jobs-standins-")) {
    this.bin = path.join(dir, "bin");
    this.callsFile = path.join(dir, "calls");
    mkdirSync(this.bin, { recursive: true });
    writeFileSync(this.callsFile, "");
  }

  add(name: string, body = "exit 0", where = this.bin): string {
    // A relative or in-repository place would write into the working tree (a test run
    // alone, before the stage that makes its build directory, once committed one).
    if (!path.isAbsolute(where) || !path.relative(REPO, where).startsWith("..")) {
      throw new Error(`stand-in ${name}: ${where} is not a temporary directory outside the repository`);
    }
    const file = path.join(where, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `#!/usr/bin/env bash
set -euo pipefail
{ printf '%s' "$PWD"; printf '${SEP}%s' "$(basename "$0")" "$@"; printf '\\n'; } >> ${JSON.stringify(this.callsFile)}
${body}
`,
    );
    chmodSync(file, 0o755);
    return file;
  }

  /** Every call so far: the command and its arguments, and where it ran. */
  calls(name?: string): Array<{ cwd: string; argv: string[] }> {
    return readFileSync(this.callsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [cwd, ...argv] = line.split(SEP);
        return { cwd, argv };
      })
      .filter((c) => !name || c.argv[0] === name);
  }

  argv(name?: string): string[][] {
    return this.calls(name).map((c) => c.argv);
  }

  reset(): void {
    writeFileSync(this.callsFile, "");
  }
}

/** git in `dir` as a test's author; its output, trimmed. */
export function git(dir: string, ...args: string[]): string {
  const r = spawnSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A git repository holding the example environment and the jobs/ tree; returns its path and HEAD. */
export function jobsRepository(): { dir: string; commit: string; git: (...args: string[]) => string } {
  const dir = tempDir("jobs-repo-");
  mkdirSync(path.join(dir, "environments"));
  cpSync(path.join(REPO, "environments", "example.yaml"), path.join(dir, "environments", "example.yaml"));
  cpSync(JOBS, path.join(dir, "jobs"), { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fixture");
  return { dir, commit: git(dir, "rev-parse", "HEAD"), git: (...args) => git(dir, ...args) };
}

export function readJson(file: string): any {
  return JSON.parse(readFileSync(file, "utf8"));
}

export function exists(file: string): boolean {
  return existsSync(file);
}

// Synthesizes a git revision with that revision's own code: a temporary `git worktree`,
// its dependencies (the current node_modules when package-lock.json is the same, else
// `npm ci`), its code transpiled without type-checking (transpile.ts; its own build
// script when it is no plain tsc project) and its own `bin/factory.js synth`. The worktree
// is always removed. The output is cached (base-cache.ts) under a key of all it depends
// on (baseCacheKey): the commit, both lock files, esbuild's and Node's versions, the
// directory it runs in, the environment files given (those outside the repository by
// content) and CDKTF_* variables.
// When the revision differs from the working tree only in environment files (and docs),
// its code is the current code: its environment files are then synthesized in-process,
// with no worktree, install or build, and no cache (that costs one synthesis, and would
// depend on the state of the current build).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../../config/load";
import { DEFAULT_ENVIRONMENTS_DIR, synthesize } from "../../main";
import { CliError } from "../errors";
import { BaseCache, baseCacheRoot, cacheKey } from "./base-cache";
import { planTranspile, transpile } from "./transpile";

export interface BaseRevisionRequest {
  /** A git revision: branch, tag, commit, `origin/main`, `HEAD~1`... */
  readonly ref: string;
  /** Environment files as given to the head (relative to `cwd`); undefined = the revision's defaults. */
  readonly configs?: readonly string[];
  /** Where the synth output goes when it does not come from (or go to) the cache; must not exist yet. */
  readonly outDir: string;
  readonly cwd: string;
  /** Progress lines (stderr), so stdout carries only the report. */
  readonly log: (line: string) => void;
}

/** Synthesizes the revision; returns the directory that holds its synth output. */
export function synthesizeRevision(request: BaseRevisionRequest): string {
  const { ref, log } = request;
  const cwd = realpathSync(request.cwd); // git prints real paths; keep relative paths comparable
  const root = git(["rev-parse", "--show-toplevel"], cwd, "--base needs a git repository").trim();
  const commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], root, `--base ${ref}: not a commit in ${root}`).trim();
  const short = commit.slice(0, 12);
  const environments = environmentFiles(request.configs, cwd, root);
  if (sameCode(root, commit, environments)) {
    log(`factory diff: ${ref} (${short}) differs only in environment files; synthesizing them with the current code`);
    const scratch = mkdtempSync(path.join(tmpdir(), "factory-diff-base-"));
    try {
      synthesizeEnvironmentsOf(commit, environments, root, scratch, request.outDir);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return request.outDir;
  }
  if (environments.given?.every((f) => !existsIn(commit, f, root))) {
    log(`factory diff: none of the environment files exists in ${ref} (${short}): every stack is new`);
    mkdirSync(request.outDir, { recursive: true });
    writeFileSync(path.join(request.outDir, "manifest.json"), `${JSON.stringify({ stacks: {} })}\n`);
    return request.outDir;
  }

  const baseLock = gitShow(root, commit, "package-lock.json");
  const headLockFile = path.join(root, "package-lock.json");
  const headLock = existsSync(headLockFile) ? readFileSync(headLockFile, "utf8") : undefined;
  const cache = new BaseCache(baseCacheRoot(), log);
  const key = baseCacheKey(commit, baseLock, headLock, path.relative(root, cwd), environments);
  const cached = cache.lookup(key);
  if (cached !== undefined) {
    log(`factory diff: ${ref} (${short}) synthesized before; its output comes from the cache (${path.dirname(cached)})`);
    return cached;
  }

  log(`factory diff: synthesizing ${ref} (${short}) in a temporary worktree`);
  const scratch = mkdtempSync(path.join(tmpdir(), "factory-diff-base-"));
  const worktree = path.join(scratch, "base");
  try {
    git(["worktree", "add", "--detach", "--quiet", worktree, commit], root, "git worktree add failed");
    installDependencies(root, worktree, baseLock !== undefined && baseLock === headLock, log);
    build(worktree, log);
    const configs = request.configs?.map((f) => revisionPath(path.resolve(cwd, f), root, worktree));
    const present = configs?.filter((f) => existsSync(f));
    const factory = path.join(worktree, "bin", "factory.js");
    if (!existsSync(factory)) throw new CliError(`--base ${ref}: that revision has no bin/factory.js to synthesize with`);
    const runIn = path.join(worktree, path.relative(root, cwd));
    return cache.store(
      key,
      (out) =>
        run(
          process.execPath,
          [factory, "synth", "--out", out, ...(present ?? []).flatMap((f) => ["--config", f])],
          runIn,
          `--base ${ref}: synth of that revision failed`,
        ),
      request.outDir,
    );
  } finally {
    // Deleting the worktree and pruning its record is `git worktree remove`, only faster.
    rmSync(scratch, { recursive: true, force: true });
    spawnSync("git", ["worktree", "prune"], { cwd: root, stdio: "ignore" });
  }
}

/** Everything the base's synth output depends on besides the commit's own files. */
function baseCacheKey(
  commit: string,
  baseLock: string | undefined,
  headLock: string | undefined,
  cwd: string,
  environments: EnvironmentFiles,
): string {
  return cacheKey({
    commit, // its code and its environment files
    baseLock: sha256(baseLock), // its node_modules (the current ones when the same)
    headLock: sha256(headLock), // the current node_modules, and the esbuild that transpiles it
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- read only when a base is synthesized
    esbuild: (require("esbuild/package.json") as { version: string }).version,
    node: process.version,
    cwd, // where its synth runs: its default environments/
    configs: environments.given?.map((f) =>
      f.relative !== undefined ? { inRepository: f.relative } : { outside: f.absolute, content: sha256(readIfExists(f.absolute)) },
    ),
    env: Object.entries(process.env)
      .filter(([name]) => name.startsWith("CDKTF_"))
      .sort(([a], [b]) => a.localeCompare(b)),
  });
}

/** The same file in the base checkout; files outside the repository are the same for both. */
function revisionPath(file: string, root: string, worktree: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : path.join(worktree, relative);
}

/** The environment files in question, relative to the repository (those inside it). */
interface EnvironmentFiles {
  /** The default directory (environments/ of the working directory), repository-relative. */
  readonly defaultDir: string;
  /** undefined: the default, every environments/*.yaml of each side. */
  readonly given?: readonly { absolute: string; relative?: string }[];
}

function environmentFiles(configs: readonly string[] | undefined, cwd: string, root: string): EnvironmentFiles {
  const defaultDir = path.relative(root, path.join(cwd, DEFAULT_ENVIRONMENTS_DIR)).split(path.sep).join("/");
  if (configs === undefined) return { defaultDir };
  return {
    defaultDir,
    given: configs.map((f) => {
      const absolute = path.resolve(cwd, f);
      const relative = path.relative(root, absolute);
      return { absolute, relative: relative.startsWith("..") || path.isAbsolute(relative) ? undefined : relative };
    }),
  };
}

/** Everything but the environment files and docs is the same in `commit` and the working tree. */
function sameCode(root: string, commit: string, files: EnvironmentFiles): boolean {
  const excluded = [
    `:(exclude,literal)${files.defaultDir}`,
    ":(exclude,glob)**/*.md",
    ...(files.given ?? []).flatMap((f) => (f.relative ? [`:(exclude,literal)${f.relative}`] : [])),
  ];
  const tracked = spawnSync("git", ["diff", "--quiet", commit, "--", ".", ...excluded], { cwd: root });
  if (tracked.status !== 0) return false;
  const untracked = spawnSync("git", ["ls-files", "--others", "--exclude-standard", "--", ".", ...excluded], {
    cwd: root,
    encoding: "utf8",
  });
  return untracked.status === 0 && untracked.stdout.trim() === "";
}

/** The revision's environment files (from git, no checkout) synthesized by this process's code. */
function synthesizeEnvironmentsOf(commit: string, files: EnvironmentFiles, root: string, scratch: string, outDir: string): void {
  const relatives =
    files.given === undefined
      ? spawnSync("git", ["ls-tree", "--name-only", `${commit}:${files.defaultDir}`], { cwd: root, encoding: "utf8" })
          .stdout.split("\n")
          .filter((n) => /\.ya?ml$/.test(n))
          .sort()
          .map((n) => path.join(files.defaultDir, n))
      : files.given.map((f) => f.relative ?? f.absolute);
  const paths: string[] = [];
  for (const file of relatives) {
    if (path.isAbsolute(file)) {
      paths.push(file); // outside the repository: the same file for both sides
      continue;
    }
    const content = spawnSync("git", ["show", `${commit}:${file.split(path.sep).join("/")}`], { cwd: root, encoding: "utf8" });
    if (content.status !== 0) continue; // new in the working tree: nothing in the base
    const copy = path.join(scratch, "environments-of-base", file);
    mkdirSync(path.dirname(copy), { recursive: true });
    writeFileSync(copy, content.stdout);
    paths.push(copy);
  }
  synthesize(paths.length > 0 ? loadEnvironments(paths) : [], outDir);
}

function installDependencies(root: string, worktree: string, sameLockFile: boolean, log: (line: string) => void): void {
  if (sameLockFile && existsSync(path.join(root, "node_modules"))) {
    symlinkSync(path.join(root, "node_modules"), path.join(worktree, "node_modules"), "dir");
    return;
  }
  log("factory diff: package-lock.json differs in the base revision; running npm ci there");
  // No install scripts: its prepare script would build it with tsc, which build() replaces.
  // The lock file pins every version and hash, so cached registry metadata will do.
  run("npm", ["ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], worktree, "npm ci in the base revision failed");
}

/** The revision's JavaScript: transpiled (seconds), or by its own build when it must be. */
function build(worktree: string, log: (line: string) => void): void {
  const plan = planTranspile(worktree);
  if (!("reason" in plan)) {
    transpile(plan);
    return;
  }
  log(`factory diff: the base revision cannot be transpiled file by file (${plan.reason}); building it as its package.json says`);
  const pkg = JSON.parse(readFileSync(path.join(worktree, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  if (pkg.scripts?.build) {
    run("npm", ["run", "--silent", "build"], worktree, "npm run build in the base revision failed");
  } else if (existsSync(path.join(worktree, "tsconfig.json"))) {
    log("factory diff: the base revision has no build script; compiling it with tsc");
    run(
      process.execPath,
      [path.join(worktree, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
      worktree,
      "tsc in the base revision failed",
    );
  }
}

/** Whether an environment file exists in the revision (one outside the repository: on disk). */
function existsIn(commit: string, file: { absolute: string; relative?: string }, root: string): boolean {
  if (file.relative === undefined) return existsSync(file.absolute);
  return (
    spawnSync("git", ["cat-file", "-e", `${commit}:${file.relative.split(path.sep).join("/")}`], { cwd: root, stdio: "ignore" }).status ===
    0
  );
}

function gitShow(root: string, commit: string, file: string): string | undefined {
  const r = spawnSync("git", ["show", `${commit}:${file}`], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  return r.status === 0 ? r.stdout : undefined;
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

function sha256(text: string | undefined): string | null {
  return text === undefined ? null : createHash("sha256").update(text).digest("hex");
}

function run(command: string, args: string[], cwd: string, failure: string): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
    throw new CliError(`${failure}${r.error ? `: ${r.error.message}` : ""}${output ? `:\n${output}` : ""}`);
  }
  return r.stdout;
}

function git(args: string[], cwd: string, failure: string): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new CliError(`${failure}${r.stderr?.trim() ? `: ${r.stderr.trim()}` : ""}`);
  return r.stdout;
}

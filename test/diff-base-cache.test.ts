// `factory diff --base`'s cache of base revisions' synth outputs, as a user meets it: a
// second diff against the same base reads the cache and prints the same bytes; another
// base commit or another lock file misses it; a damaged entry, or one a crash left half
// written, is never trusted but made again. Every cache lives in the test's temp dirs.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { BaseCache } from "../cli/diff/base-cache";
import { synthesize } from "../main";
import { EXAMPLE, FACTORY_BIN, REPO, tempDir } from "./helpers";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A git repository in a temp dir: `files` committed as "base"; returns its git runner. */
function repository(dir: string): (...args: string[]) => string {
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "base");
  return git;
}

/** A scratch copy of the project (sources as committed, dist/ and node_modules as built). */
function projectRepository(): { dir: string; git: (...args: string[]) => string } {
  const dir = path.join(tempDir("diff-cache-repo-"), "factory");
  const tracked = spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const file of tracked) if (existsSync(path.join(REPO, file))) cpSync(path.join(REPO, file), path.join(dir, file));
  cpSync(path.join(REPO, "dist"), path.join(dir, "dist"), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  writeFileSync(path.join(dir, ".gitignore"), "node_modules\ndist\n");
  return { dir, git: repository(dir) };
}

/** A code change in the working tree: the base must be synthesized from its own code. */
function changeCode(dir: string, file = "main.ts"): void {
  writeFileSync(path.join(dir, file), `${readFileSync(path.join(dir, file), "utf8")}// a code change ${Date.now()}\n`);
}

/** `factory diff --base HEAD` (markdown, as in CI) in `cwd` with the cache in `cache`. */
function diff(cwd: string, cache: string, factory = path.join(cwd, "bin", "factory.js"), env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [factory, "diff", "--base", "HEAD"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env, FACTORY_DIFF_CACHE_DIR: cache },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache's entries (their key directories). */
function entries(cache: string): string[] {
  return existsSync(cache)
    ? readdirSync(cache)
        .filter((n) => /^[0-9a-f]{64}$/.test(n))
        .map((n) => path.join(cache, n))
    : [];
}

/** Every file under `dir` by relative path, with its content. */
function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (relative: string) => {
    for (const e of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.join(relative, e.name);
      if (e.isDirectory()) walk(name);
      else found.set(name, readFileSync(path.join(dir, name), "utf8"));
    }
  };
  walk("");
  return found;
}

const COLD = /^factory diff: synthesizing HEAD \([0-9a-f]{12}\) in a temporary worktree\n$/;
const WARM = /^factory diff: HEAD \([0-9a-f]{12}\) synthesized before; its output comes from the cache \(.+\)\n$/;

const project = projectRepository();
// A reviewer's change: ssh open to the world, and code.
writeFileSync(path.join(project.dir, "environments", "example.yaml"), readFileSync(EXAMPLE, "utf8").replace("203.0.113.0/24", "0.0.0.0/0"));
changeCode(project.dir);
const primedCache = path.join(tempDir("diff-cache-"), "cache");
let cold: Run;

beforeAll(() => {
  cold = diff(project.dir, primedCache);
});

test("the base's output is cached and is what a tsc build synthesizes, byte for byte", () => {
  expect(cold).toMatchObject({ status: 2, stderr: expect.stringMatching(COLD) });
  expect(cold.stdout).toContain("widened ingress rule tcp port 22 from 0.0.0.0/0 into security group example-jump");
  const [entry] = entries(primedCache);
  // The base is the example with the code as built here (dist/, by tsc): the transpiled
  // base must synthesize exactly what this build does.
  const built = path.join(tempDir("diff-cache-built-"), "out");
  synthesize(loadEnvironments([EXAMPLE]), built);
  expect(files(path.join(entry, "synth"))).toEqual(files(built));
});

test("a second diff against the same base comes from the cache, with the same bytes", () => {
  const cache = path.join(tempDir("diff-cache-"), "cache");
  cpSync(primedCache, cache, { recursive: true });
  const warm = diff(project.dir, cache);
  expect(warm).toEqual({ status: cold.status, stdout: cold.stdout, stderr: expect.stringMatching(WARM) });
});

test("a damaged entry is ignored, made again, and trusted again after", () => {
  const cache = path.join(tempDir("diff-cache-"), "cache");
  cpSync(primedCache, cache, { recursive: true });
  const [entry] = entries(cache);
  writeFileSync(path.join(entry, "synth", "stacks", "example-network", "cdk.tf.json"), "{}");
  expect(diff(project.dir, cache)).toEqual({
    status: cold.status,
    stdout: cold.stdout,
    stderr: `factory diff: ignoring the damaged cache entry ${entry} (stacks/example-network/cdk.tf.json has changed)\n${cold.stderr}`,
  });
  const log: string[] = [];
  expect(new BaseCache(cache, (l) => log.push(l)).lookup(path.basename(entry))).toBe(path.join(entry, "synth"));
  expect(log).toEqual([]);
});

test("an incomplete entry is never used, and is removed", () => {
  const damages: Array<[string, (entry: string) => void]> = [
    ["manifest.json is missing", (e) => rmSync(path.join(e, "synth", "manifest.json"))],
    ["no readable checksums.json", (e) => writeFileSync(path.join(e, "checksums.json"), '{"format":1,"fi')],
    ["no readable synth output", (e) => rmSync(path.join(e, "synth"), { recursive: true })],
    [
      "stacks/extra/cdk.tf.json was not in it",
      (e) => cpSync(path.join(e, "synth", "stacks", "example-web"), path.join(e, "synth", "stacks", "extra"), { recursive: true }),
    ],
  ];
  for (const [problem, damage] of damages) {
    const cache = path.join(tempDir("diff-cache-"), "cache");
    cpSync(primedCache, cache, { recursive: true });
    const [entry] = entries(cache);
    damage(entry);
    const log: string[] = [];
    expect(new BaseCache(cache, (l) => log.push(l)).lookup(path.basename(entry))).toBeUndefined();
    expect(log).toEqual([`factory diff: ignoring the damaged cache entry ${entry} (${problem})`]);
    expect(existsSync(entry)).toBe(false);
  }
});

test("a diff killed while storing the base's output leaves nothing a later run trusts", async () => {
  const cache = path.join(tempDir("diff-cache-"), "cache");
  const tmp = tempDir("diff-cache-tmp-"); // the killed run's own scratch dirs stay in here
  const child = spawn(process.execPath, [path.join(project.dir, "bin", "factory.js"), "diff", "--base", "HEAD"], {
    cwd: project.dir,
    env: { ...process.env, FACTORY_DIFF_CACHE_DIR: cache, TMPDIR: tmp },
    detached: true, // its own process group: the base's synth dies with it
    stdio: "ignore",
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  // Wait until the base's synthesis into the cache has started, then kill it all.
  const started = Date.now();
  while (!(existsSync(cache) && readdirSync(cache).some((n) => n.startsWith(".tmp-"))) && Date.now() - started < 30_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  process.kill(-child.pid!, "SIGKILL");
  expect(await exited).toBe("SIGKILL");
  // Only the half-written temporary dir is left, which no lookup reads: the next run synthesizes.
  expect(entries(cache)).toEqual([]);
  expect(readdirSync(cache)).toEqual([expect.stringMatching(/^\.tmp-/)]);
});

test("another base commit misses the cache", () => {
  // Last of the tests on the project copy: it commits there.
  const cache = path.join(tempDir("diff-cache-"), "cache");
  cpSync(primedCache, cache, { recursive: true });
  project.git("commit", "-qam", "the change, committed");
  changeCode(project.dir, "config/load.ts");
  const r = diff(project.dir, cache);
  expect(r).toEqual({
    status: 0,
    stdout: "### factory diff\n\nNo changes: the synthesized stacks are equivalent.\n",
    stderr: expect.stringMatching(COLD),
  });
  expect(entries(cache)).toHaveLength(2);
});

test("a changed package-lock.json misses the cache", () => {
  // A revision with no dependencies (npm ci in its worktree takes a second, offline)
  // whose synth writes a recorded synth output of the example.
  const dir = path.join(tempDir("diff-cache-lock-"), "revision");
  mkdirSync(path.join(dir, "bin"), { recursive: true });
  synthesize(loadEnvironments([EXAMPLE]), path.join(dir, "recorded"));
  cpSync(EXAMPLE, path.join(dir, "environments", "example.yaml"));
  writeFileSync(
    path.join(dir, "bin", "factory.js"),
    'const fs = require("fs");\nconst out = process.argv[process.argv.indexOf("--out") + 1];\nfs.cpSync(`${__dirname}/../recorded`, out, { recursive: true });\n',
  );
  const lock = (version: string) => ({
    name: "revision",
    version,
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "revision", version } },
  });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "revision", version: "1.0.0", private: true }));
  writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock("1.0.0")));
  repository(dir);
  changeCode(dir, "bin/factory.js");
  const cache = path.join(tempDir("diff-cache-"), "cache");
  const npm = { npm_config_cache: tempDir("diff-cache-npm-") }; // npm ci's logs, too, stay in temp dirs
  const synthesized = expect.stringContaining("factory diff: synthesizing HEAD (");
  const noChanges = "### factory diff\n\nNo changes: the synthesized stacks are equivalent.\n";

  expect(diff(dir, cache, FACTORY_BIN, npm)).toEqual({ status: 0, stdout: noChanges, stderr: synthesized });
  expect(diff(dir, cache, FACTORY_BIN, npm)).toEqual({ status: 0, stdout: noChanges, stderr: expect.stringMatching(WARM) });
  writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock("1.0.1"))); // as `npm install` of a new version does
  expect(diff(dir, cache, FACTORY_BIN, npm)).toEqual({ status: 0, stdout: noChanges, stderr: synthesized });
  expect(entries(cache)).toHaveLength(2);
});

// npm run bench: how fast `factory synth` is, against the cdktf floor and the cdktf CLI,
// and the review loop around it: `factory diff --base` with a code change (cold and warm
// cache of the base's synthesis) and `factory check` of the example.
// Prints a table and, as the last line, a JSON object (the bench's output contract):
// {"factorySynthS", "floorS", "cdktfSynthS", "ratioVsFloor", "speedupVsCdktf",
//  "diffBaseColdS", "diffBaseWarmS", "checkS", "checkCpuPerStackS"}.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EXAMPLE = path.join("environments", "example.yaml");

interface Subject {
  readonly label: string;
  readonly cmd: string;
  /** The arguments of one run, given a fresh output directory path (not created). */
  readonly args: (out: string) => string[];
  readonly cwd?: string;
  /** Extra environment of one run (made anew for each run). */
  readonly env?: () => NodeJS.ProcessEnv;
  /** Exit codes of a successful run (default: 0). */
  readonly success?: number[];
}

interface Sample {
  /** Wall-clock seconds. */
  readonly wall: number;
  /** CPU seconds (user + system) of the process and every process it waited for. */
  readonly cpu: number;
}

/**
 * CPU seconds used so far by this process's children that have been waited for (and by
 * theirs): /proc/self/stat's cutime + cstime, in Linux's fixed USER_HZ of 100 a second.
 */
function childrenCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3, state
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
}

/** One timed run of a subject writing into a fresh output directory. */
function timeOnce({ label, cmd, args, cwd = REPO, env, success = [0] }: Subject): Sample {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "bench-")), "out");
  const extraEnv = env?.() ?? {};
  const cpuBefore = childrenCpu();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args(out), { cwd, encoding: "utf8", env: { ...process.env, ...extraEnv } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = childrenCpu() - cpuBefore;
  rmSync(path.dirname(out), { recursive: true, force: true });
  if (!success.includes(r.status ?? -1)) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return { wall, cpu };
}

/**
 * Median wall and CPU time of each subject. Runs are interleaved (A B C A B C ...) after
 * one warm-up round, so a change in machine load hits all subjects alike and the ratios
 * stay fair.
 */
function timeInterleaved(subjects: Subject[]): Sample[] {
  subjects.forEach(timeOnce);
  const samples = subjects.map(() => [] as Sample[]);
  for (let i = 0; i < RUNS; i++) subjects.forEach((s, j) => samples[j].push(timeOnce(s)));
  return samples.map((xs) => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * A scratch clone of this repository's HEAD with a code-only change in its working tree
 * (so `diff --base HEAD` synthesizes the base from its own code), node_modules and dist/
 * from this checkout (the lock file is the same, and a comment changes no build).
 */
function cloneWithCodeChange(scratch: string): string {
  const clone = path.join(scratch, "clone");
  run("git", ["clone", "--quiet", REPO, clone], scratch);
  symlinkSync(path.join(REPO, "node_modules"), path.join(clone, "node_modules"));
  cpSync(path.join(REPO, "dist"), path.join(clone, "dist"), { recursive: true });
  appendFileSync(path.join(clone, "main.ts"), "// a code change for the bench\n");
  return clone;
}

/** How many stacks the example synthesizes to (what `factory check` of it validates). */
function exampleStacks(scratch: string): number {
  const out = path.join(scratch, "example-stacks");
  run(process.execPath, [path.join(REPO, "bin", "factory.js"), "synth", "--config", EXAMPLE, "--out", out], REPO);
  return Object.keys(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).stacks).length;
}

function main(): void {
  const node = process.execPath;
  const factory = path.join(REPO, "bin", "factory.js");
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-review-"));
  try {
    const clone = cloneWithCodeChange(scratch);
    const stacks = exampleStacks(scratch);
    const warmCache = path.join(scratch, "warm-cache"); // filled by the warm-up round
    const diffBase = (label: string, cache: () => string): Subject => ({
      label,
      cmd: node,
      args: () => [path.join(clone, "bin", "factory.js"), "diff", "--base", "HEAD"],
      cwd: clone,
      env: () => ({ FACTORY_DIFF_CACHE_DIR: cache() }),
      success: [0, 2], // 2: this checkout's build differs from its HEAD
    });
    const [synth, floor, diffCold, diffWarm, check] = timeInterleaved([
      { label: "factory synth", cmd: node, args: (out) => [factory, "synth", "--out", out] },
      { label: "floor app", cmd: node, args: (out) => [path.join(REPO, "dist", "tools", "floor-app.js"), out] },
      diffBase("factory diff --base HEAD (cold cache)", () => mkdtempSync(path.join(scratch, "cold-cache-"))),
      diffBase("factory diff --base HEAD (warm cache)", () => warmCache),
      { label: "factory check", cmd: node, args: () => [factory, "check", "--config", EXAMPLE] },
    ]);
    // The cdktf CLI takes seconds a run: a few runs are plenty for a ratio of 5 or more.
    const cdktfSynthS = median(
      Array.from(
        { length: Math.min(RUNS, 3) },
        () =>
          timeOnce({
            label: "cdktf synth",
            cmd: path.join(REPO, "node_modules", ".bin", "cdktf"),
            args: (out) => ["synth", "--output", out],
            env: () => ({ CHECKPOINT_DISABLE: "1", CI: "1" }),
          }).wall,
      ),
    );

    const result = {
      factorySynthS: round(synth.wall),
      floorS: round(floor.wall),
      cdktfSynthS: round(cdktfSynthS),
      ratioVsFloor: round(synth.wall / floor.wall, 2),
      speedupVsCdktf: round(cdktfSynthS / synth.wall, 1),
      diffBaseColdS: round(diffCold.wall),
      diffBaseWarmS: round(diffWarm.wall),
      checkS: round(check.wall),
      checkCpuPerStackS: round(check.cpu / stacks),
    };
    const s = (x: number) => `${x.toFixed(3)} s`;
    const withCpu = (x: Sample) => `${s(x.wall)}  (CPU ${s(x.cpu)})`;
    const rows: Array<[string, string]> = [
      [`factory synth (example, median of ${RUNS})`, withCpu(synth)],
      ["floor: cdktf + 1 null resource, same path", withCpu(floor)],
      [`npx cdktf synth (same app, median of ${Math.min(RUNS, 3)})`, s(result.cdktfSynthS)],
      ["factory diff --base HEAD, code changed, cold cache", withCpu(diffCold)],
      ["factory diff --base HEAD, code changed, warm cache", withCpu(diffWarm)],
      [`factory check --config ${EXAMPLE} (${stacks} stacks)`, withCpu(check)],
      ["ratio vs floor (target <= 1.5)", `${result.ratioVsFloor}`],
      ["speedup vs cdktf synth (target >= 5)", `${result.speedupVsCdktf}x`],
      ["warm diff --base vs factory synth (target <= 3)", `${round(diffWarm.wall / synth.wall, 2)}x`],
      ["cold diff --base, same lock file (target <= 5 s)", s(result.diffBaseColdS)],
      ["factory check CPU per stack (target <= 1 s)", s(result.checkCpuPerStackS)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();

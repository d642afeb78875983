// npm run bench: how fast `factory synth` is, against the cdktf floor and the cdktf CLI.
// Prints a table and, as the last line, a JSON object (the bench's output contract):
// {"factorySynthS", "floorS", "cdktfSynthS", "ratioVsFloor", "speedupVsCdktf"}.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Subject {
  readonly label: string;
  readonly cmd: string;
  readonly args: string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** One timed run of a subject writing into a fresh output directory, in seconds. */
function timeOnce({ label, cmd, args, env }: Subject): number {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "bench-")), "out");
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, [...args, out], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(path.dirname(out), { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return seconds;
}

/**
 * Median time of each subject. Runs are interleaved (A B C A B C ...) after one warm-up
 * round, so a change in machine load hits all subjects alike and the ratios stay fair.
 */
function timeInterleaved(subjects: Subject[]): number[] {
  subjects.forEach(timeOnce);
  const samples = subjects.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) subjects.forEach((s, j) => samples[j].push(timeOnce(s)));
  return samples.map(median);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

function main(): void {
  const node = process.execPath;
  const [factorySynthS, floorS] = timeInterleaved([
    { label: "factory synth", cmd: node, args: [path.join(REPO, "bin", "factory.js"), "synth", "--out"] },
    { label: "floor app", cmd: node, args: [path.join(REPO, "dist", "tools", "floor-app.js")] },
  ]);
  // The cdktf CLI takes seconds a run: a few runs are plenty for a ratio of 5 or more.
  const cdktfSynthS = median(
    Array.from({ length: Math.min(RUNS, 3) }, () =>
      timeOnce({ label: "cdktf synth", cmd: path.join(REPO, "node_modules", ".bin", "cdktf"), args: ["synth", "--output"], env: { CHECKPOINT_DISABLE: "1", CI: "1" } }),
    ),
  );

  const result = {
    factorySynthS: round(factorySynthS),
    floorS: round(floorS),
    cdktfSynthS: round(cdktfSynthS),
    ratioVsFloor: round(factorySynthS / floorS, 2),
    speedupVsCdktf: round(cdktfSynthS / factorySynthS, 1),
  };
  const rows: Array<[string, string]> = [
    [`factory synth (example, median of ${RUNS})`, `${result.factorySynthS.toFixed(3)} s`],
    ["floor: cdktf + 1 null resource, same path", `${result.floorS.toFixed(3)} s`],
    [`npx cdktf synth (same app, median of ${Math.min(RUNS, 3)})`, `${result.cdktfSynthS.toFixed(3)} s`],
    ["ratio vs floor (target <= 1.5)", `${result.ratioVsFloor}`],
    ["speedup vs cdktf synth (target >= 5)", `${result.speedupVsCdktf}x`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(JSON.stringify(result));
}

main();

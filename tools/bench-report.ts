// npm run bench:report: what the statistics report costs after every build, for a long
// history — jobs/stats/report.py over 10,000 builds of four images over two years (the
// fixture of test/report/), and what its page weighs.
// Prints a table and, as the last line, a JSON object (this bench's output contract):
// {"builds", "recordsBytes", "reportS", "reportCpuS", "pageBytes", "pageGzipBytes", "treeBytes"}.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { scriptEnv } from "../test/jobs-support";
import { writeFixture } from "../test/report/fixture";

const REPO = path.resolve(__dirname, "..", "..");
const BUILDS = Number(process.env.BENCH_REPORT_BUILDS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NOW = "2026-06-01T12:00:00Z";

function childrenCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
}

function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const root = mkdtempSync(path.join(tmpdir(), "bench-report-"));
  try {
    const fixture = writeFixture(root, { builds: BUILDS, months: 24, now: new Date(NOW), withFiles: 50 });
    const env = scriptEnv({
      FACTORY_BUILDS_ROOT: fixture.buildsRoot,
      FACTORY_LOCAL_ROOT: fixture.localRoot,
      FACTORY_IMAGES_ROOT: fixture.imagesRoot,
      FACTORY_ENV: "bench",
    });
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cpu0 = childrenCpu();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(path.join(REPO, "jobs", "stats", "report.py"), ["--now", NOW], { env, encoding: "utf8" });
      walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cpus.push(childrenCpu() - cpu0);
      if (r.status !== 0) throw new Error(`report.py failed: ${r.stderr}`);
    }
    const out = path.join(fixture.imagesRoot, "stats");
    const index = readFileSync(path.join(out, "index.html"));
    const charts = readdirSync(out)
      .filter((f) => f.endsWith(".svg"))
      .map((f) => readFileSync(path.join(out, f)));
    const page = [index, ...charts];
    const result = {
      builds: BUILDS,
      recordsBytes: bytesUnder(path.join(fixture.buildsRoot, "stats")),
      reportS: Number(median(walls).toFixed(2)),
      reportCpuS: Number(median(cpus).toFixed(2)),
      pageBytes: page.reduce((a, b) => a + b.length, 0),
      pageGzipBytes: page.reduce((a, b) => a + gzipSync(b).length, 0),
      treeBytes: bytesUnder(out),
    };
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    const rows: Array<[string, string]> = [
      ["builds (4 images, 24 months)", String(result.builds)],
      ["records (builds/stats/*.jsonl)", kib(result.recordsBytes)],
      [`report.py, median of ${RUNS} (wall / CPU)`, `${result.reportS} s / ${result.reportCpuS} s`],
      ["page: index.html + its 4 SVG charts", `${kib(result.pageBytes)} (${kib(result.pageGzipBytes)} gzipped)`],
      ["the whole report (with 50 build pages)", kib(result.treeBytes)],
    ];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(44)} ${v}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();

// A factory's build history for the report's tests and benchmark: records of many builds
// of several images over months (jobs/stats/build-record.schema.json), as record.py
// writes them, with the logs, signatures and test results of the last builds where the
// report looks for them, and the damage a crash or a build host can leave behind.
// Deterministic: the same options give the same bytes.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface FixtureOptions {
  readonly builds: number;
  readonly months: number;
  /** The report's present: the last build ends shortly before it. */
  readonly now: Date;
  /** How many of the last builds get logs and published files. */
  readonly withFiles?: number;
  /** Add lines that are no valid record (and names that must be escaped). */
  readonly damage?: boolean;
  readonly seed?: number;
}

export interface Fixture {
  readonly buildsRoot: string;
  readonly localRoot: string;
  readonly imagesRoot: string;
  readonly images: string[];
  /** What the report must name as skipped, one fragment per damaged line. */
  readonly damaged: string[];
  /** A check name with markup in it (damage: true), to be shown as text. */
  readonly hostileCheck: string;
}

interface ImageProfile {
  readonly name: string;
  readonly tooling: "kiwi" | "dib";
  readonly failure: number;
  readonly buildMinutes: number;
  readonly virtualGiB: number;
  readonly fileGiB: number;
  /** GiB the file grows by over the whole period. */
  readonly growth: number;
}

const IMAGES: ImageProfile[] = [
  { name: "Standard_Debian_12", tooling: "dib", failure: 0.04, buildMinutes: 24, virtualGiB: 4, fileGiB: 0.55, growth: 0.12 },
  { name: "Standard_Ubuntu_24.04", tooling: "dib", failure: 0.08, buildMinutes: 27, virtualGiB: 4, fileGiB: 0.7, growth: 0.05 },
  { name: "Standard_openSUSE_15.6", tooling: "kiwi", failure: 0.1, buildMinutes: 38, virtualGiB: 5, fileGiB: 0.8, growth: 0.2 },
  { name: "Standard_SLES_15_SP6", tooling: "kiwi", failure: 0.3, buildMinutes: 41, virtualGiB: 10, fileGiB: 1.1, growth: 0.35 },
];

// The pipeline's stages (jobs/stages) and where they run, with a typical share of the time.
const STAGES: Array<[string, "controller" | "build-host", number]> = [
  ["01-initialize", "controller", 0.01],
  ["02-spawn-build-host", "controller", 0.06],
  ["03-add-agent", "controller", 0.07],
  ["04-git-check", "build-host", 0.01],
  ["05-configure-agent", "build-host", 0.08],
  ["06-prepare", "build-host", 0.01],
  ["07-build-image", "build-host", 0.45],
  ["08-register", "controller", 0.07],
  ["09-test-image", "controller", 0.1],
  ["10-sign", "build-host", 0.01],
  ["11-hashdeep", "build-host", 0.02],
  ["12-upload-regions", "controller", 0.06],
  ["13-publish-request", "controller", 0.01],
  ["14-cleanup", "build-host", 0.005],
  ["15-destroy-build-host", "controller", 0.035],
];

// The image test suite's checks (jobs/image-tests/run.sh), the ones that fail now and then first.
const CHECKS = [
  "time synchronisation configured",
  "root filesystem grown to the disk",
  "cloud-init finished without errors",
  "only sshd listens on non-loopback addresses",
  "PermitRootLogin no",
  "key login as linux",
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "no MAC-bound persistent network rules",
  "console=ttyS0 on the kernel command line",
  "network sysctl hardening",
];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(Math.round(ms)).toISOString();
const GIB = 1024 ** 3;

/** The build id stage 1 makes: UTC minute, job slug, number, at most 40 characters. */
function buildId(at: number, job: string, number: number): string {
  const slug = job
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-/, "")
    .slice(0, 40 - 12 - 2 - String(number).length)
    .replace(/-$/, "");
  const d = new Date(at).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}-${slug}-${number}`;
}

export function writeFixture(root: string, options: FixtureOptions): Fixture {
  const rnd = random(options.seed ?? 19);
  const buildsRoot = path.join(root, "builds");
  const localRoot = path.join(root, "local");
  const imagesRoot = path.join(root, "images");
  const statsDir = path.join(buildsRoot, "stats");
  for (const d of [statsDir, localRoot, imagesRoot]) mkdirSync(d, { recursive: true });
  const end = options.now.getTime() - 3600_000;
  const start = end - options.months * 30.4 * 86400_000;
  const hostileCheck = '<img src=x onerror="document.title=1"> & "$HOME" check';
  const numbers = new Map<string, number>();
  const lines = new Map<string, string[]>();
  const withFiles = options.withFiles ?? 0;

  for (let i = 0; i < options.builds; i++) {
    const profile = IMAGES[i % IMAGES.length];
    const progress = i / Math.max(1, options.builds - 1);
    const startedAt = start + progress * (end - start) - profile.buildMinutes * 60_000 * 1.5;
    const job = `image-${profile.name}`;
    const number = (numbers.get(job) ?? 0) + 1;
    numbers.set(job, number);
    const id = buildId(startedAt, job, number);
    // What happens to this build.
    const roll = rnd();
    const outcome =
      roll < profile.failure * 0.5
        ? "build-fails"
        : roll < profile.failure
          ? "tests-fail"
          : roll < profile.failure + 0.02
            ? "aborted"
            : roll < profile.failure + 0.04
              ? "unchanged"
              : "success";
    const failedChecks = outcome === "tests-fail" ? CHECKS.slice(0, 1 + Math.floor(rnd() * 3)).filter(() => rnd() < 0.8) : [];
    if (outcome === "tests-fail" && failedChecks.length === 0) failedChecks.push(CHECKS[0]);
    if (options.damage && outcome === "tests-fail" && i % 7 === 0) failedChecks.push(hostileCheck);
    const stopAt = {
      "build-fails": "07-build-image",
      "tests-fail": "09-test-image",
      aborted: "07-build-image",
      unchanged: "04-git-check",
      success: "",
    }[outcome];
    // Debian's image build got slower in the last six weeks (which the report must show).
    const slower = profile.name === "Standard_Debian_12" && startedAt > end - 42 * 86400_000 ? 1.6 : 1;
    const total = profile.buildMinutes * 60_000 * (0.85 + 0.3 * rnd());
    const stages: any[] = [];
    let t = startedAt + 5_000;
    let stopped = false;
    for (const [stage, host, share] of STAGES) {
      const after = stopped && !["14-cleanup", "15-destroy-build-host"].includes(stage);
      if (after) continue;
      if (stage === "02-spawn-build-host" && rnd() < 0.2) {
        // No free build host at first: a try that waits, then a minute outside any stage.
        stages.push({ stage, host, startedAt: iso(t), endedAt: iso(t + 2_000), exitCode: 75, signal: null, result: "waiting" });
        t += 62_000;
      }
      const ms = total * share * (stage === "07-build-image" ? slower : 1) * (0.9 + 0.2 * rnd());
      const run: any = { stage, host, startedAt: iso(t), endedAt: iso(t + ms), exitCode: 0, signal: null, result: "success" };
      if (stage === stopAt) {
        if (outcome === "aborted") Object.assign(run, { endedAt: iso(t + ms / 3), exitCode: 143, signal: "TERM", result: "aborted" });
        else if (outcome === "unchanged") Object.assign(run, { exitCode: 3, result: "unchanged" });
        else Object.assign(run, { exitCode: 1, result: "failure" });
        stopped = true;
      }
      stages.push(run);
      t = Date.parse(run.endedAt) + 3_000 + 20_000 * rnd();
    }
    const result = { "build-fails": "failure", "tests-fail": "failure", aborted: "aborted", unchanged: "not_built", success: "success" }[
      outcome
    ];
    const built = outcome === "success" || outcome === "tests-fail";
    const fileBytes = Math.round((profile.fileGiB + profile.growth * progress + 0.01 * rnd()) * GIB);
    const ran = (stage: string) => stages.some((r) => r.stage === stage);
    const record = {
      version: 1,
      image: profile.name,
      buildId: id,
      jenkins: { job, number },
      environment: "example",
      commit: Array.from({ length: 40 }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join(""),
      template: profile.tooling,
      requester: rnd() < 0.8 ? "timer" : "alice",
      result,
      startedAt: iso(startedAt),
      endedAt: iso(t),
      failedStage: outcome === "success" || outcome === "unchanged" ? null : stopAt,
      stages,
      size: built ? { virtualBytes: profile.virtualGiB * GIB, diskBytes: fileBytes } : { virtualBytes: null, diskBytes: null },
      tests: ran("09-test-image") ? { passed: CHECKS.filter((c) => !failedChecks.includes(c)), failed: failedChecks, skipped: [] } : null,
      published: outcome === "success" && rnd() < 0.5,
    };
    const file = lines.get(profile.name) ?? [];
    file.push(JSON.stringify(record));
    lines.set(profile.name, file);

    if (i >= options.builds - withFiles) {
      for (const run of stages) {
        const dir = run.host === "controller" ? path.join(localRoot, id, "logs") : path.join(buildsRoot, id, "logs");
        mkdirSync(dir, { recursive: true });
        const log = Array.from(
          { length: run.stage === "07-build-image" ? 400 : 8 },
          (_, n) => `[${run.stage}] step ${n + 1} of ${profile.name}`,
        );
        if (run.result === "failure")
          log.push(`[${run.stage}] ERROR: ${run.stage === "09-test-image" ? "not ok 1 - " + failedChecks[0] : "disk-image-create failed"}`);
        writeFileSync(path.join(dir, `${run.stage}.log`), log.join("\n") + "\n");
      }
      if (ran("11-hashdeep") && stages.find((r) => r.stage === "11-hashdeep").result === "success") {
        const tree = path.join(imagesRoot, profile.name, id);
        mkdirSync(tree, { recursive: true });
        writeFileSync(path.join(tree, `${profile.name}.qcow2.asc`), "-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n");
        writeFileSync(
          path.join(tree, `${profile.name}-test-results.tap`),
          CHECKS.map((c, n) => `ok ${n + 1} - ${c}`).join("\n") + `\n1..${CHECKS.length}\n`,
        );
      }
    }
  }

  const damaged: string[] = [];
  for (const [image, list] of lines) writeFileSync(path.join(statsDir, `${image}.jsonl`), list.join("\n") + "\n");
  if (options.damage) {
    const [first, second, third] = IMAGES.map((p) => path.join(statsDir, `${p.name}.jsonl`));
    appendFileSync(first, "this line is no JSON\n");
    damaged.push(`${path.basename(first)}: line ${lines.get(IMAGES[0].name)!.length + 1}: not JSON`);
    const wrong = JSON.parse(lines.get(IMAGES[1].name)![0]);
    appendFileSync(second, JSON.stringify({ ...wrong, result: "exploded" }) + "\n");
    damaged.push(`${path.basename(second)}: line ${lines.get(IMAGES[1].name)!.length + 1}: result must be one of`);
    // A crash in the middle of the last append: half a line, no newline.
    const last = lines.get(IMAGES[2].name)!.at(-1)!;
    appendFileSync(third, last.slice(0, Math.floor(last.length / 2)));
    damaged.push(`${path.basename(third)}: line ${lines.get(IMAGES[2].name)!.length + 1}: truncated`);
  }
  return { buildsRoot, localRoot, imagesRoot, images: IMAGES.map((p) => p.name).sort(), damaged, hostileCheck };
}

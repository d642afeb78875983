// The synth output of a base revision, kept so that the next `factory diff` against the
// same base costs only the head's synthesis. An entry is <root>/<key>/: synth/ (the
// output) and checksums.json (the sha-256 of every file in it); the key hashes everything
// the output depends on (base-revision.ts says what). An entry appears only by renaming a
// complete temporary directory into place, and is trusted only while its checksums hold:
// a crash, a full disk or a half-deleted entry is a miss (the entry is removed and made
// again), never a wrong diff.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { cacheDir } from "../cache-dir";

const FORMAT = 1;
/** Entries kept, the most recently used first; each is one synth output (under a megabyte). */
const KEEP = 20;
/** A temporary directory this old is a crashed run's, not one still being written. */
const STALE_TMP_MS = 24 * 3600 * 1000;

/** $FACTORY_DIFF_CACHE_DIR, else diff-base/ in the factory's cache directory. */
export function baseCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.FACTORY_DIFF_CACHE_DIR ? path.resolve(env.FACTORY_DIFF_CACHE_DIR) : path.join(cacheDir(env), "diff-base");
}

/** The key of an entry: a hash of everything the cached output depends on. */
export function cacheKey(dependsOn: Record<string, unknown>): string {
  return createHash("sha256")
    .update(JSON.stringify({ format: FORMAT, ...dependsOn }))
    .digest("hex");
}

export class BaseCache {
  constructor(
    readonly root: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The entry's synth output when it is whole; a damaged entry is removed. */
  lookup(key: string): string | undefined {
    const entry = path.join(this.root, key);
    if (!existsSync(entry)) return undefined;
    const damage = damageOf(entry);
    if (damage !== undefined) {
      this.log(`factory diff: ignoring the damaged cache entry ${entry} (${damage})`);
      rmSync(entry, { recursive: true, force: true });
      return undefined;
    }
    touch(entry);
    return path.join(entry, "synth");
  }

  /**
   * Runs `synthesize(dir)` (dir does not exist yet) and keeps its output under `key`.
   * Returns the directory holding the output: the entry, or `fallback` when it cannot be
   * kept (no writable cache, or another run stored the same entry meanwhile).
   */
  store(key: string, synthesize: (dir: string) => void, fallback: string): string {
    let tmp: string;
    try {
      mkdirSync(this.root, { recursive: true });
      tmp = mkdtempSync(path.join(this.root, ".tmp-"));
    } catch (err) {
      this.log(`factory diff: not caching the base revision's output: ${(err as Error).message}`);
      synthesize(fallback);
      return fallback;
    }
    const synth = path.join(tmp, "synth");
    try {
      synthesize(synth);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    const entry = path.join(this.root, key);
    try {
      writeFileSync(path.join(tmp, "checksums.json"), `${JSON.stringify({ format: FORMAT, files: checksums(synth) })}\n`);
      renameSync(tmp, entry); // atomic: the entry is whole or absent
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST")
        this.log(`factory diff: not caching the base revision's output: ${(err as Error).message}`);
      cpSync(synth, fallback, { recursive: true });
      rmSync(tmp, { recursive: true, force: true });
      return fallback;
    }
    try {
      this.prune();
    } catch {
      // pruning is housekeeping; the next stored entry tries again
    }
    return path.join(entry, "synth");
  }

  /** Keeps the KEEP most recently used entries and drops crashed runs' temporary dirs. */
  private prune(): void {
    const now = Date.now();
    const entries: { dir: string; used: number }[] = [];
    for (const name of readdirSync(this.root)) {
      const dir = path.join(this.root, name);
      const used = mtimeOf(dir);
      if (used === undefined) continue;
      if (/^[0-9a-f]{64}$/.test(name)) entries.push({ dir, used });
      else if (name.startsWith(".tmp-") && now - used > STALE_TMP_MS) rmSync(dir, { recursive: true, force: true });
    }
    entries.sort((a, b) => b.used - a.used);
    for (const { dir } of entries.slice(KEEP)) rmSync(dir, { recursive: true, force: true });
  }
}

/** What is wrong with an entry, or undefined when every file is as recorded. */
function damageOf(entry: string): string | undefined {
  let recorded: { format?: unknown; files?: Record<string, unknown> };
  try {
    recorded = JSON.parse(readFileSync(path.join(entry, "checksums.json"), "utf8"));
  } catch {
    return "no readable checksums.json";
  }
  if (recorded?.format !== FORMAT || typeof recorded.files !== "object" || recorded.files === null)
    return "checksums.json of another format";
  let actual: Record<string, string>;
  try {
    actual = checksums(path.join(entry, "synth"));
  } catch {
    return "no readable synth output";
  }
  for (const [file, sum] of Object.entries(recorded.files)) {
    if (actual[file] === undefined) return `${file} is missing`;
    if (actual[file] !== sum) return `${file} has changed`;
  }
  const extra = Object.keys(actual).find((file) => !(file in recorded.files!));
  return extra === undefined ? undefined : `${extra} was not in it`;
}

/** sha-256 of every file under `dir`, by its path relative to it. */
function checksums(dir: string): Record<string, string> {
  const sums: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const e of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = relative === "" ? e.name : `${relative}/${e.name}`;
      if (e.isDirectory()) walk(name);
      else
        sums[name] = createHash("sha256")
          .update(readFileSync(path.join(dir, name)))
          .digest("hex");
    }
  };
  walk("");
  return sums;
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined; // removed meanwhile by another run
  }
}

function touch(dir: string): void {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // a read-only cache still serves; it only prunes by age less well
  }
}

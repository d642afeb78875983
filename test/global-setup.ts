// Before any test file: `factory diff --base` caches base revisions' synth outputs, and the
// tests (and every factory process they start, with or without an env of their own) keep
// theirs in a temp dir, never in the user's cache. Set here, in jest's parent process, so
// that the workers' real process.env, which child processes inherit, has it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export default function globalSetup(): void {
  const dir = mkdtempSync(path.join(tmpdir(), "factory-diff-cache-"));
  process.env.FACTORY_DIFF_CACHE_DIR = dir;
  (globalThis as { testDiffCache?: string }).testDiffCache = dir;
}

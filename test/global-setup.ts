// Before any test file, in jest's parent process (whose environment the workers and every
// process they start inherit):
// - remember the working tree (test/global-teardown.ts compares);
// - `factory diff --base` caches base revisions' synth outputs: the tests keep theirs in
//   a temp dir, never in the user's cache.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO } from "./helpers";
import { workingTreeState } from "./working-tree";

export default function globalSetup(): void {
  (globalThis as any).__workingTreeBefore = workingTreeState(REPO);
  const dir = mkdtempSync(path.join(tmpdir(), "factory-diff-cache-"));
  process.env.FACTORY_DIFF_CACHE_DIR = dir;
  (globalThis as any).__testDiffCache = dir;
}

// After all test files: removes the diff cache global-setup.ts made, and fails `npm test`
// naming what changed if the run changed the working tree (tests write only under their
// own temp dirs).
import { rmSync } from "node:fs";
import { REPO } from "./helpers";
import { treeChanges, workingTreeState } from "./working-tree";

export default function globalTeardown(): void {
  const cache = (globalThis as any).__testDiffCache;
  if (cache) rmSync(cache, { recursive: true, force: true });
  const before = (globalThis as any).__workingTreeBefore;
  if (!before) return;
  const changes = treeChanges(before, workingTreeState(REPO));
  if (changes.length > 0) {
    throw new Error(`the tests changed the working tree (tests must write only under their own temp dirs):\n${changes.join("\n")}`);
  }
}

// After every test: the run must not have changed the working tree (tests write only
// under their own temp dirs). Fails `npm test` naming what changed.
import { treeChanges, workingTreeState } from "./working-tree";
import { REPO } from "./helpers";

export default function globalTeardown(): void {
  const before = (globalThis as any).__workingTreeBefore;
  if (!before) return;
  const changes = treeChanges(before, workingTreeState(REPO));
  if (changes.length > 0) {
    throw new Error(`the tests changed the working tree (tests must write only under their own temp dirs):\n${changes.join("\n")}`);
  }
}

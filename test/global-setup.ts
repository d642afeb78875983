// Before any test: remember the working tree (test/global-teardown.ts compares).
import { workingTreeState } from "./working-tree";
import { REPO } from "./helpers";

export default function globalSetup(): void {
  (globalThis as any).__workingTreeBefore = workingTreeState(REPO);
}

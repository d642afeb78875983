// After the pipeline suite: the network destroyed, the suite's tenants empty (whatever a
// test left is named and fails the run), the working tree as before.
import { REPO } from "../helpers";
import { treeChanges, workingTreeState } from "../working-tree";
import { destroyNetwork } from "./network";

export default function globalTeardown(): void {
  const problems = destroyNetwork(process.env.PIPELINE_NETWORK_DIR);
  const before = (globalThis as any).__workingTreeBefore;
  if (before) problems.push(...treeChanges(before, workingTreeState(REPO)).map((c) => `the suite changed the working tree: ${c}`));
  if (problems.length > 0) throw new Error(`test:pipeline teardown:\n${problems.join("\n")}`);
}

// Before the pipeline suite: the working tree's state (the teardown compares), and the
// suite's factory network deployed into its own, emptied tenant.
import { REPO } from "../helpers";
import { workingTreeState } from "../working-tree";
import { deployNetwork } from "./network";

export default function globalSetup(): void {
  (globalThis as any).__workingTreeBefore = workingTreeState(REPO);
  const started = Date.now();
  process.env.PIPELINE_NETWORK_DIR = deployNetwork();
  process.stderr.write(
    `test:pipeline: tenants emptied and ${"pipeline-network"} deployed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

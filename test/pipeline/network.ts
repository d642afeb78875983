// The suite's factory network: the fixture's `<name>-network` stack (network, subnet,
// router, the security groups) deployed with the real Terraform and provider, as
// `cdktf deploy pipeline-network` would — what the build-host template and stage 9 find by
// name. Deployed once before the suite and destroyed after it (global setup and teardown).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { findToolchain } from "../../cli/terraform/toolchain";
import { REPO, tempDir } from "../helpers";
import { CLOUD, ENV_NAME, FIXTURE, OTHER_CLOUD, R1, R2, look, scriptEnv } from "./support";

const STACK = `${ENV_NAME}-network`;

function terraform(dir: string, args: string[]): void {
  const r = spawnSync(findToolchain().terraform, args, { cwd: dir, env: scriptEnv(), encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) throw new Error(`terraform ${args[0]} in ${dir} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Empties the suite's own tenants (what an aborted earlier run left), then deploys the network. */
export function deployNetwork(): string {
  for (const cloud of [CLOUD, OTHER_CLOUD]) {
    const wiped = look<string[]>(["wipe", "--cloud", cloud, "--regions", `${R1},${R2}`]);
    if (wiped.length > 0) process.stderr.write(`test:pipeline: removed what an earlier run left in ${cloud}: ${wiped.join(", ")}\n`);
  }
  const dir = tempDir("pipeline-network-");
  const out = path.join(dir, "cdktf.out");
  const synth = spawnSync(process.execPath, [path.join(REPO, "bin", "factory.js"), "synth", "--config", FIXTURE, "--out", out], {
    encoding: "utf8",
  });
  if (synth.status !== 0) throw new Error(`factory synth: ${synth.stderr}`);
  const stack = path.join(out, "stacks", STACK);
  terraform(stack, ["init", "-input=false", "-no-color"]);
  terraform(stack, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  return dir;
}

/** Destroys the network stack and empties the tenants; returns what was still there. */
export function destroyNetwork(dir: string | undefined): string[] {
  const problems: string[] = [];
  // What tests left on the network first (a port keeps its subnet from being deleted, and
  // Terraform would retry for minutes): each a leak the run fails on.
  for (const cloud of [CLOUD, OTHER_CLOUD]) {
    const left = look<string[]>(["wipe", "--cloud", cloud, "--regions", `${R1},${R2}`, "--keep-network"]);
    if (left.length > 0) problems.push(`left in ${cloud} after the suite: ${left.join(", ")}`);
  }
  if (dir) {
    try {
      terraform(path.join(dir, "cdktf.out", "stacks", STACK), ["destroy", "-auto-approve", "-input=false", "-no-color"]);
    } catch (e) {
      problems.push(String(e));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  for (const cloud of [CLOUD, OTHER_CLOUD]) {
    const wiped = look<string[]>(["wipe", "--cloud", cloud, "--regions", `${R1},${R2}`]);
    // The network went with Terraform; anything else a test made and did not remove is a leak.
    if (wiped.length > 0) problems.push(`left in ${cloud} after the suite: ${wiped.join(", ")}`);
  }
  return problems;
}

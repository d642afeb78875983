// factory check [--config FILE]... [--dir DIR]
// Terraform itself validates every synthesized stack with the real providers, offline
// (cli/terraform/validate.ts). Exit 0 all valid, 1 any invalid, 2 usage.
import { existsSync } from "node:fs";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";
import { findToolchain, ToolchainMissingError } from "./terraform/toolchain";
import { formatDiagnostic, synthesizedStacks, validateConfigurations } from "./terraform/validate";

async function checkDirectory(dir: string): Promise<number> {
  let toolchain;
  try {
    toolchain = findToolchain();
  } catch (err) {
    if (err instanceof ToolchainMissingError) throw new CliError(err.message);
    throw err;
  }
  const results = await validateConfigurations(synthesizedStacks(dir), { toolchain });
  if (results.length === 0) throw new CliError(`${dir}: no stacks to check`);
  for (const r of results) {
    for (const d of r.diagnostics) process.stderr.write(`${formatDiagnostic(r.stack, d)}\n`);
    process.stdout.write(`${r.stack}: ${r.valid ? "valid" : "INVALID"} (${r.seconds.toFixed(1)} s)\n`);
  }
  const invalid = results.filter((r) => !r.valid).map((r) => r.stack);
  const stacks = `${results.length} stack${results.length === 1 ? "" : "s"}`;
  process.stdout.write(
    invalid.length === 0 ? `${stacks} valid for Terraform\n` : `${invalid.length} of ${stacks} invalid: ${invalid.join(", ")}\n`,
  );
  return invalid.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

export const checkCommand: Command = {
  options: {
    config: { type: "string", multiple: true, short: "c" },
    dir: { type: "string", short: "d" },
  },
  async run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const dir = values.dir as string | undefined;
    const configs = values.config as string[] | undefined;
    if (dir !== undefined) {
      if (configs) throw new UsageError("--dir checks an existing synth output; it takes no --config");
      if (!existsSync(dir)) throw new CliError(`${dir}: no such directory`);
      return checkDirectory(dir);
    }
    // Only this path synthesizes, so only it loads cdktf and the stacks.
    /* eslint-disable @typescript-eslint/no-require-imports -- see above */
    const { loadEnvironments }: typeof import("../config/load") = require("../config/load");
    const { withScratchSynthesis }: typeof import("./scratch-synthesis") = require("./scratch-synthesis");
    const { configFiles }: typeof import("./config-files") = require("./config-files");
    /* eslint-enable @typescript-eslint/no-require-imports */
    return withScratchSynthesis(loadEnvironments(configFiles(configs)), checkDirectory);
  },
};

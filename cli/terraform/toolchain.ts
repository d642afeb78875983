// The Terraform toolchain that tools/providers/build makes per machine: a `terraform`
// (the one on PATH, or OpenTofu built from source) and a CLI configuration that installs
// the real providers, built from source, from a local filesystem mirror only.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { cacheDir } from "../cache-dir";

const BUILD_COMMAND = "tools/providers/build";

export interface Toolchain {
  /** The Terraform CLI (terraform or tofu). */
  readonly terraform: string;
  /** For TF_CLI_CONFIG_FILE: providers from the local mirror, nothing from a registry. */
  readonly cliConfigFile: string;
}

export class ToolchainMissingError extends Error {}

/** The built toolchain; throws naming the command that builds it when it is missing. */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const dir = cacheDir(env);
  const toolchain = { terraform: path.join(dir, "bin", "terraform"), cliConfigFile: path.join(dir, "providers", "terraformrc") };
  const missing = Object.values(toolchain).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new ToolchainMissingError(
      `the Terraform providers are not built on this machine (no ${missing.join(", ")}); run ${BUILD_COMMAND} (about 2 minutes once, then cached)`,
    );
  }
  return toolchain;
}

/**
 * The environment for running Terraform with the toolchain: the mirror's CLI
 * configuration, no prompts, no checkpoint calls, and none of the variables that would
 * point a run at another data directory, plugins or workspace.
 */
export function terraformEnv(toolchain: Toolchain, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    TF_CLI_CONFIG_FILE: toolchain.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
  for (const v of ["TF_DATA_DIR", "TF_REATTACH_PROVIDERS", "TF_PLUGIN_CACHE_DIR", "TF_WORKSPACE"]) delete env[v];
  return env;
}

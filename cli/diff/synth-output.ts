// Reads a synth output directory (`factory synth --out DIR` or `cdktf synth`):
// manifest.json names the stacks, stacks/<stack>/cdk.tf.json holds each one.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CliError } from "../errors";

/** The parts of a stack's Terraform JSON the diff reads. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value?: unknown; [key: string]: unknown }>;
  readonly terraform?: { backend?: Record<string, unknown> };
  /** `moved` blocks: the resource at `from` (an address in the state) is now at `to`. */
  readonly moved?: ReadonlyArray<{ readonly from?: unknown; readonly to?: unknown }>;
}

export interface SynthOutput {
  /** Where it was read from, for error messages. */
  readonly dir: string;
  /** Stack name → its Terraform JSON, in manifest order. */
  readonly stacks: Map<string, StackJson>;
}

export function readSynthOutput(dir: string): SynthOutput {
  const manifestFile = path.join(dir, "manifest.json");
  const manifest = readJson(manifestFile) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  if (typeof manifest !== "object" || manifest === null || typeof manifest.stacks !== "object" || manifest.stacks === null) {
    throw new CliError(`${manifestFile}: stacks: missing; is this a synth output directory?`);
  }
  const stacks = new Map<string, StackJson>();
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const relative = entry?.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json");
    const stack = readJson(path.join(dir, relative));
    if (typeof stack !== "object" || stack === null || Array.isArray(stack)) {
      throw new CliError(`${path.join(dir, relative)}: not a Terraform JSON object`);
    }
    stacks.set(name, stack as StackJson);
  }
  return { dir, stacks };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

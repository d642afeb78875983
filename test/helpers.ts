// Shared test fixtures: the example environment, variations of it, and CLI runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseEnvironment } from "../config/load";
import { synthesize } from "../main";
import type { Environment } from "../config/schema";

export const REPO = path.resolve(__dirname, "..", "..");
export const EXAMPLE = path.join(REPO, "environments", "example.yaml");
export const FACTORY_BIN = path.join(REPO, "bin", "factory.js");
export const MAXIMAL = path.join(REPO, "test", "fixtures", "maximal.yaml");

/** The example environment file as plain data, to be varied by a test. */
export function exampleData(): any {
  return parse(readFileSync(EXAMPLE, "utf8"));
}

export function tempDir(prefix = "factory-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes an environment file (data or raw text) into a fresh temp dir; returns its path. */
export function writeEnvironment(content: unknown, name = "env.yaml", dir = tempDir()): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : stringify(content));
  return file;
}

/** A validated environment: the example with `change` applied to its data. */
export function environment(change: (data: any) => void = () => {}): Environment {
  const data = exampleData();
  change(data);
  return parseEnvironment("test.yaml", stringify(data)).env;
}

/** test/fixtures/maximal.yaml: every optional key, egress: jump, four templates. */
export function maximalEnvironment(): Environment {
  return parseEnvironment(MAXIMAL, readFileSync(MAXIMAL, "utf8")).env;
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runFactory(args: string[], cwd = REPO): CliRun {
  const r = spawnSync(process.execPath, [FACTORY_BIN, ...args], { cwd, encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The model file (factory.json) `factory templates` writes for an environment file, in a temp dir. */
export function modelFileOf(envFile: string, envName: string): string {
  const dir = tempDir("model-");
  const r = runFactory(["templates", "--config", envFile, "--dir", dir]);
  if (r.status !== 0) throw new Error(`factory templates --config ${envFile}: ${r.stderr}`);
  return path.join(dir, envName, "factory.json");
}

/**
 * Synthesizes an environment's stacks as `factory synth` does (a whole-app synth, so
 * cross-stack references are resolved): stack name → Terraform JSON text.
 */
export function synthEnvironment(env: Environment): Map<string, string> {
  const outdir = tempDir("synth-");
  const { stacks } = synthesize([{ file: "test.yaml", env }], outdir);
  const result = new Map(stacks.map((name) => [name, readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")]));
  rmSync(outdir, { recursive: true, force: true });
  return result;
}

/** The resources of one type in a synthesized stack, by logical id. */
export function resourcesOf(synth: string, type: string): Record<string, any> {
  return JSON.parse(synth).resource?.[type] ?? {};
}

/** Synthesized stacks as parsed JSON, with cross-stack references followed to their origin. */
export class SynthesizedEnvironment {
  readonly stacks: Map<string, any>;

  constructor(readonly env: Environment) {
    this.stacks = new Map([...synthEnvironment(env)].map(([name, text]) => [name, JSON.parse(text)]));
  }

  stack(suffix: string): any {
    const json = this.stacks.get(`${this.env.name}-${suffix}`);
    if (!json) throw new Error(`no stack ${this.env.name}-${suffix}`);
    return json;
  }

  /** All resources of a type in a stack (by suffix: "factory", "data", ...). */
  resources(suffix: string, type: string): any[] {
    return Object.values(this.stack(suffix).resource?.[type] ?? {});
  }

  /**
   * Follows a `${data.terraform_remote_state.<x>.outputs.<o>}` expression in `suffix`'s
   * stack to the origin stack's expression; returns [origin stack suffix, expression].
   */
  resolve(suffix: string, expression: string): [string, string] {
    const m = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-([^.]+)\.outputs\.([^}]+)\}$/.exec(expression);
    if (!m) return [suffix, expression];
    const origin = this.stacks.get(m[1]);
    const value = origin?.output?.[m[2]]?.value;
    if (typeof value !== "string") throw new Error(`unresolvable cross-stack reference ${expression}`);
    return [m[1].slice(this.env.name.length + 1), value];
  }

  /** The resource an `${type.id.attr}` expression (possibly cross-stack) points to. */
  target(suffix: string, expression: string): { stack: string; type: string; resource: any } {
    const [stack, resolved] = this.resolve(suffix, expression);
    const m = /^\$\{([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/.exec(resolved);
    if (!m) throw new Error(`not a resource reference: ${resolved}`);
    const resource = this.stack(stack).resource?.[m[1]]?.[m[2]];
    if (!resource) throw new Error(`no resource ${m[1]}.${m[2]} in ${stack}`);
    return { stack, type: m[1], resource };
  }
}

/**
 * Runs the CLI's main() in this process, capturing its output: the same code path as
 * bin/factory.js without a node start-up per call (tests of the bin itself spawn it).
 */
export async function runFactoryInProcess(args: string[]): Promise<CliRun> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the tests that run the CLI load it
  const { main }: typeof import("../cli/factory") = require("../cli/factory");
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

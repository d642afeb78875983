// Shared test fixtures: the example environment, variations of it, and CLI runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseEnvironment } from "../config/load";
import type { Environment } from "../config/schema";

export const REPO = path.resolve(__dirname, "..", "..");
export const EXAMPLE = path.join(REPO, "environments", "example.yaml");
export const FACTORY_BIN = path.join(REPO, "bin", "factory.js");

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

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runFactory(args: string[], cwd = REPO): CliRun {
  const r = spawnSync(process.execPath, [FACTORY_BIN, ...args], { cwd, encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

import { App, Testing } from "cdktf";
import { addEnvironment } from "../stacks/image-factory";

/** Synthesizes an environment's stacks in memory: stack name → Terraform JSON text. */
export function synthEnvironment(env: Environment): Map<string, string> {
  const app = Testing.app({ stackTraces: false });
  const stacks = addEnvironment(app as App, env);
  return new Map(stacks.map((s) => [s.node.id, Testing.synth(s)]));
}

/** The resources of one type in a synthesized stack, by logical id. */
export function resourcesOf(synth: string, type: string): Record<string, any> {
  return JSON.parse(synth).resource?.[type] ?? {};
}

// Terraform's own validation of Terraform JSON configurations, offline, with the real
// providers: `terraform init` once per distinct set of required providers (from the local
// mirror, into a shared data directory), then `terraform validate -json` on a scratch copy
// of each configuration, in parallel. Validation runs the providers' own checks
// (value formats, ranges, conflicting arguments) besides Terraform core's.
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { findToolchain, terraformEnv, Toolchain } from "./toolchain";

export interface CheckTarget {
  /** Stack name, used in messages and as the scratch directory's name. */
  readonly name: string;
  /** Directory holding the configuration (cdk.tf.json or any *.tf.json). */
  readonly dir: string;
}

export interface TerraformDiagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  /** Where: a resource address (TYPE.NAME) or file and line. */
  readonly address?: string;
}

export interface StackResult {
  readonly stack: string;
  readonly valid: boolean;
  readonly diagnostics: TerraformDiagnostic[];
  /** Wall time of this stack's validate (its share of the init is not counted). */
  readonly seconds: number;
}

export interface ValidateOptions {
  /** Stacks validated at once; default: one per core. */
  readonly concurrency?: number;
  /** default: the toolchain tools/providers/build made */
  readonly toolchain?: Toolchain;
}

/** Every stack of a `factory synth` / `cdktf synth` output directory. */
export function synthesizedStacks(synthDir: string): CheckTarget[] {
  const stacksDir = path.join(synthDir, "stacks");
  if (!existsSync(stacksDir)) throw new Error(`${synthDir}: no stacks/ directory; is this a synth output directory?`);
  return readdirSync(stacksDir)
    .filter((name) => existsSync(path.join(stacksDir, name, "cdk.tf.json")))
    .sort()
    .map((name) => ({ name, dir: path.join(stacksDir, name) }));
}

/** One line per diagnostic: `<stack>: <severity>: <summary>: <detail> (<address>)`. */
export function formatDiagnostic(stack: string, d: TerraformDiagnostic): string {
  const detail = d.detail.replace(/\s+/g, " ").trim();
  return `${stack}: ${d.severity}: ${d.summary}${detail ? `: ${detail}` : ""}${d.address ? ` (${d.address})` : ""}`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A diagnostic as Terraform's JSON output has it; only the fields read here, none promised. */
interface RawDiagnostic {
  readonly severity?: unknown;
  readonly summary?: unknown;
  readonly detail?: unknown;
  readonly address?: unknown;
  readonly snippet?: { readonly context?: unknown };
  readonly range?: { readonly filename?: unknown; readonly start?: { readonly line?: unknown } };
}

function diagnosticFrom(raw: RawDiagnostic): TerraformDiagnostic {
  const where = raw.address ?? raw.snippet?.context ?? (raw.range ? `${raw.range.filename}:${raw.range.start?.line}` : undefined);
  return {
    severity: raw.severity === "warning" ? "warning" : "error",
    summary: String(raw.summary ?? ""),
    detail: String(raw.detail ?? ""),
    ...(where ? { address: String(where) } : {}),
  };
}

/** `terraform init -json` prints one JSON message a line; the diagnostics are among them. */
function initDiagnostics(r: Run): TerraformDiagnostic[] {
  const found = r.stdout
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return []; // not one of init's JSON messages
      }
    })
    .filter((m) => m?.type === "diagnostic" && m.diagnostic)
    .map((m) => diagnosticFrom(m.diagnostic));
  return found.some((d) => d.severity === "error") ? found : [...found, failure("terraform init failed", r)];
}

function failure(summary: string, r: Run): TerraformDiagnostic {
  return { severity: "error", summary, detail: `exit code ${r.code}: ${(r.stderr || r.stdout).trim()}` };
}

/** The `terraform.required_providers` of a configuration directory's *.tf.json files. */
function requiredProviders(dir: string): Record<string, unknown> {
  const required: Record<string, unknown> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".tf.json"))
    .sort()) {
    const config = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
    Object.assign(required, config?.terraform?.required_providers ?? {});
  }
  return required;
}

/** An initialized set of providers: its data directory and lock file, shared by the stacks needing it. */
interface ProviderSet {
  readonly dir: string;
  readonly init: Promise<TerraformDiagnostic[] | undefined>;
}

/** Validates every target, `concurrency` at a time; results in the targets' order. */
export async function validateConfigurations(targets: readonly CheckTarget[], options: ValidateOptions = {}): Promise<StackResult[]> {
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new Error(`two configurations are named "${t.name}"`);
    names.add(t.name);
  }
  const toolchain = options.toolchain ?? findToolchain();
  const env = terraformEnv(toolchain);
  const terraform = (args: string[], cwd: string, more: NodeJS.ProcessEnv = {}) => run(toolchain.terraform, args, cwd, { ...env, ...more });
  const workDir = mkdtempSync(path.join(tmpdir(), "factory-check-"));
  try {
    // One init per distinct set of required providers (usually one for all stacks).
    const sets = new Map<string, ProviderSet>();
    const providerSet = (required: Record<string, unknown>): ProviderSet => {
      const key = JSON.stringify(Object.entries(required).sort(([a], [b]) => a.localeCompare(b)));
      let set = sets.get(key);
      if (!set) {
        const dir = path.join(workDir, `providers-${sets.size}`);
        mkdirSync(dir);
        writeFileSync(path.join(dir, "providers.tf.json"), JSON.stringify({ terraform: { required_providers: required } }));
        const init = terraform(["init", "-backend=false", "-input=false", "-json"], dir).then((r) =>
          r.code === 0 ? undefined : initDiagnostics(r),
        );
        set = { dir, init };
        sets.set(key, set);
      }
      return set;
    };

    const validateOne = async (target: CheckTarget): Promise<StackResult> => {
      const set = providerSet(requiredProviders(target.dir));
      const initProblems = await set.init;
      const started = process.hrtime.bigint();
      const result = (valid: boolean, diagnostics: TerraformDiagnostic[]): StackResult => ({
        stack: target.name,
        valid,
        diagnostics,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
      if (initProblems) return result(false, initProblems);
      // A copy of the configuration only: no .terraform, no state, no lock file of its own.
      const scratch = path.join(workDir, "stacks", target.name);
      cpSync(target.dir, scratch, { recursive: true, filter: (src) => !/^\.terraform|\.tfstate/.test(path.basename(src)) });
      const lockFile = path.join(set.dir, ".terraform.lock.hcl");
      if (existsSync(lockFile)) copyFileSync(lockFile, path.join(scratch, ".terraform.lock.hcl"));
      const validate = await terraform(["validate", "-json", "-no-color"], scratch, { TF_DATA_DIR: path.join(set.dir, ".terraform") });
      let report: { valid?: unknown; diagnostics?: RawDiagnostic[] };
      try {
        report = JSON.parse(validate.stdout);
      } catch {
        return result(false, [failure("terraform validate failed", validate)]);
      }
      return result(report.valid === true && validate.code === 0, (report.diagnostics ?? []).map(diagnosticFrom));
    };

    const results: StackResult[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const i = next++;
        results[i] = await validateOne(targets[i]);
      }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), targets.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return results;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

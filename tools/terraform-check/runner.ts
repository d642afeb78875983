// Runs Terraform itself on Terraform JSON configurations, offline: each configuration
// gets a scratch copy (no lock file, no .terraform), `terraform init -backend=false`
// from the schema-served mirror, and `terraform validate -json`.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { buildMirror, Mirror } from "./mirror";

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
  /** Where: a resource address (resource.TYPE.NAME) or file and line. */
  readonly address?: string;
}

export interface StackResult {
  readonly stack: string;
  readonly valid: boolean;
  readonly diagnostics: TerraformDiagnostic[];
  /** Wall time of this stack's init and validate. */
  readonly seconds: number;
}

export interface CheckOptions {
  /** Stacks checked at once; default: one per core. */
  readonly concurrency?: number;
  readonly terraform?: string;
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

export interface Run {
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
    child.on("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "ENOENT" ? new Error(`${command} not found on PATH; the check needs the Terraform CLI (>= 1.5)`) : err),
    );
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function diagnosticFrom(raw: any): TerraformDiagnostic {
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

/**
 * A private Terraform setup for one run: the schema-served mirror, a CLI configuration
 * that installs from it, and scratch directories for configurations.
 */
export class TerraformSandbox {
  readonly env: NodeJS.ProcessEnv;
  readonly mirror: Mirror;
  private readonly workDir: string;

  constructor(readonly terraform = "terraform") {
    this.workDir = mkdtempSync(path.join(tmpdir(), "terraform-check-"));
    try {
      this.mirror = buildMirror(this.workDir);
      this.env = {
        ...process.env,
        TF_CLI_CONFIG_FILE: this.mirror.cliConfigFile,
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        CHECKPOINT_DISABLE: "1",
      };
      // These would point every stack at the same data directory or at other plugins.
      for (const v of ["TF_DATA_DIR", "TF_REATTACH_PROVIDERS", "TF_PLUGIN_CACHE_DIR", "TF_WORKSPACE"]) delete this.env[v];
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** A copy of the configuration only: no lock file, no .terraform, no state. */
  scratchCopy(target: CheckTarget): string {
    const scratch = path.join(this.workDir, "stacks", target.name);
    cpSync(target.dir, scratch, { recursive: true, filter: (src) => !/^\.terraform|\.tfstate/.test(path.basename(src)) });
    return scratch;
  }

  terraformRun(args: string[], cwd: string): Promise<Run> {
    return run(this.terraform, args, cwd, this.env);
  }

  dispose(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

async function checkOne(sandbox: TerraformSandbox, target: CheckTarget): Promise<StackResult> {
  const started = process.hrtime.bigint();
  const result = (valid: boolean, diagnostics: TerraformDiagnostic[]): StackResult => ({
    stack: target.name,
    valid,
    diagnostics,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  });
  const scratch = sandbox.scratchCopy(target);
  const init = await sandbox.terraformRun(["init", "-backend=false", "-input=false", "-json"], scratch);
  if (init.code !== 0) return result(false, initDiagnostics(init));

  const validate = await sandbox.terraformRun(["validate", "-json", "-no-color"], scratch);
  let report: any;
  try {
    report = JSON.parse(validate.stdout);
  } catch {
    return result(false, [failure("terraform validate failed", validate)]);
  }
  return result(report.valid === true && validate.code === 0, (report.diagnostics ?? []).map(diagnosticFrom));
}

/** Checks every target, `concurrency` at a time; results in the targets' order. */
export async function checkConfigurations(targets: readonly CheckTarget[], options: CheckOptions = {}): Promise<StackResult[]> {
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new Error(`two configurations are named "${t.name}"`);
    names.add(t.name);
  }
  const sandbox = new TerraformSandbox(options.terraform);
  try {
    const results: StackResult[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const i = next++;
        results[i] = await checkOne(sandbox, targets[i]);
      }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), targets.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return results;
  } finally {
    sandbox.dispose();
  }
}

// One environment deployed to the local cloud the way the README tells users to: the
// real `cdktf` CLI (`cdktf deploy|destroy`, which synthesizes through cdktf.json's app)
// with the real provider from the local mirror, and plain `terraform plan` in the
// synthesized stack directories. Everything lives in a temporary directory: the
// environment file, the synth output and the local state files.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { findToolchain, terraformEnv, Toolchain } from "../../cli/terraform/toolchain";
import { REPO } from "../helpers";

export interface CloudAccess {
  /** The local cloud's clouds.yaml: an entry per cloud name, and the admin's. */
  readonly cloudsYaml: string;
  readonly adminCloud: string;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** What `terraform plan` would do to one resource. */
interface PlannedChange {
  readonly address: string;
  readonly actions: string[];
  /** Top-level arguments whose value changes (for messages). */
  readonly changed: string[];
}

export interface Plan {
  /** `-detailed-exitcode`: 0 nothing to do, 2 changes. */
  readonly exitCode: number;
  readonly changes: PlannedChange[];
}

/** The "<stack>  <address> (<path>): Creation complete after 1m5s" lines of cdktf's output. */
function creationTimes(output: string): { stack: string; address: string; seconds: number }[] {
  const found = [];
  for (const m of output.matchAll(/^(\S+)\s+(\S+?)(?: \([^)]*\))?: Creation complete after (?:(\d+)h)?(?:(\d+)m)?(\d+)s/gm)) {
    found.push({ stack: m[1], address: m[2], seconds: Number(m[3] ?? 0) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5]) });
  }
  return found;
}

/** Process groups of the cdktf and terraform runs under way: stopped with the test run. */
const running = new Set<number>();
function stopRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
}
process.on("exit", stopRunning);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    stopRunning();
    process.kill(process.pid, signal);
  });
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutSeconds = 1800): Promise<Run> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout or the end of the test run stops all of it.
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(child.pid!);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutSeconds} s)`;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
    }, timeoutSeconds * 1000);
    child.on("error", reject);
    child.on("close", (code) => {
      running.delete(child.pid!);
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    });
  });
}

/** For failure messages: every error block of a run's output (cdktf interleaves stacks), else its last lines. */
export function tailOf(r: Run, lines = 40): string {
  const all = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const errors = all.flatMap((line, i) => (/\bError\b/.test(line) ? [all.slice(i, i + 12).join("\n")] : []));
  return errors.length > 0 ? errors.join("\n...\n") : all.slice(-lines).join("\n");
}

export class Deployment {
  readonly dir: string;
  readonly envFile: string;
  readonly outDir: string;
  private readonly toolchain: Toolchain = findToolchain();
  /** Seconds each cdktf call took, for the suite's figures. */
  readonly timings: { what: string; seconds: number }[] = [];

  constructor(
    private data: any,
    readonly cloud: CloudAccess,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), `cloud-${data.name}-`));
    this.envFile = path.join(this.dir, `${data.name}.yaml`);
    this.outDir = path.join(this.dir, "cdktf.out");
    this.write();
  }

  get name(): string {
    return this.data.name;
  }

  stack(suffix: string): string {
    return `${this.name}-${suffix}`;
  }

  /** The environment file's data as it is now (a copy). */
  get environment(): any {
    return structuredClone(this.data);
  }

  /** Changes the environment file, as a user edits it before the next deploy. */
  edit(change: (data: any) => void): void {
    const data = structuredClone(this.data);
    change(data);
    this.data = data;
    this.write();
  }

  private write(): void {
    writeFileSync(this.envFile, stringify(this.data));
  }

  /** For the providers and the openstack SDK: the local cloud's credentials, nothing of the machine's. */
  get env(): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|FACTORY_CONFIG$|CDKTF_)/.test(k)) base[k] = v;
    return {
      ...terraformEnv(this.toolchain, base),
      OS_CLIENT_CONFIG_FILE: this.cloud.cloudsYaml,
      FACTORY_CONFIG: this.envFile,
      TERRAFORM_BINARY_NAME: this.toolchain.terraform,
      // cdktf would point TF_PLUGIN_CACHE_DIR elsewhere; the CLI configuration has one.
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
      CI: "1",
      FORCE_COLOR: "0",
      NO_COLOR: "1",
    };
  }

  /** Synthesizes the environment file as it is now into the output directory, as `cdktf synth`
   * does (cdktf.json's app, with the --output directory in CDKTF_OUTDIR); Terraform's
   * working directories (.terraform/) in it stay. */
  async synth(): Promise<void> {
    const r = await run(process.execPath, [path.join(REPO, "dist", "main.js")], REPO, { ...this.env, CDKTF_OUTDIR: this.outDir });
    if (r.code !== 0) throw new Error(`synth of ${this.envFile} failed:\n${tailOf(r)}`);
  }

  /** `cdktf deploy|destroy STACK... --auto-approve`; throws with cdktf's output on failure. */
  async cdktf(command: "deploy" | "destroy", stacks: string[], extra: string[] = []): Promise<Run> {
    const args = [
      path.join(REPO, "node_modules", ".bin", "cdktf"),
      command,
      ...stacks,
      "--auto-approve",
      // `terraform providers lock` asks the registry, whatever the CLI configuration says.
      "--skip-provider-lock",
      "--no-color",
      "--output",
      this.outDir,
      ...extra,
    ];
    const r = await run(process.execPath, args, REPO, this.env);
    const created = creationTimes(r.stdout);
    const slowest = created
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3)
      .map((c) => `${c.address} ${c.seconds} s`);
    const detail = created.length ? ` (${created.length} resources created; slowest: ${slowest.join(", ")})` : "";
    this.timings.push({ what: `cdktf ${command} ${stacks.join(" ")}${detail}`, seconds: r.seconds });
    if (r.code !== 0) throw new Error(`cdktf ${command} ${stacks.join(" ")} failed (exit ${r.code}):\n${tailOf(r)}`);
    return r;
  }

  /**
   * `cdktf deploy` of the given stacks in dependency order; one stack alone is deployed on
   * top of the stacks it depends on (cdktf refuses that without
   * --ignore-missing-stack-dependencies, and with that flag it orders nothing at all).
   */
  deploy(...stacks: string[]): Promise<Run> {
    return this.cdktf("deploy", stacks, stacks.length === 1 ? ["--ignore-missing-stack-dependencies"] : []);
  }

  /**
   * `cdktf destroy`, one stack per call, in the order given: cdktf 0.21 given several
   * stacks with --ignore-missing-stack-dependencies destroys them and then never exits,
   * its memory growing (hashicorp/terraform-cdk#2615; seen here).
   */
  async destroy(...stacks: string[]): Promise<void> {
    for (const stack of stacks) await this.cdktf("destroy", [stack], ["--ignore-missing-stack-dependencies"]);
  }

  stackDir(stack: string): string {
    return path.join(this.outDir, "stacks", stack);
  }

  /** `terraform ARGS` in a synthesized stack's directory (initialized first if cdktf has not). */
  async terraform(stack: string, args: string[]): Promise<Run> {
    const dir = this.stackDir(stack);
    if (!existsSync(path.join(dir, ".terraform"))) {
      const init = await run(this.toolchain.terraform, ["init", "-input=false", "-no-color"], dir, this.env);
      if (init.code !== 0) throw new Error(`terraform init in ${stack} failed:\n${tailOf(init)}`);
    }
    return run(this.toolchain.terraform, args, dir, this.env);
  }

  /**
   * `terraform plan -detailed-exitcode` of a stack as it is synthesized now. With `keep`,
   * the saved plan stays for `applyPlan` (what is applied is exactly what was planned).
   */
  async plan(stack: string, extra: string[] = [], keep = false): Promise<Plan & { planFile?: string }> {
    const planFile = path.join(this.dir, `${stack}.tfplan`);
    const r = await this.terraform(stack, ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-out=${planFile}`, ...extra]);
    if (r.code !== 0 && r.code !== 2) throw new Error(`terraform plan of ${stack} failed (exit ${r.code}):\n${tailOf(r)}`);
    const shown = await this.terraform(stack, ["show", "-json", planFile]);
    if (!keep) rmSync(planFile, { force: true });
    const json = JSON.parse(shown.stdout);
    const changes = (json.resource_changes ?? [])
      .filter((c: any) => !(c.change.actions.length === 1 && ["no-op", "read"].includes(c.change.actions[0])))
      .map((c: any) => ({
        address: c.address,
        actions: c.change.actions,
        changed: Object.keys({ ...(c.change.before ?? {}), ...(c.change.after ?? {}) }).filter(
          (k) => JSON.stringify(c.change.before?.[k]) !== JSON.stringify(c.change.after?.[k]) || c.change.after_unknown?.[k] === true,
        ),
      }));
    return { exitCode: r.code, changes, ...(keep ? { planFile } : {}) };
  }

  /** `terraform apply` of a saved plan. */
  async applyPlan(stack: string, planFile: string): Promise<void> {
    const r = await this.terraform(stack, ["apply", "-input=false", "-no-color", planFile]);
    rmSync(planFile, { force: true });
    this.timings.push({ what: `terraform apply ${stack}`, seconds: r.seconds });
    if (r.code !== 0) throw new Error(`terraform apply of ${stack} failed (exit ${r.code}):\n${tailOf(r)}`);
  }

  /** What a stack's state holds (`terraform state list`); none when it was never applied. */
  async stateResources(stack: string): Promise<string[]> {
    if (!existsSync(this.stackDir(stack))) return [];
    const r = await this.terraform(stack, ["state", "list"]);
    return r.code === 0 ? r.stdout.split("\n").filter((l) => l && !l.startsWith("data.")) : [];
  }

  /**
   * Destroys whatever a stack's state holds, whatever the environment file says now: its
   * configuration is cut down to the provider blocks, so the plan removes everything
   * (prevent_destroy included) without evaluating references that may no longer resolve.
   * For the test's safety net only; users destroy with cdktf.
   */
  async forceDestroy(stack: string, extra: string[] = []): Promise<void> {
    if ((await this.stateResources(stack)).length === 0) return;
    const file = path.join(this.stackDir(stack), "cdk.tf.json");
    const config = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ terraform: config.terraform, provider: config.provider }));
    const r = await this.terraform(stack, ["apply", "-auto-approve", "-input=false", "-no-color", ...extra]);
    if (r.code !== 0) throw new Error(`cleaning up ${stack} failed (exit ${r.code}):\n${tailOf(r)}`);
  }

  /** `terraform output -json` of a deployed stack, as plain values. */
  async outputs(stack: string): Promise<Record<string, any>> {
    const r = await this.terraform(stack, ["output", "-json"]);
    if (r.code !== 0) throw new Error(`terraform output of ${stack} failed:\n${tailOf(r)}`);
    return Object.fromEntries(Object.entries<any>(JSON.parse(r.stdout)).map(([k, v]) => [k, v.value]));
  }

  /** The synthesized Terraform JSON of a stack (after the last cdktf call). */
  synthesized(stack: string): any {
    return JSON.parse(readFileSync(path.join(this.stackDir(stack), "cdk.tf.json"), "utf8"));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// One environment file's factory on the local cloud, for the cloud suites: its deployment,
// what its tenants hold, its stacks' plans, and its teardown — the user's way (cdktf,
// one stack at a time) and a safety net for a run that stopped half-way.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseEnvironment } from "../../config/load";
import type { Environment } from "../../config/schema";
import { inspect, localCloud, TenantView } from "./cloud";
import type { DeployedViews } from "./checks";
import { Deployment } from "./deployment";

/** The variables the pipeline applies a build-host template with (stage 2). */
export const BUILD_HOST_VARS = [
  "-var=build_id=20261201t1200-image-build-7",
  "-var=agent_public_key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky jenkins@factory",
  "-var=keep=false",
];

/** What a tenant holds that a deployment makes (Neutron's own "default" group aside). */
export function leftovers(t: TenantView) {
  return {
    servers: t.servers.map((s) => s.name),
    server_groups: t.server_groups.map((g) => g.name),
    keypairs: t.keypairs,
    ports: t.ports.map((p) => `${p.name} (${p.device_owner})`),
    networks: t.networks,
    subnets: t.subnets.map((s) => s.name),
    routers: t.routers.map((r) => r.name),
    security_groups: t.security_groups.map((g) => g.name).filter((n) => n !== "default"),
    floating_ips: t.floating_ips.map((f) => f.address),
    volumes: t.volumes.map((v) => v.name),
  };
}
export const EMPTY: ReturnType<typeof leftovers> = {
  servers: [],
  server_groups: [],
  keypairs: [],
  ports: [],
  networks: [],
  subnets: [],
  routers: [],
  security_groups: [],
  floating_ips: [],
  volumes: [],
};

export class FactoryOnCloud {
  readonly cloud = localCloud();
  readonly d: Deployment;
  /** The deployable stacks in manifest order (the build-host templates are the pipeline's). */
  readonly stacks: string[];
  private tornDown = false;

  /** `change` adapts the file for the test (readiness checks off: the fake hypervisor boots nothing that answers SSH). */
  constructor(file: string, change: (data: any) => void = () => {}) {
    const data = parse(readFileSync(file, "utf8"));
    data.readinessCheck = false;
    change(data);
    this.d = new Deployment(data, this.cloud);
    const env = this.env();
    this.stacks = ["network", "data", "factory", ...(env.web && env.web.count > 0 ? ["web"] : [])].map((s) => this.d.stack(s));
  }

  /** The environment file as the deployment has it now, validated. */
  env(): Environment {
    return parseEnvironment(this.d.envFile, readFileSync(this.d.envFile, "utf8")).env;
  }

  /** What the factory's and the web tenant's projects hold now. */
  views(): DeployedViews {
    const e = this.env();
    const web = e.web?.cloud ?? e.cloud;
    const all = inspect(this.cloud, [e.cloud, web]);
    return { factory: all[e.cloud], web: all[web] };
  }

  async outputs(): Promise<{ factory: Record<string, any>; web?: Record<string, any> }> {
    const web = this.stacks.includes(this.d.stack("web")) ? await this.d.outputs(this.d.stack("web")) : undefined;
    return { factory: await this.d.outputs(this.d.stack("factory")), ...(web ? { web } : {}) };
  }

  /** `terraform plan` of the stacks: the changes as "<stack> <address> <actions> (<arguments>)". */
  async planned(which = this.stacks): Promise<string[]> {
    const lines: string[] = [];
    for (const s of which) {
      const p = await this.d.plan(s);
      for (const c of p.changes) lines.push(`${s} ${c.address} ${c.actions.join("+")} (${c.changed.join(", ")})`);
      if ((p.exitCode === 0) !== (p.changes.length === 0)) lines.push(`${s}: exit code ${p.exitCode} with ${p.changes.length} changes`);
    }
    return lines.sort();
  }

  /** The user's teardown: cdktf destroy stack by stack; the data stack's protection removed first, on purpose. Returns what failed. */
  async teardown(): Promise<string[]> {
    this.tornDown = true;
    const failed: string[] = [];
    const [network, data, ...rest] = this.stacks;
    for (const stack of rest.reverse()) await this.d.destroy(stack).catch((e) => failed.push(String(e)));
    const dataJson = path.join(this.d.stackDir(data), "cdk.tf.json");
    writeFileSync(dataJson, readFileSync(dataJson, "utf8").replace(/"prevent_destroy": true/g, '"prevent_destroy": false'));
    for (const stack of [data, network]) {
      const r = await this.d.terraform(stack, ["destroy", "-auto-approve", "-input=false", "-no-color"]);
      if (r.code !== 0) failed.push(`terraform destroy of ${stack}: exit ${r.code}: ${r.stderr.slice(-2000)}`);
    }
    return failed;
  }

  /** After the suite: whatever a run that stopped half-way left is destroyed; the figures are printed. */
  async finish(): Promise<void> {
    if (!this.tornDown) {
      const templates = this.env().buildHosts.templates.map((t) => this.d.stack(`build-host-${t.name}`));
      for (const stack of [...templates, ...[...this.stacks].reverse()]) {
        await this.d
          .forceDestroy(stack, stack.includes("-build-host-") ? BUILD_HOST_VARS : [])
          .catch((e) => process.stderr.write(`${e}\n`));
      }
    }
    process.stdout.write(
      `cloud test figures (${this.d.name}):\n${this.d.timings.map((t) => `  ${t.what}: ${t.seconds.toFixed(0)} s`).join("\n")}\n`,
    );
    this.d.dispose();
  }
}

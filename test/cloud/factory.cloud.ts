// The example factory on the local cloud, as a platform team lives with it: `cdktf
// deploy` of every stack, read back from the cloud; a second plan with nothing to do;
// the factory torn down and recreated with its data; changes of daily life, each planned
// (and compared with what `factory diff` said) before it is applied; a build host
// applied and destroyed by its template; and a full teardown that leaves nothing behind.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { parseEnvironment } from "../../config/load";
import type { Environment } from "../../config/schema";
import { EXAMPLE, runFactory } from "../helpers";
import { asAdmin, growCloud, inspect, localCloud, TenantView } from "./cloud";
import { Deployment, Plan, tailOf } from "./deployment";
import { deployedProblems } from "./checks";

jest.setTimeout(40 * 60 * 1000);

const cloud = localCloud();
const base = parse(readFileSync(EXAMPLE, "utf8"));
// Readiness checks off in this test only: the fake hypervisor boots nothing that answers SSH.
base.readinessCheck = false;
const d = new Deployment(base, cloud);
const env = (): Environment => parseEnvironment(d.envFile, readFileSync(d.envFile, "utf8")).env;
const stacks = ["network", "data", "factory", "web"].map((s) => d.stack(s));
const views = () => {
  const e = env();
  const all = inspect(cloud, [e.cloud, e.web?.cloud ?? e.cloud]);
  return { factory: all[e.cloud], web: all[e.web?.cloud ?? e.cloud] };
};
const outputs = async () => ({ factory: await d.outputs(d.stack("factory")), web: await d.outputs(d.stack("web")) });

/** `terraform plan` of every given stack: the changes, "<stack> <address> <actions>" each. */
async function planned(which = stacks): Promise<string[]> {
  const lines: string[] = [];
  for (const s of which) {
    const p: Plan = await d.plan(s);
    for (const c of p.changes) lines.push(`${s} ${c.address} ${c.actions.join("+")} (${c.changed.join(", ")})`);
    if ((p.exitCode === 0) !== (p.changes.length === 0)) lines.push(`${s}: exit code ${p.exitCode} with ${p.changes.length} changes`);
  }
  return lines.sort();
}

let tornDown = false;
const BUILD_HOST_VARS = [
  "-var=build_id=20261201t1200-image-build-7",
  "-var=agent_public_key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky jenkins@factory",
  "-var=keep=false",
];

/** Destroys every stack, the data stack's protection removed first as a user must; returns what failed. */
async function teardown(): Promise<string[]> {
  tornDown = true;
  const failed: string[] = [];
  await d.destroy(d.stack("web"), d.stack("factory")).catch((e) => failed.push(String(e)));
  const dataJson = path.join(d.stackDir(d.stack("data")), "cdk.tf.json");
  writeFileSync(dataJson, readFileSync(dataJson, "utf8").replace(/"prevent_destroy": true/g, '"prevent_destroy": false'));
  for (const stack of [d.stack("data"), d.stack("network")]) {
    const r = await d.terraform(stack, ["destroy", "-auto-approve", "-input=false", "-no-color"]);
    if (r.code !== 0) failed.push(`terraform destroy of ${stack}: exit ${r.code}: ${r.stderr.slice(-2000)}`);
  }
  return failed;
}

afterAll(async () => {
  // A run that stopped half-way leaves nothing behind for the next one either.
  if (!tornDown) {
    for (const stack of [d.stack("build-host-dib"), d.stack("web"), d.stack("factory"), d.stack("data"), d.stack("network")]) {
      await d.forceDestroy(stack, stack.includes("build-host") ? BUILD_HOST_VARS : []).catch((e) => process.stderr.write(`${e}\n`));
    }
  }
  process.stdout.write(`cloud test figures (${d.name}):\n${d.timings.map((t) => `  ${t.what}: ${t.seconds.toFixed(0)} s`).join("\n")}\n`);
  d.dispose();
});

/** What a tenant holds that a deployment would have made (Neutron's "default" group aside). */
function leftovers(t: TenantView) {
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
const EMPTY = { servers: [], server_groups: [], keypairs: [], ports: [], networks: [], subnets: [], routers: [], security_groups: [], floating_ips: [], volumes: [] };

describe("deployed from nothing", () => {
  test("the tenants start empty (a leftover deployment would falsify everything below)", () => {
    for (const [label, t] of Object.entries(views())) expect({ label, left: leftovers(t) }).toEqual({ label, left: EMPTY });
  });

  test("cdktf deploy of every stack, in manifest order", async () => {
    await d.deploy(...stacks);
  });

  test("the cloud holds what the user asked for, and the outputs say what is true", async () => {
    expect(deployedProblems(env(), views(), await outputs())).toEqual([]);
  });

  test("a second plan of every stack has nothing to do", async () => {
    expect(await planned()).toEqual([]);
  });
});

describe("teardown and recreate of the factory", () => {
  let before: TenantView;

  test("destroying <env>-factory keeps volumes, fixed ports and floating IPs, and nothing else of it", async () => {
    before = views().factory;
    await d.destroy(d.stack("factory"));
    const after = views().factory;
    expect(after.servers).toEqual([]);
    expect(after.keypairs).toEqual([]);
    expect(after.server_groups).toEqual([]);
    // Volumes, fixed ports and floating IPs (the data stack) survive, detached.
    expect(after.volumes.map((v) => [v.id, v.status])).toEqual(before.volumes.map((v) => [v.id, "available"]));
    const fixedPorts = [`${d.name}-jenkins`, `${d.name}-nfs`];
    expect(after.ports.filter((p) => fixedPorts.includes(p.name)).map((p) => [p.id, p.fixed_ips, p.device_id])).toEqual(
      before.ports.filter((p) => fixedPorts.includes(p.name)).map((p) => [p.id, p.fixed_ips, ""]),
    );
    expect(after.floating_ips.map((f) => [f.id, f.address, f.port_id])).toEqual(before.floating_ips.map((f) => [f.id, f.address, null]));
    // The jump hosts' ports are the servers' (the factory stack's): gone with them.
    expect(after.ports.filter((p) => /-jump-\d+$/.test(p.name))).toEqual([]);
  });

  test("deploying it again gives back the same addresses, and the same volumes attached", async () => {
    await d.deploy(d.stack("factory"));
    const again = views();
    expect(deployedProblems(env(), again, await outputs())).toEqual([]);
    expect(again.factory.volumes.map((v) => v.id)).toEqual(before.volumes.map((v) => v.id));
    expect(again.factory.floating_ips.map((f) => [f.address, f.fixed_ip_address])).toEqual(before.floating_ips.map((f) => [f.address, f.fixed_ip_address]));
    expect(await planned()).toEqual([]);
  });
});

test("destroying <env>-data is refused by prevent_destroy", async () => {
  const r = await d.terraform(d.stack("data"), ["plan", "-destroy", "-input=false", "-no-color"]);
  expect(r.code).toBe(1);
  expect(r.stderr.replace(/\s+/g, " ")).toContain("Instance cannot be destroyed");
});

/**
 * A change of the environment file: what `factory diff` says of each resource must be what
 * `terraform plan` says on the deployed base (every disagreement is a bug in one of them),
 * the plan must be exactly what the change means (`expected`, one pattern per planned
 * "<stack> <address> <action>"), and once applied nothing is left to do.
 */
async function change(description: string, edit: (data: any) => void, expected: RegExp[]): Promise<void> {
  const baseOut = mkdtempSync(path.join(tmpdir(), "cloud-base-"));
  cpSync(d.outDir, baseOut, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
  d.edit(edit);
  await d.synth();
  const diff = runFactory(["diff", "--base-dir", baseOut, "--head-dir", d.outDir, "--format", "json"]);
  rmSync(baseOut, { recursive: true, force: true });
  expect({ description, status: diff.status, stderr: diff.stderr }).toEqual({ description, status: 2, stderr: "" });
  const said = diffActions(JSON.parse(diff.stdout));
  // Stack by stack, as cdktf deploys: a stack's plan needs its upstream stacks' new outputs.
  const truth: string[] = [];
  for (const stack of stacks) {
    const plan = await d.plan(stack, [], true);
    truth.push(...plan.changes.map((c) => `${stack} ${c.address} ${PLAN_ACTION[c.actions.join("+")] ?? c.actions.join("+")}`));
    if (plan.exitCode === 2) await d.applyPlan(stack, plan.planFile!);
  }
  truth.sort();
  expect({ description, diff: said }).toEqual({ description, diff: truth });
  const unexplained = truth.filter((line) => !expected.some((e) => e.test(line)));
  const missing = expected.filter((e) => !truth.some((line) => e.test(line))).map(String);
  expect({ description, unexplained, missing }).toEqual({ description, unexplained: [], missing: [] });
  expect({ description, after: await planned() }).toEqual({ description, after: [] });
}

const PLAN_ACTION: Record<string, string> = {
  create: "add",
  delete: "remove",
  "delete+create": "replace",
  "create+delete": "replace",
  update: "update",
};

/** `factory diff --format json` as "<stack> <address> <action>" lines, in Terraform's words. */
function diffActions(report: any): string[] {
  const lines: string[] = [];
  for (const e of report.environments ?? []) {
    for (const s of e.stacks ?? []) {
      if (/-build-host-/.test(s.name)) continue; // applied by the pipeline, not deployed here
      for (const r of s.resources ?? []) {
        if (r.action === "deferred") continue; // ignore_changes: Terraform plans nothing
        lines.push(`${s.name} ${r.address} ${r.action === "rebuild" ? "update" : r.action}`);
      }
    }
  }
  return lines.sort();
}

describe("changes of daily life, planned as factory diff says, applied without harm", () => {
  const server = (stack: string, path: string, action: string) =>
    new RegExp(`^${d.stack(stack)} openstack_compute_instance_v2\\.${path}_instance_[0-9A-F]{8} ${action}$`);

  test("grow the NFS data volume: extended in place, attached all along", async () => {
    const id = views().factory.volumes.find((v) => v.name === `${d.name}-nfs-data`)!.id;
    await change("grow the NFS data volume", (x) => (x.servers.nfs.dataVolumeGb += 100), [
      new RegExp(`^${d.stack("data")} openstack_blockstorage_volume_v3\\.nfs-data update$`),
    ]);
    const v = views().factory.volumes.find((x) => x.name === `${d.name}-nfs-data`)!;
    expect([v.id, v.size, v.status]).toEqual([id, env().servers.nfs.dataVolumeGb, "in-use"]);
  });

  test("change a flavor: the jump hosts resized in place, not replaced", async () => {
    const ids = views().factory.servers.filter((s) => /-jump-/.test(s.name)).map((s) => s.id);
    await change("change the jump hosts' flavor", (x) => (x.servers.jump.flavor = "m1.medium"), [
      server("factory", "jump-hosts_jump-0", "update"),
      server("factory", "jump-hosts_jump-1", "update"),
    ]);
    const jumps = views().factory.servers.filter((s) => /-jump-/.test(s.name));
    expect(jumps.map((s) => [s.id, s.flavor, s.status])).toEqual(ids.map((id) => [id, "m1.medium", "ACTIVE"]));
  });

  test("add a jump host: one more server, port, floating IP and web rule; nothing else touched", async () => {
    // Anti-affinity needs a host more in the zone the new jump host goes to, as a real cloud would.
    growCloud(cloud, { ...d.environment, servers: { ...d.environment.servers, jump: { ...d.environment.servers.jump, count: 3 } } });
    await change("add a jump host", (x) => (x.servers.jump.count += 1), [
      new RegExp(`^${d.stack("data")} openstack_networking_floatingip_v2\\.jump-2-floating-ip add$`),
      new RegExp(`^${d.stack("factory")} openstack_networking_port_v2\\.jump-hosts_port-2_port_[0-9A-F]{8} add$`),
      server("factory", "jump-hosts_jump-2", "add"),
      new RegExp(`^${d.stack("factory")} openstack_networking_floatingip_associate_v2\\.jump-hosts_floating-ip-2_[0-9A-F]{8} add$`),
      new RegExp(`^${d.stack("web")} openstack_networking_secgroup_rule_v2\\.web_security-group_from-jump-2-ssh_[0-9A-F]{8} add$`),
    ]);
    expect(deployedProblems(env(), views(), await outputs())).toEqual([]);
  });

  test("add an admin CIDR, then remove it: one rule created, then that one deleted", async () => {
    const rule = (action: string) =>
      new RegExp(`^${d.stack("network")} openstack_networking_secgroup_rule_v2\\.security-groups_jump_from-admin-198-51-100-0-24-ssh_[0-9A-F]{8} ${action}$`);
    await change("add an admin CIDR", (x) => x.admin.cidrs.unshift("198.51.100.0/24"), [rule("add")]);
    expect(deployedProblems(env(), views(), await outputs())).toEqual([]);
    await change("remove it again", (x) => x.admin.cidrs.shift(), [rule("remove")]);
    expect(deployedProblems(env(), views(), await outputs())).toEqual([]);
  });

  test("rotate the servers' image in Glance (a new image under the same name, the old one renamed): no server rebuilt", async () => {
    const before = views().factory.servers.map((s) => [s.name, s.id, s.image_id]);
    asAdmin(
      cloud,
      `old = conn.image.find_image("debian-12", ignore_missing=False)
conn.image.update_image(old, name="debian-12-2026-old")
new = conn.image.create_image(name="debian-12", disk_format="qcow2", container_format="bare", visibility="public", data=b"rotated")
print(new.id)`,
    );
    expect(await planned()).toEqual([]);
    expect(views().factory.servers.map((s) => [s.name, s.id, s.image_id])).toEqual(before);
  });
});

describe("a build host, as the pipeline applies its template", () => {
  const vars = BUILD_HOST_VARS;
  const template = () => d.stack("build-host-dib");

  test("applied with its variables, planned again with nothing to do, destroyed leaving nothing", async () => {
    const before = views().factory;
    const destroy = () => d.terraform(template(), ["destroy", "-auto-approve", "-input=false", "-no-color", ...vars]);
    try {
      const apply = await d.terraform(template(), ["apply", "-auto-approve", "-input=false", "-no-color", ...vars]);
      expect({ code: apply.code, errors: tailOf(apply) }).toMatchObject({ code: 0 });
      const host = views().factory.servers.find((s) => s.name === `${d.name}-build-20261201t1200-image-build-7`)!;
      expect(host).toMatchObject({ status: "ACTIVE", metadata: { factory: d.name, role: "build-host", template: "dib", keep: "false" } });
      expect(Object.values(host.addresses).flat()[0]).toMatch(/^10\.20\.0\.(3[2-9]|[4-9]\d|1\d\d|2[0-4]\d|25[0-4])$/);
      const again = await d.plan(template(), vars);
      expect(again.changes).toEqual([]);
    } finally {
      const r = await destroy();
      expect({ code: r.code, errors: r.code === 0 ? "" : tailOf(r) }).toEqual({ code: 0, errors: "" });
    }
    const after = views().factory;
    expect([after.servers, after.ports, after.volumes].map((l) => l.map((x: any) => x.id))).toEqual(
      [before.servers, before.ports, before.volumes].map((l) => l.map((x: any) => x.id)),
    );
  });
});

describe("full teardown", () => {
  test("every stack destroyed (the data stack's protection removed on purpose) leaves both projects empty", async () => {
    expect(await teardown()).toEqual([]);
    for (const [label, t] of Object.entries(views())) expect({ label, left: leftovers(t) }).toEqual({ label, left: EMPTY });
  });
});

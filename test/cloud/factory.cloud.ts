// The example factory on the local cloud, as a platform team lives with it: `cdktf
// deploy` of every stack, read back from the cloud; a second plan with nothing to do;
// the factory torn down and recreated with its data; changes of daily life, each planned
// (and compared with what `factory diff` said) before it is applied; a build host
// applied and destroyed by its template; and a full teardown that leaves nothing behind.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXAMPLE, runFactory } from "../helpers";
import { asAdmin, growCloud, TenantView } from "./cloud";
import { deployedProblems } from "./checks";
import { tailOf } from "./deployment";
import { BUILD_HOST_VARS, EMPTY, FactoryOnCloud, leftovers } from "./factory-on-cloud";

jest.setTimeout(40 * 60 * 1000);

const f = new FactoryOnCloud(EXAMPLE);
const { d, cloud, stacks } = f;
const env = () => f.env();
const views = () => f.views();
const outputs = () => f.outputs();
const planned = (which = stacks) => f.planned(which);

afterAll(() => f.finish());

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
    expect(again.factory.floating_ips.map((f) => [f.address, f.fixed_ip_address])).toEqual(
      before.floating_ips.map((f) => [f.address, f.fixed_ip_address]),
    );
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
    const ids = views()
      .factory.servers.filter((s) => /-jump-/.test(s.name))
      .map((s) => s.id);
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
      new RegExp(`^${d.stack("web")} openstack_networking_secgroup_rule_v2\\.web_security-group_from-jump-2-tcp-22_[0-9A-F]{8} add$`),
    ]);
    expect(deployedProblems(env(), views(), await outputs())).toEqual([]);
  });

  test("add an admin CIDR, then remove it: one rule created, then that one deleted", async () => {
    const rule = (action: string) =>
      new RegExp(
        `^${d.stack("network")} openstack_networking_secgroup_rule_v2\\.security-groups_jump_from-admin-198-51-100-0-24-tcp-22_[0-9A-F]{8} ${action}$`,
      );
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
    expect(await f.teardown()).toEqual([]);
    for (const [label, t] of Object.entries(views())) expect({ label, left: leftovers(t) }).toEqual({ label, left: EMPTY });
  });
});

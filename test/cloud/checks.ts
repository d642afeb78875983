// What a user relies on after `cdktf deploy`, checked against what the cloud really holds:
// the servers, their addresses, zones and hosts, the security groups rule for rule, the
// volumes, the floating IPs and the stacks' outputs.
import { addressPlan } from "../../config/address-plan";
import { placement } from "../../config/placement";
import type { Environment } from "../../config/schema";
import { expectedRules } from "../security-matrix";
import type { TenantView } from "./cloud";

export interface DeployedViews {
  readonly factory: TenantView;
  /** The web tenant (the same object as `factory` when web.cloud is the factory's cloud). */
  readonly web: TenantView;
}

/** The servers the environment asks for, by name, with their fixed address and zone. */
interface ExpectedServer {
  readonly name: string;
  /** Its fixed address (factory tenant); web servers take theirs from the pool. */
  readonly address?: string;
  readonly zone: string;
  readonly tenant: "factory" | "web";
}

function expectedServers(env: Environment): ExpectedServer[] {
  const plan = addressPlan(env);
  const zones = placement(env);
  const servers: ExpectedServer[] = [
    { name: `${env.name}-jenkins`, address: plan.jenkins, zone: zones.jenkins, tenant: "factory" as const },
    { name: `${env.name}-nfs`, address: plan.nfs, zone: zones.nfs, tenant: "factory" as const },
    ...plan.jump.map((address, i) => ({ name: `${env.name}-jump-${i}`, address, zone: zones.jump[i], tenant: "factory" as const })),
  ];
  const web = env.web && env.web.count > 0 ? env.web : undefined;
  if (web) servers.push(...zones.web.map((zone, i) => ({ name: `${env.name}-web-${i}`, zone, tenant: "web" as const })));
  return servers;
}

/** Neutron's ingress rules of the environment's groups, described by role names as the matrix is. */
function actualRules(env: Environment, views: DeployedViews): string[] {
  const tenants = views.web === views.factory ? [views.factory] : [views.factory, views.web];
  const groupRole = new Map<string, string>();
  for (const t of tenants)
    for (const g of t.security_groups) if (g.name.startsWith(`${env.name}-`)) groupRole.set(g.id, g.name.slice(env.name.length + 1));
  const jumpFips = new Set(views.factory.floating_ips.filter((f) => /-jump-\d+$/.test(f.description)).map((f) => `${f.address}/32`));
  // egress: jump: rules from the jump hosts name their fixed addresses (their ports' address pair 0.0.0.0/0 makes the group admit anyone)
  const jumpFixed = new Set(addressPlan(env).jump.map((a) => `${a}/32`));
  const routerSnat = new Set(
    views.factory.routers.flatMap((r) => (r.external_gateway_info?.external_fixed_ips ?? []).map((ip: any) => `${ip.ip_address}/32`)),
  );
  const lines: string[] = [];
  for (const t of tenants) {
    for (const g of t.security_groups) {
      const to = groupRole.get(g.id);
      if (!to) continue; // Neutron's own "default" group
      for (const r of g.rules.filter((r) => r.direction === "ingress")) {
        let from: string;
        if (r.remote_group_id) from = groupRole.get(r.remote_group_id) ?? `group ${r.remote_group_id}`;
        else if (r.remote_ip_prefix === "0.0.0.0/0" || r.remote_ip_prefix === "::/0") from = "world";
        else if (env.admin.cidrs.some((c) => c.text === r.remote_ip_prefix)) from = "admin";
        else if (r.remote_ip_prefix === env.network.cidr.text) from = "subnet";
        else if (jumpFips.has(r.remote_ip_prefix ?? "") || jumpFixed.has(r.remote_ip_prefix ?? "")) from = "jump";
        else if (routerSnat.has(r.remote_ip_prefix ?? "")) from = "jenkins";
        else from = `prefix ${r.remote_ip_prefix}`;
        const port =
          r.protocol === null ? "any" : r.protocol === "vrrp" || r.protocol === "112" ? "vrrp" : `${r.protocol}/${r.port_range_min}`;
        if (r.protocol === "tcp" && r.port_range_max !== r.port_range_min)
          lines.push(`${to} <- ${from} ${port}-${r.port_range_max} ${r.ethertype}`);
        else lines.push(`${to} <- ${from} ${port} ${r.ethertype}`);
      }
    }
  }
  return lines.sort();
}

/** Problems with a deployed environment, one line each; empty when it is what the user asked for. */
export function deployedProblems(
  env: Environment,
  views: DeployedViews,
  outputs: { factory: Record<string, any>; web?: Record<string, any> },
): string[] {
  const problems: string[] = [];
  const tenantOf = (t: "factory" | "web") => (t === "web" ? views.web : views.factory);
  const expected = expectedServers(env);

  for (const want of expected) {
    const tenant = tenantOf(want.tenant);
    const server = tenant.servers.find((s) => s.name === want.name);
    if (!server) {
      problems.push(`${want.name}: no such server in the ${want.tenant} tenant`);
      continue;
    }
    if (server.status !== "ACTIVE") problems.push(`${want.name}: status ${server.status}`);
    if (server.availability_zone !== want.zone) problems.push(`${want.name}: in zone ${server.availability_zone}, not ${want.zone}`);
    const addresses = Object.values(server.addresses).flat();
    if (want.address && !addresses.includes(want.address))
      problems.push(`${want.name}: addresses ${addresses.join(", ")}, not ${want.address}`);
    if (server.config_drive !== true && server.config_drive !== "True" && server.config_drive !== "true")
      problems.push(`${want.name}: no config drive`);
    if (server.metadata.factory !== env.name) problems.push(`${want.name}: metadata factory=${server.metadata.factory}`);
  }
  // Nothing more than asked for.
  for (const [label, tenant] of Object.entries(views)) {
    for (const s of tenant.servers)
      if (!expected.some((e) => e.name === s.name && tenantOf(e.tenant) === tenant))
        problems.push(`${label} tenant: unexpected server ${s.name}`);
  }

  // Jump hosts on different compute hosts (anti-affinity), in one server group.
  const jumps = views.factory.servers.filter((s) => /-jump-\d+$/.test(s.name));
  const hosts = new Set(jumps.map((s) => s.compute_host));
  if (hosts.size !== jumps.length)
    problems.push(`jump hosts share compute hosts: ${jumps.map((s) => `${s.name}@${s.compute_host}`).join(", ")}`);
  const group = views.factory.server_groups.find((g) => g.name === `${env.name}-jump`);
  if (!group || !group.policies.includes("anti-affinity") || group.members.length !== jumps.length)
    problems.push(`server group ${env.name}-jump: ${JSON.stringify(group)}`);

  // Rule for rule, the security matrix.
  const want = expectedRules(env);
  const have = actualRules(env, views);
  for (const line of want.filter((l) => !have.includes(l))) problems.push(`missing rule: ${line}`);
  for (const line of have.filter((l) => !want.includes(l))) problems.push(`unexpected rule: ${line}`);

  // Volumes attached to the right servers.
  const serverId = (name: string) => views.factory.servers.find((s) => s.name === name)?.id;
  const attachments: [string, string][] = [[`${env.name}-nfs-data`, `${env.name}-nfs`]];
  if (env.servers.jenkins.homeVolumeGb) attachments.push([`${env.name}-jenkins-home`, `${env.name}-jenkins`]);
  for (const [volume, server] of attachments) {
    const v = views.factory.volumes.find((x) => x.name === volume);
    if (!v) problems.push(`${volume}: no such volume`);
    else if (v.status !== "in-use" || v.attached_to.join() !== serverId(server))
      problems.push(`${volume}: ${v.status}, attached to ${v.attached_to.join(", ") || "nothing"}, not ${server}`);
  }

  // Floating IPs associated with the jump hosts' (and web servers') ports.
  const plan = addressPlan(env);
  const jumpFips = plan.jump.map((address, i) => {
    const fip = views.factory.floating_ips.find((f) => f.description === `${env.name}-jump-${i}`);
    if (!fip) problems.push(`${env.name}-jump-${i}: no floating IP`);
    else if (fip.fixed_ip_address !== address)
      problems.push(`${env.name}-jump-${i}: floating IP ${fip.address} -> ${fip.fixed_ip_address}, not ${address}`);
    return fip?.address;
  });
  const webCount = env.web?.count ?? 0;
  const webFips = Array.from({ length: webCount }, (_, i) => {
    const fip = views.web.floating_ips.find((f) => f.description === `${env.name}-web-${i}`);
    const port = views.web.ports.find((p) => p.name === `${env.name}-web-${i}`);
    if (!fip || !port || fip.port_id !== port.id) problems.push(`${env.name}-web-${i}: floating IP ${fip?.address} not on its port`);
    return fip?.address;
  });

  // The web tenant's objects live in the web project only.
  if (views.web !== views.factory) {
    for (const name of views.factory.servers.map((s) => s.name)) if (/-web-\d+$/.test(name)) problems.push(`factory tenant holds ${name}`);
    for (const name of views.factory.networks) if (name === `${env.name}-web-net`) problems.push(`factory tenant holds network ${name}`);
    for (const name of views.web.networks) if (name === `${env.name}-net`) problems.push(`web tenant holds network ${name}`);
    for (const g of views.web.security_groups)
      if (g.name !== "default" && g.name !== `${env.name}-web`) problems.push(`web tenant holds group ${g.name}`);
  }

  // Outputs say what is true.
  const o = outputs.factory;
  if (JSON.stringify(o.jump_addresses) !== JSON.stringify(jumpFips))
    problems.push(`jump_addresses ${JSON.stringify(o.jump_addresses)}, floating IPs ${JSON.stringify(jumpFips)}`);
  if (o.jenkins_ssh !== `ssh -J factory@${jumpFips[0]} factory@${plan.jenkins}`) problems.push(`jenkins_ssh: ${o.jenkins_ssh}`);
  if (o.jenkins_ui_tunnel !== `ssh -N -L 8080:${plan.jenkins}:8080 factory@${jumpFips[0]}`)
    problems.push(`jenkins_ui_tunnel: ${o.jenkins_ui_tunnel}`);
  if (JSON.stringify(o.nfs_exports) !== JSON.stringify([`${plan.nfs}:/srv/factory/images`, `${plan.nfs}:/srv/factory/builds`]))
    problems.push(`nfs_exports: ${JSON.stringify(o.nfs_exports)}`);
  if (webCount > 0) {
    const w = outputs.web ?? {};
    if (JSON.stringify(w.web_addresses) !== JSON.stringify(webFips))
      problems.push(`web_addresses ${JSON.stringify(w.web_addresses)}, floating IPs ${JSON.stringify(webFips)}`);
    const urls = [`http://${env.web!.domain}/`, ...webFips.map((a) => `http://${a}/`)];
    if (JSON.stringify(w.web_urls) !== JSON.stringify(urls)) problems.push(`web_urls: ${JSON.stringify(w.web_urls)}`);
  }
  return problems;
}

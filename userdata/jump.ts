// Jump hosts: the admins' SSH entry point, and with `network.egress: jump` the SNAT
// gateway of the private subnet (seeds 003_*), sharing one VIP through keepalived.
import type { AddressPlan } from "../config/address-plan";
import type { Environment } from "../config/schema";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { scriptFile, scriptPath } from "./scripts";

export const NFTABLES_CONF = "/etc/nftables.conf";
export const KEEPALIVED_TEMPLATE = "/etc/keepalived/keepalived.conf.in";
/** Replaced by egress-gateway.sh with the interface that holds the jump host's address. */
export const INTERFACE_PLACEHOLDER = "@INTERFACE@";
/** VRRP router id of the egress VIP (one per subnet; the last octet of the VIP). */
const VRRP_ROUTER_ID = 4;

export function addJump(config: CloudConfig, { env, plan }: UserDataContext, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= plan.jump.length) {
    throw new Error(`jump host index ${index} is outside 0..${plan.jump.length - 1}`);
  }
  if (env.network.egress === "jump") addEgressGateway(config, env, plan, index);
  config.write_files.push(scriptFile("check-listeners"));
  // Nothing but sshd may listen on the jump host's network addresses.
  config.runcmd.push([scriptPath("check-listeners"), "tcp:22"]);
}

function addEgressGateway(config: CloudConfig, env: Environment, plan: AddressPlan, index: number): void {
  const vip = plan.egressVip;
  if (!vip) throw new Error("egress: jump without an egress VIP in the address plan");
  config.packages.push("nftables", "keepalived");
  config.write_files.push(
    { path: "/etc/sysctl.d/61-factory-egress.conf", content: "# The jump hosts route the private subnet (network.egress: jump).\nnet.ipv4.ip_forward = 1\n", owner: "root:root", permissions: "0644" },
    { path: NFTABLES_CONF, content: nftablesRuleset(plan.cidr.text), owner: "root:root", permissions: "0755" },
    { path: KEEPALIVED_TEMPLATE, content: keepalivedConf(env, plan, index, vip), owner: "root:root", permissions: "0644" },
    scriptFile("egress-gateway"),
  );
  config.runcmd.push([scriptPath("egress-gateway"), plan.jump[index]]);
}

/** Masquerade the subnet's traffic to anywhere else; forward nothing else. */
export function nftablesRuleset(cidr: string): string {
  return [
    "#!/usr/sbin/nft -f",
    "# Egress of the factory's private subnet through the jump hosts (network.egress: jump).",
    "flush ruleset",
    "",
    "table ip factory_egress {",
    "\tchain forward {",
    "\t\ttype filter hook forward priority filter; policy drop;",
    "\t\tct state established,related accept",
    `\t\tip saddr ${cidr} ip daddr != ${cidr} accept`,
    "\t}",
    "",
    "\tchain postrouting {",
    "\t\ttype nat hook postrouting priority srcnat; policy accept;",
    `\t\tip saddr ${cidr} ip daddr != ${cidr} masquerade`,
    "\t}",
    "}",
    "",
  ].join("\n");
}

/**
 * One VRRP instance holding the subnet's default gateway address. Unicast between the
 * jump hosts (Neutron does not carry multicast reliably); nopreempt: a returning host
 * does not take the VIP back and cut connections again.
 */
export function keepalivedConf(env: Environment, plan: AddressPlan, index: number, vip: string): string {
  const self = plan.jump[index];
  const peers = plan.jump.filter((_, i) => i !== index);
  return [
    "# The egress VIP of the factory's private subnet (network.egress: jump).",
    `# ${INTERFACE_PLACEHOLDER} is filled in at first boot by egress-gateway.sh.`,
    "global_defs {",
    `\trouter_id ${env.name}-jump-${index + 1}`,
    "}",
    "",
    "vrrp_instance factory_egress {",
    "\tstate BACKUP",
    "\tnopreempt",
    `\tinterface ${INTERFACE_PLACEHOLDER}`,
    `\tvirtual_router_id ${VRRP_ROUTER_ID}`,
    `\tpriority ${200 - index}`,
    "\tadvert_int 1",
    `\tunicast_src_ip ${self}`,
    ...(peers.length > 0 ? ["\tunicast_peer {", ...peers.map((p) => `\t\t${p}`), "\t}"] : []),
    "\tvirtual_ipaddress {",
    `\t\t${vip}/${plan.cidr.prefix} dev ${INTERFACE_PLACEHOLDER}`,
    "\t}",
    "}",
    "",
  ].join("\n");
}

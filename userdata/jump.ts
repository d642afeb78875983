// Jump hosts: the admins' SSH entry point, and with `network.egress: jump` the SNAT
// gateway of the private subnet (seeds 003_*), sharing one VIP through keepalived.
import { type AddressPlan, OFFSETS } from "../config/address-plan";
import type { CloudConfig, Command } from "./cloud-config";
import type { UserDataContext } from "./context";
import { checkListeners, scriptFile, scriptPath } from "./scripts";

const NFTABLES_CONF = "/etc/nftables.conf";
const KEEPALIVED_TEMPLATE = "/etc/keepalived/keepalived.conf.in";
/** Replaced by egress-gateway.sh with the interface that holds the jump host's address. */
const INTERFACE_PLACEHOLDER = "@INTERFACE@";
/** VRRP router id of the egress VIP (one per subnet): the VIP's offset in the subnet. */
const VRRP_ROUTER_ID = OFFSETS.egressVip;
/** Routing table of the jump hosts' own default route (via the router), and the rules' priorities. */
const EGRESS_ROUTE_TABLE = 100;
const RULE_MAIN_WITHOUT_DEFAULT = 1000;
const RULE_EGRESS_TABLE = 1001;
const ROUTE_WAIT_SECONDS = 120;

export function addJump(config: CloudConfig, model: UserDataContext, index: number): void {
  const { env, roles } = model;
  if (!Number.isInteger(index) || index < 0 || index >= roles.jump.hosts.length) {
    throw new Error(`jump host index ${index} is outside 0..${roles.jump.hosts.length - 1}`);
  }
  if (env.network.egress === "jump") addEgressGateway(config, model, index);
  config.write_files.push(scriptFile("check-listeners"));
  // Nothing but sshd may listen on the jump host's network addresses.
  config.runcmd.push(checkListeners(roles.jump.listens));
}

function addEgressGateway(config: CloudConfig, model: UserDataContext, index: number): void {
  const { plan } = model;
  const vip = plan.egressVip;
  if (!vip) throw new Error("egress: jump without an egress VIP in the address plan");
  config.bootcmd.push(routeViaRouter(plan));
  config.packages.push("nftables", "keepalived");
  config.write_files.push(
    {
      path: "/etc/systemd/networkd.conf.d/60-factory-egress.conf",
      content: NETWORKD_KEEPS_FOREIGN,
      owner: "root:root",
      permissions: "0644",
    },
    {
      path: "/etc/sysctl.d/61-factory-egress.conf",
      content: "# The jump hosts route the private subnet (network.egress: jump).\nnet.ipv4.ip_forward = 1\n",
      owner: "root:root",
      permissions: "0644",
    },
    { path: NFTABLES_CONF, content: nftablesRuleset(plan.cidr.text), owner: "root:root", permissions: "0755" },
    { path: KEEPALIVED_TEMPLATE, content: keepalivedConf(model, index, vip), owner: "root:root", permissions: "0644" },
    scriptFile("egress-gateway"),
  );
  config.runcmd.push([scriptPath("egress-gateway"), plan.jump[index]]);
}

/**
 * The jump hosts' own default route: via the router, whatever DHCP says. The subnet's
 * gateway is the VIP (.4) the jump hosts themselves hold, and a per-port DHCP `router`
 * option cannot change that: Neutron also sends option 121 (classless static routes, with
 * the metadata route and `0.0.0.0/0` via the subnet's gateway — neutron/agent/linux/dhcp.py,
 * and OVN's ovn_client.py), and RFC 3442 clients then ignore option 3. So two policy rules
 * put the main table's default route (whoever wrote it: dhclient, networkd, a renewal)
 * out of play: the main table for everything but default routes, then a table of our own
 * with the router as the default. Their own traffic and what they forward both leave via
 * the router. bootcmd: before the package module needs the network, and again every boot
 * (rules and routes do not survive one).
 */
function routeViaRouter(plan: AddressPlan): Command {
  return [
    "sh",
    "-c",
    [
      "set -e",
      // the subnet's connected route appears once the address is up
      `i=0; until dev=$(ip -4 -o route get "$1" 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p') && [ -n "$dev" ]; do i=$((i+1)); if [ "$i" -gt ${ROUTE_WAIT_SECONDS} ]; then echo "egress-route: no route to the router $1 after ${ROUTE_WAIT_SECONDS} s" >&2; exit 1; fi; sleep 1; done`,
      `ip -4 route replace default via "$1" dev "$dev" table ${EGRESS_ROUTE_TABLE}`,
      `while ip -4 rule del pref ${RULE_MAIN_WITHOUT_DEFAULT} 2>/dev/null; do :; done; ip -4 rule add pref ${RULE_MAIN_WITHOUT_DEFAULT} lookup main suppress_prefixlength 0`,
      `while ip -4 rule del pref ${RULE_EGRESS_TABLE} 2>/dev/null; do :; done; ip -4 rule add pref ${RULE_EGRESS_TABLE} lookup ${EGRESS_ROUTE_TABLE}`,
      `echo "egress-route: default route via the router $1 ($dev, table ${EGRESS_ROUTE_TABLE})"`,
    ].join("\n"),
    "egress-route",
    plan.router,
  ];
}

// systemd-networkd, where it manages the interface, would drop the rules and the route
// above (not in its .network files) whenever it restarts.
const NETWORKD_KEEPS_FOREIGN = [
  "# The jump hosts' own default route is policy routing set at boot (network.egress: jump).",
  "[Network]",
  "ManageForeignRoutingPolicyRules=no",
  "ManageForeignRoutes=no",
  "",
].join("\n");

/** Masquerade the subnet's traffic to anywhere else; forward nothing else. */
function nftablesRuleset(cidr: string): string {
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
function keepalivedConf({ names, plan }: UserDataContext, index: number, vip: string): string {
  const self = plan.jump[index];
  const peers = plan.jump.filter((_, i) => i !== index);
  return [
    "# The egress VIP of the factory's private subnet (network.egress: jump).",
    `# ${INTERFACE_PLACEHOLDER} is filled in at first boot by egress-gateway.sh.`,
    "global_defs {",
    `\trouter_id ${names.vrrpRouterId(index)}`,
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

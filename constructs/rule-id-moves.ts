// Terraform `moved` blocks from the security-group rules' addresses of before 2026-12 to
// today's. Rule ids used to be made of the traffic's display label (`from-jump-ssh`,
// `from-admin-203-0-113-0-24-ssh`); they are now made of what the rule admits
// (`from-jump-tcp-22`, security-group.ts). Without these blocks Terraform would destroy
// each deployed rule and create it again at its new address (Neutron refuses a
// create-before-destroy duplicate, 409 SecurityGroupRuleExists), refusing the traffic for
// a moment; with them it only renames the rule in its state.
//
// Remove this file and its one call in security-group.ts once every deployed environment
// has applied a release that has it: after that no state holds an old address, and a
// `moved` block whose `from` is in no state does nothing.
import { TerraformStack } from "cdktf";
import type { Node } from "constructs";
import type { NetworkingSecgroupRuleV2 } from "../.gen/providers/openstack/networking-secgroup-rule-v2";
import { PORTS } from "../config/roles";
import type { Traffic } from "./traffic";

/** The labels the old ids were made of, by what the traffic admits (frozen: they name deployed rules). */
const LABEL_BEFORE: Readonly<Record<string, string>> = {
  [`tcp-${PORTS.ssh}`]: "ssh",
  [`tcp-${PORTS.http}`]: "http",
  [`tcp-${PORTS.https}`]: "https",
  [`tcp-${PORTS.jenkinsHttp}`]: "jenkins-http",
  [`tcp-${PORTS.nfs}`]: "nfs",
  [`tcp-${PORTS.iperf3}`]: "iperf3",
  vrrp: "vrrp",
  any: "all",
};

/** Moves the rule admitting `traffic` from source `from` here from its old, label-made address. */
export function moveFromLabelledId(rule: NetworkingSecgroupRuleV2, from: string, traffic: Traffic): void {
  const label = LABEL_BEFORE[traffic.id];
  if (label === undefined) return; // traffic admitted since: it never had another address
  const oldId = `from-${from}-${label}`;
  if (oldId === rule.node.id) return; // `from-jump-vrrp`: the same either way
  // The logical id cdktf would have given a construct `oldId` beside the rule: the stack's
  // allocation reads only the node's scopes and their ids.
  const scopes = [...rule.node.scopes.slice(0, -1), { node: { id: oldId } }];
  const logicalId = TerraformStack.of(rule).getLogicalId({ scopes } as unknown as Node);
  rule.moveFromId(`${rule.terraformResourceType}.${logicalId}`);
}

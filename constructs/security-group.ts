// A Neutron security group whose ingress rules are written as connections from other
// groups or address peers, in the spirit of aws-cdk's `Connections`:
//   nfs.allowFrom(buildHosts, Port.nfs())
// Egress stays Neutron's default (open): which traffic leaves is a routing question
// (router SNAT or the jump hosts), not a security-group one.
import { Construct } from "constructs";
import { NetworkingSecgroupRuleV2 } from "../.gen/providers/openstack/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "../.gen/providers/openstack/networking-secgroup-v2";
import { Peer } from "./peer";
import { Port } from "./port";

export interface SecurityGroupProps {
  /** Neutron name; by convention `<env>-<role>`. */
  readonly name: string;
  /** @default "<name> role" */
  readonly description?: string;
  /** The role this group stands for, used in rule ids (`from-<role>-<port>`). @default name */
  readonly role?: string;
}

export class SecurityGroup extends Construct {
  readonly group: NetworkingSecgroupV2;
  readonly role: string;
  /** What each rule admits, by content: Neutron refuses a second rule with the same (409 SecurityGroupRuleExists). */
  private readonly admitted = new Map<string, string>();

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    this.role = props.role ?? props.name;
    this.group = new NetworkingSecgroupV2(this, "group", {
      name: props.name,
      description: props.description ?? `${props.name} role`,
    });
  }

  get id(): string {
    return this.group.id;
  }

  /** Admits `ports` from the members of another group, or from an address peer. */
  allowFrom(source: SecurityGroup | Peer, ...ports: Port[]): this {
    for (const port of ports) {
      if (source instanceof SecurityGroup) {
        this.rule(`from-${source.role}-${port.label}`, port, { remoteGroupId: source.id, ethertype: "IPv4", key: source.node.path }, `${port.label} from ${source.role}`);
      } else {
        source.prefixes.forEach(({ cidr, ethertype }, i) => {
          const key = source.keyOf(i);
          const from = `${source.label}${key ? `-${key}` : ""}`;
          this.rule(`from-${from}-${port.label}`, port, { remoteIpPrefix: cidr, ethertype, key: cidr }, `${port.label} from ${source.describe(i)}`);
        });
      }
    }
    return this;
  }

  /**
   * One Neutron rule. The same traffic admitted twice (another label for the same port,
   * a peer listed again) is one rule: the first; rule ids stay those of the first call.
   */
  private rule(id: string, port: Port, remote: { remoteGroupId?: string; remoteIpPrefix?: string; ethertype: string; key: string }, description: string) {
    // remote.key: the source group's path or the CIDR (each `.id` of a group is a new token string)
    const admits = [remote.ethertype, port.protocol, port.fromPort, port.toPort, remote.key].join(" ");
    if (this.admitted.has(admits)) return;
    if ([...this.admitted.values()].includes(id)) {
      throw new Error(`security group ${this.node.path}: rule id "${id}" names two different rules (${description}); give one of the ports or peers another label`);
    }
    this.admitted.set(admits, id);
    new NetworkingSecgroupRuleV2(this, id, {
      securityGroupId: this.id,
      direction: "ingress",
      ethertype: remote.ethertype,
      protocol: port.protocol === "any" ? undefined : port.protocol,
      portRangeMin: port.fromPort,
      portRangeMax: port.toPort,
      remoteGroupId: remote.remoteGroupId,
      remoteIpPrefix: remote.remoteIpPrefix,
      description,
    });
  }
}

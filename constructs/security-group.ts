// A Neutron security group whose ingress rules are written as connections from other
// groups or address peers, in the spirit of aws-cdk's `Connections`:
//   nfs.allowFrom(buildHosts, Traffic.nfs())
// Egress stays Neutron's default (open): which traffic leaves is a routing question
// (router SNAT or the jump hosts), not a security-group one.
//
// A rule's construct id (and so its Terraform address) is made of what it admits, never of
// a display label: `from-<source>-<traffic>`, where <source> is the source group's role
// (`jump`) or the peer's label with the CIDR's key when it has several (`world-0`,
// `jump-1`, `admin-203-0-113-0-24` for a cidrList), and <traffic> is `Traffic.id`: the
// protocol and port range (`tcp-22`, `tcp-6000-6010`, `vrrp`, `any`). So `from-jump-tcp-22`,
// `from-admin-203-0-113-0-24-tcp-22`, `from-world-0-tcp-80`, `from-subnet-any`.
// The rule's Neutron description does use the labels (`ssh from jump`), and `description`
// forces a new rule in the provider: the labels are part of the deployed rule, renaming
// one still replaces its rules, but no longer moves any address.
import { Construct } from "constructs";
import { NetworkingSecgroupRuleV2 } from "../.gen/providers/openstack/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "../.gen/providers/openstack/networking-secgroup-v2";
import { Peer } from "./peer";
import { moveFromLabelledId } from "./rule-id-moves";
import { Traffic } from "./traffic";

export interface SecurityGroupProps {
  /** Neutron name; by convention `<env>-<role>`. */
  readonly name: string;
  /** @default "<name> role" */
  readonly description?: string;
  /** The role this group stands for, the source in rule ids (`from-<role>-<traffic>`). @default name */
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

  /** Admits `traffic` from the members of another group, or from an address peer. */
  allowFrom(source: SecurityGroup | Peer, ...traffic: Traffic[]): this {
    for (const t of traffic) {
      if (source instanceof SecurityGroup) {
        this.rule(source.role, t, { remoteGroupId: source.id, ethertype: "IPv4", key: source.node.path }, `${t.label} from ${source.role}`);
      } else {
        source.prefixes.forEach(({ cidr, ethertype }, i) => {
          const key = source.keyOf(i);
          this.rule(
            `${source.label}${key ? `-${key}` : ""}`,
            t,
            { remoteIpPrefix: cidr, ethertype, key: cidr },
            `${t.label} from ${source.describe(i)}`,
          );
        });
      }
    }
    return this;
  }

  /**
   * One Neutron rule. The same traffic admitted twice (the same traffic under another label,
   * a peer listed again) is one rule: the first; rule ids stay those of the first call.
   */
  private rule(
    from: string,
    traffic: Traffic,
    remote: { remoteGroupId?: string; remoteIpPrefix?: string; ethertype: string; key: string },
    description: string,
  ) {
    const id = `from-${from}-${traffic.id}`;
    // remote.key: the source group's path or the CIDR (each `.id` of a group is a new token string)
    const admits = [remote.ethertype, traffic.protocol, traffic.fromPort, traffic.toPort, remote.key].join(" ");
    if (this.admitted.has(admits)) return;
    if ([...this.admitted.values()].includes(id)) {
      throw new Error(
        `security group ${this.node.path}: rule id "${id}" names two different rules (${description}); give one of the sources (peer label or group role) another name`,
      );
    }
    this.admitted.set(admits, id);
    const rule = new NetworkingSecgroupRuleV2(this, id, {
      securityGroupId: this.id,
      direction: "ingress",
      ethertype: remote.ethertype,
      protocol: traffic.protocol === "any" ? undefined : traffic.protocol,
      portRangeMin: traffic.fromPort,
      portRangeMax: traffic.toPort,
      remoteGroupId: remote.remoteGroupId,
      remoteIpPrefix: remote.remoteIpPrefix,
      description,
    });
    moveFromLabelledId(rule, from, traffic);
  }
}

// The factory tenant's security groups, one per role, and the connections between them.
// This is the security matrix of the README: only jump hosts take SSH from the admins;
// everything else is reached from the jump hosts or from the role that needs it.
import { Construct } from "constructs";
import type { Cidr } from "../config/cidr";
import type { Egress } from "../config/schema";
import { Peer } from "./peer";
import { Traffic } from "./traffic";
import { SecurityGroup } from "./security-group";

export interface FactorySecurityGroupsProps {
  /** The Neutron name of a role's group. @default the role */
  readonly groupName?: (role: string) => string;
  /** CIDRs (IPv4 or IPv6) whose SSH the jump hosts accept. */
  readonly adminCidrs: readonly Cidr[];
  /** The private subnet; with `egress: jump` the jump hosts forward its traffic. */
  readonly subnetCidr: Cidr;
  /** The jump hosts' fixed addresses: with `egress: jump`, rules from the jump hosts name them. */
  readonly jumpAddresses: readonly string[];
  /** Who SNATs the subnet (`network.egress`): with `jump` the jump hosts are the gateway. */
  readonly egress: Egress;
}

export class FactorySecurityGroups extends Construct {
  readonly jump: SecurityGroup;
  readonly jenkins: SecurityGroup;
  readonly nfs: SecurityGroup;
  readonly buildHosts: SecurityGroup;

  constructor(scope: Construct, id: string, props: FactorySecurityGroupsProps) {
    super(scope, id);
    const groupName = props.groupName ?? ((role: string) => role);
    const group = (role: string, description: string) => new SecurityGroup(this, role, { name: groupName(role), role, description });

    this.jump = group("jump", "Jump hosts: the only way in");
    this.jenkins = group("jenkins", "Jenkins controller");
    this.nfs = group("nfs", "NFS server: git mirror and image data");
    this.buildHosts = group("build-host", "Ephemeral build hosts");

    // With `egress: jump` the jump hosts' ports carry the address pair 0.0.0.0/0 (they
    // forward for the subnet), and Neutron counts a group's address pairs among its members
    // (_select_ips_for_remote_group in neutron/db/securitygroups_rpc_base.py): a rule from
    // the jump group would admit every IPv4 source. Their fixed addresses name them instead.
    const fromJump =
      props.egress === "jump"
        ? Peer.cidrs(
            "jump",
            props.jumpAddresses.map((a) => `${a}/32`),
          )
        : this.jump;

    this.jump.allowFrom(Peer.cidrList("admin", props.adminCidrs), Traffic.ssh());
    if (props.egress === "jump") {
      this.jump.allowFrom(Peer.cidrs("subnet", [props.subnetCidr]), Traffic.all());
      this.jump.allowFrom(fromJump, Traffic.vrrp());
    }

    this.jenkins.allowFrom(fromJump, Traffic.ssh(), Traffic.jenkinsHttp());
    this.jenkins.allowFrom(this.buildHosts, Traffic.iperf3());

    this.nfs.allowFrom(fromJump, Traffic.ssh());
    this.nfs.allowFrom(this.jenkins, Traffic.nfs());
    this.nfs.allowFrom(this.buildHosts, Traffic.nfs());

    this.buildHosts.allowFrom(fromJump, Traffic.ssh());
    this.buildHosts.allowFrom(this.jenkins, Traffic.ssh());
  }
}

// <env>-network: the long-lived network, subnet, router and the security groups.
import { Construct } from "constructs";
import { FactoryNetwork } from "../constructs/factory-network";
import { FactorySecurityGroups } from "../constructs/factory-security-groups";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

export class NetworkStack extends EnvironmentStack {
  readonly network: FactoryNetwork;
  readonly groups: FactorySecurityGroups;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, props.model.names.stacks.network, props);
    const { env, names, plan, roles } = props.model;
    this.network = new FactoryNetwork(this, "network", {
      names: names.network,
      plan,
      externalNetwork: env.network.externalNetwork,
      dnsNameservers: env.network.dnsNameservers,
      routerSnat: env.network.routerSnat,
    });
    this.groups = new FactorySecurityGroups(this, "security-groups", {
      groupName: names.securityGroup,
      adminCidrs: env.admin.cidrs,
      subnetCidr: plan.cidr,
      jumpAddresses: roles.jump.hosts.map((h) => h.address ?? ""),
      egress: env.network.egress,
    });
  }
}

// <env>-network: the long-lived network, subnet, router and the security groups.
import { Construct } from "constructs";
import { FactoryNetwork } from "../constructs/factory-network";
import { FactorySecurityGroups } from "../constructs/factory-security-groups";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

export class NetworkStack extends EnvironmentStack {
  readonly network: FactoryNetwork;
  readonly groups: FactorySecurityGroups;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    super(scope, `${props.env.name}-network`, props);
    const { env, plan } = props;
    this.network = new FactoryNetwork(this, "network", {
      name: env.name,
      plan,
      externalNetwork: env.network.externalNetwork,
      dnsNameservers: env.network.dnsNameservers,
      routerSnat: env.network.routerSnat,
    });
    this.groups = new FactorySecurityGroups(this, "security-groups", {
      envName: env.name,
      adminCidrs: env.admin.cidrs,
      subnetCidr: plan.cidr.text,
      jumpAddresses: plan.jump,
      jumpEgress: env.network.egress === "jump",
    });
  }
}

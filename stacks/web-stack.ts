// <env>-web: the web servers in the web tenant, whose provider (`web.cloud`; the factory's
// own tenant when absent) is the stack's only and default one. Independent of the
// factory's lifecycle: it reads only the factory's egress addresses (with readiness checks,
// which go through the factory's first jump host, it is deployed after <env>-factory).
import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { ReadinessCheck } from "../constructs/readiness-check";
import { WebServers } from "../constructs/web-servers";
import { renderUserData } from "../userdata";
import type { DataStack } from "./data-stack";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import type { FactoryStack } from "./factory-stack";
import type { NetworkStack } from "./network-stack";

export interface WebStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
  /** The factory's stack: its first jump host is what the readiness checks go through. */
  readonly factory: FactoryStack;
}

export class WebStack extends EnvironmentStack {
  readonly web: WebServers;

  constructor(scope: Construct, props: WebStackProps) {
    // Every resource here is the web tenant's: its provider is the stack's default.
    super(scope, props.model.names.stacks.web, props, { cloud: props.model.env.web?.cloud });
    const { model, network, data } = props;
    const { env, names, roles, webPlan } = model;
    const web = env.web;
    if (!web || !webPlan) throw new Error("WebStack needs a `web` section");
    const jumpAddresses = data.jumpFloatingIps.map((fip) => fip.address);
    const sshSources = jumpAddresses.map((address, i) => ({ label: `jump-${i}`, address }));
    if (env.network.egress === "router") {
      // Jenkins' traffic leaves through the router's SNAT address.
      sshSources.push({ label: "factory-router", address: network.network.router.externalFixedIp.get(0).ipAddress });
    }
    this.web = new WebServers(this, "web", {
      envName: env.name,
      hosts: roles.web.hosts,
      image: web.image,
      flavor: web.flavor,
      plan: webPlan,
      networkNames: names.webNetwork,
      securityGroupName: names.securityGroup("web"),
      externalNetwork: env.network.externalNetwork,
      dnsNameservers: env.network.dnsNameservers,
      sshSources,
      userData: (index) => renderUserData(model, { role: "web", index }),
    });

    const addresses = this.web.floatingIps.map((fip) => fip.address);
    if (env.readinessCheck) {
      // Through jump-0 of <env>-factory: deployed after it (the only thing this stack needs of it).
      this.addDependency(props.factory);
      this.web.servers.forEach((server, i) => {
        new ReadinessCheck(this, `web-${i}-ready`, { serverId: server.id, host: addresses[i], bastionHost: jumpAddresses[0] });
      });
    }
    new TerraformOutput(this, "web_addresses", {
      description: `Floating IPs of the web servers: the DNS A records of ${web.domain}`,
      value: addresses,
    });
    new TerraformOutput(this, "web_urls", {
      description: "Where the published images are served",
      value: [`http://${web.domain}/`, ...addresses.map((a) => `http://${a}/`)],
    });
  }
}

// The web servers that publish the images, in the web tenant: their own network, router
// and security group there, a floating IP each. They take HTTP(S) from the world and SSH
// only from the factory's egress addresses (the jump hosts' floating IPs, and the router's
// address with `egress: router`): admins come through a jump host, and Jenkins pushes the
// published tree with rsync over SSH. NFS is never opened to the web tenant.
import { Construct } from "constructs";
import { NetworkingFloatingipAssociateV2 } from "../.gen/providers/openstack/networking-floatingip-associate-v2";
import { NetworkingFloatingipV2 } from "../.gen/providers/openstack/networking-floatingip-v2";
import type { SubnetPlan } from "../config/address-plan";
import type { Host } from "../config/factory-model";
import type { NetworkNames } from "../config/names";
import { FactoryNetwork } from "./factory-network";
import { Peer } from "./peer";
import { Traffic } from "./traffic";
import { SecurityGroup } from "./security-group";
import { Server } from "./server";
import { ServerPort } from "./server-port";

export interface WebServersProps {
  /** The environment (the servers' `factory` metadata). */
  readonly envName: string;
  /** One per web server: the name of its server, port and floating IP, and its zone. */
  readonly hosts: readonly Host[];
  readonly image: string;
  readonly flavor: string;
  readonly plan: SubnetPlan;
  /** The web tenant's network, subnet and router. */
  readonly networkNames: NetworkNames;
  readonly securityGroupName: string;
  readonly externalNetwork: string;
  readonly dnsNameservers?: readonly string[];
  /** Addresses the factory's SSH comes from (admins via jump hosts, Jenkins publishing). */
  readonly sshSources: ReadonlyArray<{ readonly label: string; readonly address: string }>;
  readonly userData: (index: number) => string;
  readonly keyPair?: string;
}

export class WebServers extends Construct {
  readonly network: FactoryNetwork;
  readonly securityGroup: SecurityGroup;
  readonly servers: Server[] = [];
  readonly floatingIps: NetworkingFloatingipV2[] = [];

  constructor(scope: Construct, id: string, props: WebServersProps) {
    super(scope, id);
    this.network = new FactoryNetwork(this, "network", {
      names: props.networkNames,
      plan: props.plan,
      externalNetwork: props.externalNetwork,
      dnsNameservers: props.dnsNameservers,
    });
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: props.securityGroupName,
      role: "web",
      description: "Web servers publishing the images",
    });
    this.securityGroup.allowFrom(Peer.world(), Traffic.http(), Traffic.https());
    for (const source of props.sshSources) {
      this.securityGroup.allowFrom(Peer.cidrs(source.label, [`${source.address}/32`]), Traffic.ssh());
    }

    props.hosts.forEach(({ name, zone }, i) => {
      const port = new ServerPort(this, `port-${i}`, {
        name,
        networkId: this.network.network.id,
        subnetId: this.network.subnet.id,
        securityGroupIds: [this.securityGroup.id],
        // The router interface must exist before a floating IP can reach the subnet.
        dependsOn: [this.network.routerInterface],
      });
      const server = new Server(this, `web-${i}`, {
        name,
        envName: props.envName,
        role: "web",
        image: props.image,
        flavor: props.flavor,
        availabilityZone: zone,
        port,
        userData: props.userData(i),
        keyPair: props.keyPair,
      });
      const fip = new NetworkingFloatingipV2(this, `floating-ip-${i}`, {
        pool: props.externalNetwork,
        description: name,
      });
      new NetworkingFloatingipAssociateV2(this, `floating-ip-association-${i}`, {
        floatingIp: fip.address,
        portId: port.id,
      });
      this.servers.push(server);
      this.floatingIps.push(fip);
    });
  }
}

// The jump hosts: the only way into the factory, spread round-robin over the
// availability zones and kept on different hypervisors by an anti-affinity group. With
// `egress: jump` they are also the subnet's SNAT gateway: their ports may forward any
// address, they share the gateway VIP (keepalived), and their own default route is the
// router, which carries their floating IPs — set by their user-data, not by DHCP (see
// userdata/jump.ts: Neutron's option 121 would override a per-port `router` option).
import { Construct } from "constructs";
import { ComputeServergroupV2 } from "../.gen/providers/openstack/compute-servergroup-v2";
import { NetworkingFloatingipAssociateV2 } from "../.gen/providers/openstack/networking-floatingip-associate-v2";
import type { Host } from "../config/factory-model";
import type { Egress } from "../config/schema";
import type { FactoryNetwork } from "./factory-network";
import type { SecurityGroup } from "./security-group";
import { ServerPort } from "./server-port";
import { Server } from "./server";

export interface JumpHostsProps {
  /** The environment (the servers' `factory` metadata). */
  readonly envName: string;
  /** One per jump host: the name of its server and port, its fixed address, its zone. */
  readonly hosts: readonly Host[];
  /** The anti-affinity group's name. */
  readonly serverGroupName: string;
  readonly image: string;
  readonly flavor: string;
  /** The factory's network: the jump hosts' ports are on its subnet. */
  readonly network: FactoryNetwork;
  readonly securityGroup: SecurityGroup;
  /** Floating IP addresses, one per jump host (they live in the data stack). */
  readonly floatingIps: readonly string[];
  /** Rendered user-data of jump host `index`. */
  readonly userData: (index: number) => string;
  readonly keyPair?: string;
  /** Who SNATs the subnet (`network.egress`): with `jump` the jump hosts do, and their ports forward any address. */
  readonly egress: Egress;
}

export class JumpHosts extends Construct {
  readonly servers: Server[] = [];
  /** Each jump host's floating IP association: it is reachable once its association exists. */
  readonly floatingIpAssociations: NetworkingFloatingipAssociateV2[] = [];
  readonly serverGroup: ComputeServergroupV2;

  constructor(scope: Construct, id: string, props: JumpHostsProps) {
    super(scope, id);
    const count = props.hosts.length;
    if (props.floatingIps.length !== count) {
      throw new Error(`JumpHosts: ${count} jump hosts need ${count} floating IPs, got ${props.floatingIps.length}`);
    }
    this.serverGroup = new ComputeServergroupV2(this, "anti-affinity", {
      name: props.serverGroupName,
      policies: ["anti-affinity"],
    });
    props.hosts.forEach(({ name, address, zone }, i) => {
      const port = new ServerPort(this, `port-${i}`, {
        name,
        networkId: props.network.network.id,
        subnetId: props.network.subnet.id,
        ipAddress: address,
        securityGroupIds: [props.securityGroup.id],
        allowedAddressPairs: props.egress === "jump" ? ["0.0.0.0/0"] : undefined,
      });
      const server = new Server(this, `jump-${i}`, {
        name,
        envName: props.envName,
        role: "jump",
        image: props.image,
        flavor: props.flavor,
        availabilityZone: zone,
        port,
        userData: props.userData(i),
        keyPair: props.keyPair,
        serverGroupId: this.serverGroup.id,
      });
      this.floatingIpAssociations.push(
        new NetworkingFloatingipAssociateV2(this, `floating-ip-${i}`, {
          floatingIp: props.floatingIps[i],
          portId: port.id,
        }),
      );
      this.servers.push(server);
    });
  }
}

// The factory's private network: one subnet with the fixed address plan, and a router to
// the external network. With `egress: router` the router SNATs the subnet; with
// `egress: jump` (and routerSnat: false) it only carries the floating IPs and DHCP hands out the jump
// hosts' shared VIP as the default gateway.
import { Construct } from "constructs";
import { DataOpenstackNetworkingNetworkV2 } from "../.gen/providers/openstack/data-openstack-networking-network-v2";
import { NetworkingNetworkV2 } from "../.gen/providers/openstack/networking-network-v2";
import { NetworkingPortV2 } from "../.gen/providers/openstack/networking-port-v2";
import { NetworkingRouterInterfaceV2 } from "../.gen/providers/openstack/networking-router-interface-v2";
import { NetworkingRouterV2 } from "../.gen/providers/openstack/networking-router-v2";
import { NetworkingSubnetV2 } from "../.gen/providers/openstack/networking-subnet-v2";
import type { SubnetPlan } from "../config/address-plan";
import type { NetworkNames } from "../config/names";

export interface FactoryNetworkProps {
  /** The network's, subnet's and router's names (also the router port's). */
  readonly names: NetworkNames;
  readonly plan: SubnetPlan;
  /** Name of the external network for the router gateway and floating IPs. */
  readonly externalNetwork: string;
  /** @default [] (Neutron's defaults) */
  readonly dnsNameservers?: readonly string[];
  /** Whether the router SNATs the subnet (off only with `egress: jump`, which needs admin rights). @default true */
  readonly routerSnat?: boolean;
}

export class FactoryNetwork extends Construct {
  readonly network: NetworkingNetworkV2;
  readonly subnet: NetworkingSubnetV2;
  readonly router: NetworkingRouterV2;
  readonly routerInterface: NetworkingRouterInterfaceV2;

  constructor(scope: Construct, id: string, props: FactoryNetworkProps) {
    super(scope, id);
    const { plan } = props;
    const snat = props.routerSnat ?? true;

    const external = new DataOpenstackNetworkingNetworkV2(this, "external", {
      name: props.externalNetwork,
      external: true,
    });
    this.network = new NetworkingNetworkV2(this, "network", {
      name: props.names.network,
      adminStateUp: true,
    });
    this.subnet = new NetworkingSubnetV2(this, "subnet", {
      name: props.names.subnet,
      networkId: this.network.id,
      cidr: plan.cidr.text,
      ipVersion: 4,
      gatewayIp: plan.gateway,
      enableDhcp: true,
      dnsNameservers: props.dnsNameservers ? [...props.dnsNameservers] : undefined,
      allocationPool: [{ start: plan.dynamicPool.start, end: plan.dynamicPool.end }],
    });
    this.router = new NetworkingRouterV2(this, "router", {
      name: props.names.router,
      externalNetworkId: external.id,
      // Neutron's default policy lets only admins set enable_snat at all (true included),
      // so it is left out for the default (SNAT on) and only sent to turn it off.
      enableSnat: snat ? undefined : false,
    });
    if (plan.gateway === plan.router) {
      this.routerInterface = new NetworkingRouterInterfaceV2(this, "router-interface", {
        routerId: this.router.id,
        subnetId: this.subnet.id,
      });
    } else {
      // The gateway address belongs to the jump hosts; the router joins on its own address.
      const port = new NetworkingPortV2(this, "router-port", {
        name: props.names.router,
        networkId: this.network.id,
        fixedIp: [{ subnetId: this.subnet.id, ipAddress: plan.router }],
        adminStateUp: true,
      });
      this.routerInterface = new NetworkingRouterInterfaceV2(this, "router-interface", {
        routerId: this.router.id,
        portId: port.id,
      });
    }
  }
}

// A Neutron port with its address and security groups. Servers boot on ports rather than
// on networks, so address and groups can outlive the server (the ports of Jenkins and NFS
// live in the protected data stack) and a recreated server keeps both.
import { Construct } from "constructs";
import { NetworkingPortV2, NetworkingPortV2ExtraDhcpOption } from "../.gen/providers/openstack/networking-port-v2";
import { Fn, ITerraformDependable } from "cdktf";

export interface ServerPortProps {
  readonly name: string;
  readonly networkId: string;
  readonly subnetId: string;
  /** @default a dynamic address from the subnet's allocation pool */
  readonly ipAddress?: string;
  readonly securityGroupIds: string[];
  /** Extra addresses the port may send from (a shared VIP, or 0.0.0.0/0 for a router). @default none */
  readonly allowedAddressPairs?: string[];
  /** Per-port DHCP options (e.g. a different `router`). @default none */
  readonly extraDhcpOptions?: NetworkingPortV2ExtraDhcpOption[];
  /** Neutron tags, to find the port by what it belongs to. @default none */
  readonly tags?: string[];
  /** Resources that must exist first (e.g. the router interface a floating IP needs). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class ServerPort extends Construct {
  readonly port: NetworkingPortV2;

  constructor(scope: Construct, id: string, props: ServerPortProps) {
    super(scope, id);
    this.port = new NetworkingPortV2(this, "port", {
      name: props.name,
      networkId: props.networkId,
      adminStateUp: true,
      fixedIp: [{ subnetId: props.subnetId, ipAddress: props.ipAddress }],
      securityGroupIds: props.securityGroupIds,
      allowedAddressPairs: props.allowedAddressPairs?.map((ipAddress) => ({ ipAddress })),
      extraDhcpOption: props.extraDhcpOptions,
      tags: props.tags,
      dependsOn: props.dependsOn,
    });
  }

  get id(): string {
    return this.port.id;
  }

  /** The port's first fixed IPv4 address (known at apply time when dynamic). */
  get address(): string {
    return Fn.element(this.port.allFixedIps, 0);
  }
}

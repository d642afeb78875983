// The fixed addresses of the factory's private subnet, derived from network.cidr.
// Servers get static addresses below offset 32 so a recreated server keeps its
// address and every user-data can name its peers without Terraform tokens; build
// hosts and anything else take dynamic addresses from offset 32 up.
import { Cidr, nthAddress, parseCidr } from "./cidr";
import type { Environment } from "./schema";

export const DYNAMIC_POOL_OFFSET = 32;
/** The longest prefix a subnet may have: fixed addresses below the pool, at least as many dynamic ones above. */
export const MAX_SUBNET_PREFIX = 32 - Math.log2(2 * DYNAMIC_POOL_OFFSET);
const JUMP_OFFSET = 10;

/** What a subnet needs: its range, router, gateway and dynamic pool. */
export interface SubnetPlan {
  readonly cidr: Cidr;
  /** The router's interface on the subnet. */
  readonly router: string;
  /** The default gateway handed out by DHCP. */
  readonly gateway: string;
  /** Range Neutron hands out dynamically. */
  readonly dynamicPool: { readonly start: string; readonly end: string };
}

export interface AddressPlan extends SubnetPlan {
  readonly cidr: Cidr;
  /** The router's interface on the subnet. */
  readonly router: string;
  /** The default gateway handed out by DHCP: the router, or with `egress: jump` the jump hosts' shared VIP. */
  readonly gateway: string;
  /** Virtual address held by one jump host at a time (keepalived), with `egress: jump` only. */
  readonly egressVip?: string;
  readonly jenkins: string;
  readonly nfs: string;
  readonly jump: readonly string[];
  /** Range Neutron hands out dynamically (build hosts, test servers). */
  readonly dynamicPool: { readonly start: string; readonly end: string };
}

export function addressPlan(env: Environment): AddressPlan {
  const cidr = parseCidr(env.network.cidr);
  if (typeof cidr === "string") throw new Error(cidr); // the schema has validated it already
  const at = (n: number) => nthAddress(cidr, n);
  const router = at(1);
  const egressVip = env.network.egress === "jump" ? at(4) : undefined;
  return {
    cidr,
    router,
    gateway: egressVip ?? router,
    egressVip,
    jenkins: at(5),
    nfs: at(6),
    jump: Array.from({ length: env.servers.jump.count }, (_, i) => at(JUMP_OFFSET + i)),
    dynamicPool: { start: at(DYNAMIC_POOL_OFFSET), end: at(-2) },
  };
}

/** A plain subnet (the web tenant's): router and gateway at .1, dynamic from .32. */
export function subnetPlan(cidrText: string): SubnetPlan {
  const cidr = parseCidr(cidrText);
  if (typeof cidr === "string") throw new Error(cidr);
  const at = (n: number) => nthAddress(cidr, n);
  return { cidr, router: at(1), gateway: at(1), dynamicPool: { start: at(DYNAMIC_POOL_OFFSET), end: at(-2) } };
}

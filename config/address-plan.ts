// The fixed addresses of the factory's private subnet, derived from network.cidr (as the
// schema parsed it: a Cidr, never its text again).
// Servers get static addresses below offset 32 so a recreated server keeps its
// address and every user-data can name its peers without Terraform tokens; build
// hosts and anything else take dynamic addresses from offset 32 up.
import type { Cidr } from "./cidr";
import type { Environment } from "./schema";

/**
 * The host offsets of the fixed addresses (`.1`, `.4`, ...): the one place they are set.
 * The schema's description, the README's address plan and the jump hosts' VRRP id follow.
 */
export const OFFSETS = {
  /** The router's interface. */
  router: 1,
  /** The egress VIP the jump hosts share (`egress: jump`); also the VRRP router id. */
  egressVip: 4,
  jenkins: 5,
  nfs: 6,
  /** The first jump host; the others follow. */
  jump: 10,
  /** The first address Neutron hands out dynamically (build hosts, test servers). */
  dynamicPool: 32,
} as const;
export const DYNAMIC_POOL_OFFSET = OFFSETS.dynamicPool;
/** The longest prefix a subnet may have: fixed addresses below the pool, at least as many dynamic ones above. */
export const MAX_SUBNET_PREFIX = 32 - Math.log2(2 * DYNAMIC_POOL_OFFSET);

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
  const cidr = env.network.cidr;
  const at = (n: number) => cidr.nthAddress(n);
  const count = env.servers.jump.count;
  if (OFFSETS.jump + count > OFFSETS.dynamicPool) {
    throw new Error(`${count} jump hosts from .${OFFSETS.jump} reach into the dynamic pool (.${OFFSETS.dynamicPool} up)`);
  }
  const router = at(OFFSETS.router);
  const egressVip = env.network.egress === "jump" ? at(OFFSETS.egressVip) : undefined;
  return {
    cidr,
    router,
    gateway: egressVip ?? router,
    egressVip,
    jenkins: at(OFFSETS.jenkins),
    nfs: at(OFFSETS.nfs),
    jump: Array.from({ length: count }, (_, i) => at(OFFSETS.jump + i)),
    dynamicPool: { start: at(OFFSETS.dynamicPool), end: at(-2) },
  };
}

/** A plain subnet (the web tenant's): router and gateway at the router's offset, the same dynamic pool. */
export function subnetPlan(cidr: Cidr): SubnetPlan {
  const at = (n: number) => cidr.nthAddress(n);
  return { cidr, router: at(OFFSETS.router), gateway: at(OFFSETS.router), dynamicPool: { start: at(OFFSETS.dynamicPool), end: at(-2) } };
}

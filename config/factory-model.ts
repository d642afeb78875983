// The resolved factory: everything derived from a validated environment file, computed
// once. Stacks, constructs' props, user-data renderers and the diff rules take it; no
// other module derives a name, an address, a zone or a role's port, path or user.
//
// Adding a role: an entry in ROLES (config/roles.ts) and in `roles` below (its hosts:
// name, address, zone), its construct in constructs/ and its user-data renderer in
// userdata/ (README: "Adding a role").
import { AddressPlan, addressPlan, SubnetPlan, subnetPlan } from "./address-plan";
import { factoryNames, FactoryNames } from "./names";
import { Placement, placement } from "./placement";
import { ROLES } from "./roles";
import type { Environment } from "./schema";

/** One server of a role: its Nova (and port) name, its fixed address, its zone. */
export interface Host {
  readonly name: string;
  /** Fixed private address; absent where Neutron picks one (web servers). */
  readonly address?: string;
  readonly zone: string;
}

export interface FactoryModel {
  readonly env: Environment;
  readonly names: FactoryNames;
  /** The factory subnet's address plan. */
  readonly plan: AddressPlan;
  /** The web tenant's subnet, when the environment has web servers. */
  readonly webPlan?: SubnetPlan;
  readonly placement: Placement;
  readonly roles: {
    readonly jump: typeof ROLES.jump & { readonly hosts: readonly Host[] };
    readonly jenkins: typeof ROLES.jenkins & { readonly host: Host };
    readonly nfs: typeof ROLES.nfs & { readonly host: Host };
    readonly web: typeof ROLES.web & { readonly hosts: readonly Host[] };
    readonly buildHost: typeof ROLES.buildHost;
  };
}

export function resolveFactory(env: Environment): FactoryModel {
  const names = factoryNames(env.name);
  const plan = addressPlan(env);
  const zones = placement(env);
  const webCount = env.web?.count ?? 0;
  return {
    env,
    names,
    plan,
    webPlan: env.web ? subnetPlan(env.web.cidr) : undefined,
    placement: zones,
    roles: {
      jump: { ...ROLES.jump, hosts: plan.jump.map((address, i) => ({ name: names.server("jump", i), address, zone: zones.jump[i] })) },
      jenkins: { ...ROLES.jenkins, host: { name: names.server("jenkins"), address: plan.jenkins, zone: zones.jenkins } },
      nfs: { ...ROLES.nfs, host: { name: names.server("nfs"), address: plan.nfs, zone: zones.nfs } },
      web: { ...ROLES.web, hosts: Array.from({ length: webCount }, (_, i) => ({ name: names.server("web", i), zone: zones.web[i] })) },
      buildHost: ROLES.buildHost,
    },
  };
}

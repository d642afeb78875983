// The resolved factory: everything derived from a validated environment file, computed
// once. Stacks, constructs' props, user-data renderers and the diff rules take it; no
// other module derives a name, an address, a zone or a role's port, path or user.
// `factory templates` writes it for Jenkins (jobs/build-hosts/<env>/factory.json, see
// modelFile): the pipeline's scripts read the same facts instead of repeating them.
//
// Adding a role: an entry in ROLES (config/roles.ts) and in `roles` below (its hosts:
// name, address, zone), its construct in constructs/ and its user-data renderer in
// userdata/ (README: "Adding a role").
import { AddressPlan, addressPlan, OFFSETS, SubnetPlan, subnetPlan } from "./address-plan";
import { factoryNames, FactoryNames } from "./names";
import { Placement, placement } from "./placement";
import { ADMIN, PORTS, ROLES } from "./roles";
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

/** Version of the model file's layout: readers check it; a change they cannot take makes 2. */
const MODEL_FILE_VERSION = 1;

/**
 * The model as Jenkins reads it (jobs/build-hosts/<env>/factory.json): plain JSON, the
 * environment with the schema's defaults applied, and every derived fact the jobs use.
 */
export function modelFile(model: FactoryModel): object {
  const { env, names, plan, roles } = model;
  return {
    version: MODEL_FILE_VERSION,
    environment: env,
    names: {
      stacks: names.stacks,
      buildHostStacks: Object.fromEntries(env.buildHosts.templates.map((t) => [t.name, names.buildHostStack(t.name)])),
      network: names.network,
      securityGroups: { buildHost: names.securityGroup("build-host") },
      buildHostPrefix: names.buildHostPrefix,
    },
    addresses: {
      cidr: plan.cidr.text,
      offsets: OFFSETS,
      router: plan.router,
      gateway: plan.gateway,
      ...(plan.egressVip ? { egressVip: plan.egressVip } : {}),
      dynamicPool: plan.dynamicPool,
    },
    ports: PORTS,
    admin: ADMIN,
    roles: {
      jump: { hosts: roles.jump.hosts, listens: roles.jump.listens },
      jenkins: { host: roles.jenkins.host, listens: roles.jenkins.listens, user: roles.jenkins.user, paths: roles.jenkins.paths },
      nfs: { host: roles.nfs.host, listens: roles.nfs.listens, paths: roles.nfs.paths },
      web: { hosts: roles.web.hosts, listens: roles.web.listens, user: roles.web.user, paths: roles.web.paths },
      buildHost: { listens: roles.buildHost.listens, user: roles.buildHost.user, paths: roles.buildHost.paths },
    },
  };
}

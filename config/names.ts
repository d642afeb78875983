// The names of an environment's stacks and OpenStack resources: a promise to users (their
// scripts, SSH configs and dashboards use them), so they are made here and nowhere else.
// The diff engine parses stack names with parseStackName; the reaper reads the build
// hosts' prefix from the model file Jenkins gets (jobs/build-hosts/<env>/factory.json).

/** The stacks deployed once per environment, in deploy order. */
const DEPLOYED_STACKS = ["network", "data", "factory", "web"] as const;
type DeployedStack = (typeof DEPLOYED_STACKS)[number];
/** `<env>-build-host-<template>`: one per build-host template, applied per build. */
const BUILD_HOST_STACK = "build-host";

export interface FactoryNames {
  /** Stack names: `<env>-network`, `-data`, `-factory`, `-web`. */
  readonly stacks: Readonly<Record<DeployedStack, string>>;
  /** `<env>-build-host-<template>`. */
  buildHostStack(template: string): string;
  /** The factory's network, subnet and router: `<env>-net`, `-subnet`, `-router`. */
  readonly network: NetworkNames;
  /** The web tenant's: `<env>-web-net`, `-web-subnet`, `-web-router`. */
  readonly webNetwork: NetworkNames;
  /** A role's security group (`<env>-<role>`; the web tenant's is `<env>-web`). */
  securityGroup(role: string): string;
  /** A role's server and port: `<env>-<role>`, or `<env>-<role>-<index>` for several. */
  server(role: string, index?: number): string;
  readonly keyPair: string;
  /** keepalived's router_id of jump host `index` on the egress VIP (counted from 1). */
  vrrpRouterId(index: number): string;
  /** The jump hosts' anti-affinity group. */
  readonly jumpServerGroup: string;
  readonly nfsDataVolume: string;
  readonly jenkinsHomeVolume: string;
  /** What every build host's server, port and Jenkins node name starts with: `<env>-build-`. */
  readonly buildHostPrefix: string;
  /** A build host's server and port (`<env>-build-<build id>`; the id may be a Terraform token). */
  buildHost(buildId: string): string;
  /** A build host's scratch volume: `<server name>-scratch`. */
  scratchVolume(buildHostName: string): string;
}

export interface NetworkNames {
  readonly network: string;
  readonly subnet: string;
  readonly router: string;
}

function networkNames(prefix: string): NetworkNames {
  return { network: `${prefix}-net`, subnet: `${prefix}-subnet`, router: `${prefix}-router` };
}

export function factoryNames(envName: string): FactoryNames {
  const named = (suffix: string) => `${envName}-${suffix}`;
  const buildHostPrefix = named("build-");
  return {
    stacks: Object.fromEntries(DEPLOYED_STACKS.map((kind) => [kind, named(kind)])) as Record<DeployedStack, string>,
    buildHostStack: (template) => named(`${BUILD_HOST_STACK}-${template}`),
    network: networkNames(envName),
    webNetwork: networkNames(named("web")),
    securityGroup: (role) => named(role),
    server: (role, index) => named(index === undefined ? role : `${role}-${index}`),
    vrrpRouterId: (index) => named(`jump-${index + 1}`),
    keyPair: named("admin"),
    jumpServerGroup: named("jump"),
    nfsDataVolume: named("nfs-data"),
    jenkinsHomeVolume: named("jenkins-home"),
    buildHostPrefix,
    buildHost: (buildId) => `${buildHostPrefix}${buildId}`,
    scratchVolume: (name) => `${name}-scratch`,
  };
}

export interface ParsedStackName {
  readonly environment: string;
  readonly kind: DeployedStack | typeof BUILD_HOST_STACK;
  /** The build-host template, for a build-host stack. */
  readonly template?: string;
}

const STACK_NAME = new RegExp(`^(.+?)-(${DEPLOYED_STACKS.join("|")}|${BUILD_HOST_STACK}-(.+))$`);

/** The environment and kind of a stack name factoryNames made; undefined for any other name. */
export function parseStackName(stack: string): ParsedStackName | undefined {
  const m = STACK_NAME.exec(stack);
  if (!m) return undefined;
  if (m[3] !== undefined) return { environment: m[1], kind: BUILD_HOST_STACK, template: m[3] };
  return { environment: m[1], kind: m[2] as DeployedStack };
}

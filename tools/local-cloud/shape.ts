// The shape of the local cloud that the given environment files need: its region and
// image-only regions, availability zones with their compute hosts, external networks,
// flavors, images and one project per cloud name with quotas the environments fit in.
// Files are read by the project's own loader, so the schema's defaults apply.
//
//   node dist/tools/local-cloud/shape.js [--previous SHAPE.json] FILE...
//
// prints the union of the files' shapes (and the previous one: a running cloud only grows)
// as JSON; a problem is one line on stderr and exit 1.
import { readFileSync } from "node:fs";
import { ConfigError, loadEnvironments } from "../../config/load";
import { placement } from "../../config/placement";
import type { Environment } from "../../config/schema";

export interface Flavor {
  readonly name: string;
  readonly vcpus: number;
  readonly ramMb: number;
  readonly diskGb: number;
}

export interface Quota {
  readonly instances: number;
  readonly cores: number;
  readonly ramMb: number;
  readonly volumes: number;
  readonly gigabytes: number;
  readonly serverGroupMembers: number;
}

export interface CloudShape {
  /** The region with every service. */
  readonly region: string;
  /** Further regions, each with only its own Glance (images are copied there). */
  readonly imageRegions: string[];
  /** Each zone's compute hosts: enough for the jump hosts' anti-affinity group. */
  readonly zones: { readonly name: string; readonly hosts: number }[];
  readonly externalNetworks: string[];
  readonly flavors: Flavor[];
  readonly images: string[];
  /** One project (and member user) per clouds.yaml entry. */
  readonly clouds: { readonly name: string; readonly quota: Quota }[];
}

/** Sizes of OpenStack's classic m1 family by the name's last part; other names get m1.medium's. */
const SIZES: Record<string, Omit<Flavor, "name">> = {
  tiny: { vcpus: 1, ramMb: 512, diskGb: 10 },
  small: { vcpus: 1, ramMb: 2048, diskGb: 20 },
  medium: { vcpus: 2, ramMb: 4096, diskGb: 40 },
  large: { vcpus: 4, ramMb: 8192, diskGb: 80 },
  xlarge: { vcpus: 8, ramMb: 16384, diskGb: 160 },
  "2xlarge": { vcpus: 16, ramMb: 32768, diskGb: 160 },
  "4xlarge": { vcpus: 32, ramMb: 65536, diskGb: 160 },
};

export function flavorOf(name: string): Flavor {
  const size = SIZES[name.split(".").pop() ?? ""] ?? SIZES.medium;
  return { name, ...size };
}

const NO_QUOTA: Quota = { instances: 0, cores: 0, ramMb: 0, volumes: 0, gigabytes: 0, serverGroupMembers: 0 };

function addQuota(a: Quota, b: Quota): Quota {
  return {
    instances: a.instances + b.instances,
    cores: a.cores + b.cores,
    ramMb: a.ramMb + b.ramMb,
    volumes: a.volumes + b.volumes,
    gigabytes: a.gigabytes + b.gigabytes,
    serverGroupMembers: Math.max(a.serverGroupMembers, b.serverGroupMembers),
  };
}

/** What a set of servers (and volumes) takes from a project's quota. */
function servers(flavorNames: string[], volumesGb: number[] = []): Quota {
  const flavors = flavorNames.map(flavorOf);
  return {
    instances: flavors.length,
    cores: flavors.reduce((n, f) => n + f.vcpus, 0),
    ramMb: flavors.reduce((n, f) => n + f.ramMb, 0),
    volumes: volumesGb.length,
    gigabytes: volumesGb.reduce((n, g) => n + g, 0),
    serverGroupMembers: 0,
  };
}

/**
 * Twice what the environment declares, so a recreate, an added jump host, a grown volume
 * or a test server fits beside it; at least the usual defaults of a fresh project.
 */
function headroom(q: Quota): Quota {
  return {
    instances: Math.max(10, 2 * q.instances),
    cores: Math.max(20, 2 * q.cores),
    ramMb: Math.max(51200, 2 * q.ramMb),
    volumes: Math.max(10, 2 * q.volumes),
    gigabytes: Math.max(1000, 2 * q.gigabytes),
    serverGroupMembers: Math.max(10, 2 * q.serverGroupMembers),
  };
}

function shapeOf(env: Environment): CloudShape {
  const { jenkins, nfs, jump } = env.servers;
  const templates = env.buildHosts.templates;
  const biggestTemplate = (pick: (t: (typeof templates)[number]) => number) =>
    templates.length > 0 ? templates.reduce((a, t) => (pick(t) > pick(a) ? t : a)) : undefined;
  const largest = biggestTemplate((t) => flavorOf(t.flavor).vcpus);
  const scratch = biggestTemplate((t) => t.scratchVolumeGb)?.scratchVolumeGb ?? 0;
  const factory = addQuota(
    servers(
      [jenkins.flavor, nfs.flavor, ...Array(jump.count).fill(jump.flavor)],
      [nfs.dataVolumeGb, ...(jenkins.homeVolumeGb ? [jenkins.homeVolumeGb] : [])],
    ),
    // every build host at once on the largest template, each with the largest scratch volume
    servers(
      largest ? Array(env.buildHosts.maxInstances).fill(largest.flavor) : [],
      scratch > 0 ? Array(env.buildHosts.maxInstances).fill(scratch) : [],
    ),
  );
  const withGroup = { ...factory, serverGroupMembers: jump.count };
  const web = env.web ? servers(Array(env.web.count).fill(env.web.flavor)) : NO_QUOTA;
  const webCloud = env.web?.cloud ?? env.cloud;
  const clouds =
    webCloud === env.cloud
      ? [{ name: env.cloud, quota: addQuota(withGroup, web) }]
      : [
          { name: env.cloud, quota: withGroup },
          { name: webCloud, quota: web },
        ];

  const hostsPerZone = new Map(env.availabilityZones.map((z) => [z, 0]));
  for (const zone of placement(env).jump) hostsPerZone.set(zone, (hostsPerZone.get(zone) ?? 0) + 1);

  const flavorNames = [jenkins.flavor, nfs.flavor, jump.flavor, ...(env.web ? [env.web.flavor] : []), ...templates.map((t) => t.flavor)];
  return {
    region: env.region,
    imageRegions: unique([...env.uploadRegions, ...env.images.flatMap((i) => i.regions ?? [])]),
    zones: [...hostsPerZone].map(([name, hosts]) => ({ name, hosts: Math.max(1, hosts) })),
    externalNetworks: [env.network.externalNetwork],
    flavors: unique(flavorNames).map(flavorOf),
    images: unique([jenkins.image, nfs.image, jump.image, ...(env.web ? [env.web.image] : []), ...templates.map((t) => t.image)]),
    clouds: clouds.map((c) => ({ name: c.name, quota: headroom(c.quota) })),
  };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function byName<T extends { name: string }>(lists: T[][], merge: (a: T, b: T) => T): T[] {
  const out = new Map<string, T>();
  for (const item of lists.flat()) {
    const seen = out.get(item.name);
    out.set(item.name, seen ? merge(seen, item) : item);
  }
  return [...out.values()];
}

function maxQuota(a: Quota, b: Quota): Quota {
  const keys = Object.keys(a) as (keyof Quota)[];
  return Object.fromEntries(keys.map((k) => [k, Math.max(a[k], b[k])])) as unknown as Quota;
}

/** The union of shapes; each comes from a source named in errors. */
export function unionOf(parts: { source: string; shape: CloudShape }[]): CloudShape {
  const [first] = parts;
  for (const { source, shape } of parts) {
    if (shape.region !== first.shape.region) {
      throw new Error(
        `${source}: region: "${shape.region}" differs from "${first.shape.region}" of ${first.source}; the local cloud has one region with every service`,
      );
    }
  }
  const region = first.shape.region;
  return {
    region,
    imageRegions: unique(parts.flatMap((p) => p.shape.imageRegions)).filter((r) => r !== region),
    zones: byName(
      parts.map((p) => p.shape.zones),
      (a, b) => ({ name: a.name, hosts: Math.max(a.hosts, b.hosts) }),
    ),
    externalNetworks: unique(parts.flatMap((p) => p.shape.externalNetworks)),
    flavors: byName(
      parts.map((p) => p.shape.flavors),
      (a) => a,
    ),
    images: unique(parts.flatMap((p) => p.shape.images)),
    // Two environments on one cloud name share its project: its quota must fit both.
    clouds: byName(
      parts.map((p) => p.shape.clouds),
      (a, b) => ({ name: a.name, quota: addQuota(a.quota, b.quota) }),
    ),
  };
}

/** Like unionOf, but a previous shape's quota is a floor, not a further environment. */
function grow(previous: CloudShape, next: CloudShape, source: string): CloudShape {
  const merged = unionOf([
    { source: "the running local cloud", shape: previous },
    { source, shape: next },
  ]);
  return {
    ...merged,
    clouds: byName([previous.clouds, next.clouds], (a, b) => ({ name: a.name, quota: maxQuota(a.quota, b.quota) })),
  };
}

export function main(argv: string[]): number {
  const args = [...argv];
  let previous: CloudShape | undefined;
  const at = args.indexOf("--previous");
  if (at >= 0) {
    previous = JSON.parse(readFileSync(args[at + 1], "utf8")) as CloudShape;
    args.splice(at, 2);
  }
  if (args.length === 0) {
    process.stderr.write("usage: shape.js [--previous SHAPE.json] FILE...\n");
    return 2;
  }
  try {
    const loaded = loadEnvironments(args);
    let shape = unionOf(loaded.map(({ file, env }) => ({ source: file, shape: shapeOf(env) })));
    if (previous) shape = grow(previous, shape, args.join(", "));
    process.stdout.write(JSON.stringify(shape, null, 2) + "\n");
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

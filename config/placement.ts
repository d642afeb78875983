// Which availability zone each server (and its volumes) goes to. NFS and its data volume
// share a zone (many clouds forbid cross-zone attachment); Jenkins takes the next zone so
// one zone's outage does not take both; jump and web servers go round-robin.
import type { Environment } from "./schema";

export interface Placement {
  readonly nfs: string;
  readonly jenkins: string;
  readonly jump: readonly string[];
  readonly web: readonly string[];
}

export function placement(env: Environment): Placement {
  const zones = env.availabilityZones;
  const at = (i: number) => zones[i % zones.length];
  return {
    nfs: at(0),
    jenkins: at(1),
    jump: Array.from({ length: env.servers.jump.count }, (_, i) => at(i)),
    web: Array.from({ length: env.web?.count ?? 0 }, (_, i) => at(i)),
  };
}

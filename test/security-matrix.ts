// The security matrix of the README, stated once as a table: which role takes which
// ports from which source. The unit test checks every synthesized rule against it, the
// cloud test every rule Neutron holds.
import type { Environment } from "../config/schema";

type Source = "admin" | "jump" | "jenkins" | "build-host" | "world" | "subnet";
type Matrix = Record<string, Partial<Record<Source, string[]>>>;

// to ← from: ports. "jenkins" on web is the publish path (rsync over SSH through the
// factory's egress address); egress: jump adds the forwarding and VRRP rows.
const MATRIX: Matrix = {
  jump: { admin: ["tcp/22"] },
  jenkins: { jump: ["tcp/22", "tcp/8080"], "build-host": ["tcp/5201"] },
  nfs: { jump: ["tcp/22"], jenkins: ["tcp/2049"], "build-host": ["tcp/2049"] },
  "build-host": { jump: ["tcp/22"], jenkins: ["tcp/22"] },
  web: { jump: ["tcp/22"], jenkins: ["tcp/22"], world: ["tcp/80", "tcp/443"] },
};
const JUMP_EGRESS_ROWS: Matrix = {
  jump: { subnet: ["any"], jump: ["vrrp"] },
};

/** The rules the matrix implies for an environment, one line per Neutron rule. */
export function expectedRules(env: Environment): string[] {
  const { egress } = env.network;
  const lines: string[] = [];
  const add = (to: string, from: string, port: string, ethertype = "IPv4", times = 1) => {
    for (let i = 0; i < times; i++) lines.push(`${to} <- ${from} ${port} ${ethertype}`);
  };
  for (const matrix of egress === "jump" ? [MATRIX, JUMP_EGRESS_ROWS] : [MATRIX]) {
    for (const [to, sources] of Object.entries(matrix)) {
      if (to === "web" && !(env.web && env.web.count > 0)) continue;
      for (const [from, ports] of Object.entries(sources) as Array<[Source, string[]]>) {
        for (const port of ports) {
          if (from === "admin") {
            for (const cidr of env.admin.cidrs) add(to, from, port, cidr.version === 6 ? "IPv6" : "IPv4");
          } else if (from === "world") {
            add(to, from, port, "IPv4");
            add(to, from, port, "IPv6");
          } else if (to === "web" && from === "jump") {
            add(to, from, port, "IPv4", env.servers.jump.count); // one /32 per jump floating IP
          } else if (from === "jump" && egress === "jump") {
            // one /32 per jump host's fixed address: the jump group would admit their address pair 0.0.0.0/0
            add(to, from, port, "IPv4", env.servers.jump.count);
          } else if (to === "web" && from === "jenkins") {
            if (egress === "router") add(to, from, port); // via the router's SNAT address
          } else {
            add(to, from, port);
          }
        }
      }
    }
  }
  return lines.sort();
}

// The security matrix, stated as a table and checked rule by rule against every ingress
// rule of every stack: nothing more, nothing less.
import type { Environment } from "../config/schema";
import { environment, maximalEnvironment, synthEnvironment } from "./helpers";

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
function expectedRules(env: Environment): string[] {
  const jumpEgress = env.network.egress === "jump";
  const lines: string[] = [];
  const add = (to: string, from: string, port: string, ethertype = "IPv4", times = 1) => {
    for (let i = 0; i < times; i++) lines.push(`${to} <- ${from} ${port} ${ethertype}`);
  };
  for (const matrix of jumpEgress ? [MATRIX, JUMP_EGRESS_ROWS] : [MATRIX]) {
    for (const [to, sources] of Object.entries(matrix)) {
      if (to === "web" && !(env.web && env.web.count > 0)) continue;
      for (const [from, ports] of Object.entries(sources) as Array<[Source, string[]]>) {
        for (const port of ports) {
          if (from === "admin") {
            for (const cidr of env.admin.cidrs) add(to, from, port, cidr.includes(":") ? "IPv6" : "IPv4");
          } else if (from === "world") {
            add(to, from, port, "IPv4");
            add(to, from, port, "IPv6");
          } else if (to === "web" && from === "jump") {
            add(to, from, port, "IPv4", env.servers.jump.count); // one /32 per jump floating IP
          } else if (to === "web" && from === "jenkins") {
            if (!jumpEgress) add(to, from, port); // via the router's SNAT address
          } else {
            add(to, from, port);
          }
        }
      }
    }
  }
  return lines.sort();
}

/** Every ingress rule of every stack, described by role names. */
function actualRules(env: Environment): string[] {
  const lines: string[] = [];
  for (const text of synthEnvironment(env).values()) {
    const json = JSON.parse(text);
    const groups: Record<string, any> = json.resource?.openstack_networking_secgroup_v2 ?? {};
    const rules: Record<string, any> = json.resource?.openstack_networking_secgroup_rule_v2 ?? {};
    const roleOf = (ref: string) => {
      const id = /openstack_networking_secgroup_v2\.([^.]+)\.id/.exec(ref)?.[1];
      if (!id || !groups[id]) throw new Error(`rule refers to an unknown group: ${ref}`);
      return groups[id].name.slice(env.name.length + 1);
    };
    const sourceOf = (rule: any): string => {
      if (rule.remote_group_id) return roleOf(rule.remote_group_id);
      const prefix: string = rule.remote_ip_prefix;
      if (prefix === "0.0.0.0/0" || prefix === "::/0") return "world";
      if (env.admin.cidrs.includes(prefix)) return "admin";
      if (prefix === env.network.cidr) return "subnet";
      if (/jump-\d+-floating-ipaddress\}\/32$/.test(prefix)) return "jump";
      if (/external_fixed_ip.*ip_address\}\/32$/.test(prefix)) return "jenkins";
      throw new Error(`unexplained remote prefix ${prefix}`);
    };
    for (const rule of Object.values(rules)) {
      expect(rule.direction).toBe("ingress");
      const port = rule.protocol === undefined ? "any" : rule.protocol === "vrrp" ? "vrrp" : `${rule.protocol}/${rule.port_range_min}`;
      if (rule.protocol === "tcp") expect(rule.port_range_max).toBe(rule.port_range_min);
      lines.push(`${roleOf(rule.security_group_id)} <- ${sourceOf(rule)} ${port} ${rule.ethertype}`);
    }
  }
  return lines.sort();
}

test.each([
  ["the example (egress: router, IPv4 admins, web tenant)", environment()],
  ["the maximal environment (egress: jump, IPv6 admins, 3 jump hosts)", maximalEnvironment()],
  ["no web servers", environment((d) => delete d.web)],
])("%s: every rule is in the matrix and every matrix cell is a rule", (_, env) => {
  expect(actualRules(env)).toEqual(expectedRules(env));
});

test("IPv6 admin CIDRs get IPv6 rules", () => {
  const env = environment((d) => (d.admin.cidrs = ["2001:db8::/32"]));
  expect(actualRules(env).filter((l) => l.startsWith("jump <- admin"))).toEqual(["jump <- admin tcp/22 IPv6"]);
});

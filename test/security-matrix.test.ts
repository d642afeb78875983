// The security matrix, stated as a table and checked rule by rule against every ingress
// rule of every stack: nothing more, nothing less.
import { addressPlan } from "../config/address-plan";
import type { Environment } from "../config/schema";
import { environment, maximalEnvironment, synthEnvironment } from "./helpers";
import { expectedRules } from "./security-matrix";

/** Every ingress rule of every stack, described by role names. */
function actualRules(env: Environment): string[] {
  const plan = addressPlan(env);
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
      if (env.admin.cidrs.some((c) => c.text === prefix)) return "admin";
      if (prefix === env.network.cidr.text) return "subnet";
      if (plan.jump.some((a) => prefix === `${a}/32`)) return "jump";
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
  ["the maximal environment (egress: jump, 3 admin CIDRs, 3 jump hosts)", maximalEnvironment()],
  ["no web servers", environment((d) => delete d.web)],
])("%s: every rule is in the matrix and every matrix cell is a rule", (_, env) => {
  expect(actualRules(env)).toEqual(expectedRules(env));
});

test("egress: jump: no rule admits the jump group, whose ports' address pair 0.0.0.0/0 Neutron counts as a member", () => {
  const env = maximalEnvironment();
  const synth = synthEnvironment(env);
  const network = JSON.parse(synth.get(`${env.name}-network`)!);
  const groups = network.resource.openstack_networking_secgroup_v2;
  const group = (role: string) =>
    `openstack_networking_secgroup_v2.${Object.keys(groups).find((id) => groups[id].name === `${env.name}-${role}`)}.`;
  const rules = Object.values(network.resource.openstack_networking_secgroup_rule_v2) as any[];
  expect(rules.filter((r) => r.remote_group_id?.includes(group("jump")))).toEqual([]);
  const toJenkinsUi = rules.filter((r) => r.security_group_id.includes(group("jenkins")) && r.port_range_min === 8080);
  expect(toJenkinsUi.map((r) => r.remote_ip_prefix).sort()).toEqual(
    addressPlan(env)
      .jump.map((a) => `${a}/32`)
      .sort(),
  );
  // the jump hosts' ports do carry that pair
  const factory = JSON.parse(synth.get(`${env.name}-factory`)!);
  const pairs = Object.values(factory.resource.openstack_networking_port_v2).map((p: any) => p.allowed_address_pairs);
  expect(pairs).toContainEqual([{ ip_address: "0.0.0.0/0" }]);
});

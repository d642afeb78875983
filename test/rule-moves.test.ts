// The security-group rules' `moved` blocks (constructs/rule-id-moves.ts) with the real
// Terraform and provider: a state as a deployment made before the traffic-made rule ids
// left it (every rule at its `from` address) plans each rule as moved to its new address
// and otherwise unchanged: nothing destroyed, nothing created. (`terraform validate`, which
// `factory check` runs, does not look at `moved` blocks; a plan does.) No cloud: the plan
// does not refresh and targets the rules, so the provider never authenticates.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { findToolchain, terraformEnv } from "../cli/terraform/toolchain";
import { environment, maximalEnvironment, synthEnvironment, tempDir } from "./helpers";

const RULE = "openstack_networking_secgroup_rule_v2";
const GROUP = "openstack_networking_secgroup_v2";
const PROVIDER = 'provider["registry.terraform.io/terraform-provider-openstack/openstack"]';

/** `${openstack_networking_secgroup_v2.<id>.id}` → the group's id in the made-up state. */
const groupId = (reference: string | undefined) => (reference ? `sg-${/secgroup_v2\.([^.]+)\.id/.exec(reference)![1]}` : "");

/** A state holding the stack's groups, and each rule at its address before the moves. */
function stateBeforeTheMoves(stack: any): object {
  const instance = (attributes: object) => [{ schema_version: 0, attributes, sensitive_attributes: [] }];
  const resources: object[] = Object.entries(stack.resource[GROUP]).map(([name, g]: [string, any]) => ({
    mode: "managed",
    type: GROUP,
    name,
    provider: PROVIDER,
    instances: instance({
      id: `sg-${name}`,
      name: g.name,
      description: g.description,
      region: "RegionOne",
      tenant_id: "t",
      stateful: true,
      tags: [],
      all_tags: [],
      timeouts: null,
    }),
  }));
  const movedFrom = new Map(stack.moved.map(({ from, to }: { from: string; to: string }) => [to, from]));
  Object.entries(stack.resource[RULE]).forEach(([name, r]: [string, any], i) => {
    const from = movedFrom.get(`${RULE}.${name}`) ?? `${RULE}.${name}`; // VRRP's ids did not change
    resources.push({
      mode: "managed",
      type: RULE,
      name: (from as string).slice(RULE.length + 1),
      provider: PROVIDER,
      instances: instance({
        id: `rule-${i}`,
        direction: r.direction,
        ethertype: r.ethertype,
        protocol: r.protocol ?? "",
        port_range_min: r.port_range_min ?? 0,
        port_range_max: r.port_range_max ?? 0,
        remote_ip_prefix: r.remote_ip_prefix ?? "",
        remote_group_id: groupId(r.remote_group_id),
        remote_address_group_id: "",
        security_group_id: groupId(r.security_group_id),
        description: r.description,
        region: "RegionOne",
        tenant_id: "t",
        timeouts: null,
      }),
    });
  });
  return { version: 4, terraform_version: "1.6.3", serial: 1, lineage: "3f1c2a8e-0000-4000-8000-000000000001", outputs: {}, resources };
}

test.each([
  ["the example", environment()],
  ["the maximal environment (egress: jump, three jump hosts)", maximalEnvironment()],
])("%s: Terraform plans every rule of a deployment made before as moved, nothing replaced", (_, env) => {
  const toolchain = findToolchain();
  const stack = JSON.parse(synthEnvironment(env).get(`${env.name}-network`)!);
  expect(stack.moved.length).toBeGreaterThan(0);
  const dir = tempDir("rule-moves-");
  stack.terraform.backend = { local: { path: path.join(dir, "terraform.tfstate") } };
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stack));
  // Never contacted (no refresh, no data source read); a closed port if it were.
  const clouds = `clouds:\n  ${stack.provider.openstack[0].cloud}:\n    auth: { auth_url: "http://127.0.0.1:9/v3", username: u, password: p, project_name: p, user_domain_name: Default, project_domain_name: Default }\n    region_name: RegionOne\n`;
  writeFileSync(path.join(dir, "clouds.yaml"), clouds);
  const run = (...args: string[]) => {
    const r = spawnSync(toolchain.terraform, args, {
      cwd: dir,
      encoding: "utf8",
      env: { ...terraformEnv(toolchain), OS_CLIENT_CONFIG_FILE: path.join(dir, "clouds.yaml") },
    });
    if (r.status !== 0)
      throw new Error(`terraform ${args[0]}: ${`${r.stderr}${r.stdout}`.replace(/^.*cdk\.tf\.json line.*\n.*$/m, "").slice(0, 4000)}`);
    return r.stdout;
  };
  run("init", "-input=false", "-no-color");
  // After init: init takes a terraform.tfstate it finds for a state to migrate, and empties it.
  writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(stateBeforeTheMoves(stack)));
  const rules = Object.keys(stack.resource[RULE]).map((name) => `${RULE}.${name}`);
  const movedFrom = new Map<string, string>(stack.moved.map(({ from, to }: { from: string; to: string }) => [to, from]));
  // Terraform wants a targeted move's old address targeted too.
  const targets = [...rules, ...movedFrom.values()].map((a) => `-target=${a}`);
  run("plan", "-refresh=false", "-input=false", "-no-color", "-out=plan", ...targets);
  const plan = JSON.parse(run("show", "-json", "plan"));
  const planned = plan.resource_changes
    .filter((c: any) => c.type === RULE)
    .map((c: any) => [c.address, c.previous_address, c.change.actions]);
  expect(planned.sort()).toEqual(rules.map((a) => [a, movedFrom.get(a), ["no-op"]]).sort());
  expect(plan.resource_changes.every((c: any) => c.change.actions.join() === "no-op")).toBe(true); // the groups too
});

// `factory check`: Terraform validates every stack with the real OpenStack provider
// (built from source by tools/providers/build), offline. The example and maximal
// environments pass; broken configurations fail with Terraform core's messages and with
// messages only the provider's own validation produces.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { synthesize } from "../main";
import { CliRun, EXAMPLE, MAXIMAL, runFactoryInProcess, tempDir } from "./helpers";

const OPENSTACK = { source: "terraform-provider-openstack/openstack", version: "3.4.0" };

/** Writes Terraform JSON as a synth output stack: DIR/stacks/NAME/cdk.tf.json. */
function writeStack(synthDir: string, name: string, config: object): void {
  const dir = path.join(synthDir, "stacks", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config, null, 2));
}

// One error of each kind, each in its own resource so the messages can be told apart.
const BROKEN_CORE = {
  terraform: { required_providers: { openstack: OPENSTACK } },
  provider: { openstack: [{ cloud: "factory" }] },
  resource: {
    openstack_compute_instance_v2: {
      unknown_attribute: { name: "a", flavour_name: "m1.small" },
      missing_required: { flavor_name: "m1.small" },
    },
    openstack_networking_network_v2: {
      wrong_type: { name: "n", admin_state_up: "maybe" },
      undeclared_reference: { name: "${openstack_networking_network_v2.missing.name}" },
    },
  },
};

// Well-formed for Terraform core (right names and types); only the provider's own
// validation functions reject these values.
const BROKEN_FOR_PROVIDER = {
  terraform: { required_providers: { openstack: OPENSTACK } },
  provider: { openstack: [{ cloud: "factory" }] },
  resource: {
    openstack_networking_secgroup_rule_v2: {
      ipv5: { direction: "ingress", ethertype: "IPv5", security_group_id: "sg" },
      port_out_of_range: {
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        port_range_min: 22,
        port_range_max: 70000,
        security_group_id: "sg",
      },
    },
    openstack_networking_subnet_v2: { ip_version_5: { network_id: "n", cidr: "10.0.0.0/24", ip_version: 5 } },
  },
};

// Valid, and needs Terraform's builtin provider only (terraform_data, terraform_remote_state).
const FINE = {
  data: { terraform_remote_state: { other: { backend: "local", config: { path: "other.tfstate" } } } },
  resource: { terraform_data: { ready: { triggers_replace: { network: "${data.terraform_remote_state.other.outputs.network_id}" } } } },
};

let environmentsCheck: CliRun;
let brokenCheck: CliRun;
let stackNames: string[];

beforeAll(async () => {
  const synthDir = tempDir("factory-check-synth-");
  stackNames = synthesize(loadEnvironments([EXAMPLE, MAXIMAL]), synthDir).stacks;
  const brokenDir = tempDir("factory-check-broken-");
  writeStack(brokenDir, "broken-core", BROKEN_CORE);
  writeStack(brokenDir, "broken-for-provider", BROKEN_FOR_PROVIDER);
  writeStack(brokenDir, "fine", FINE);
  // The CLI runs in this process and captures stdout, so its two runs take turns.
  environmentsCheck = await runFactoryInProcess(["check", "--dir", synthDir]);
  brokenCheck = await runFactoryInProcess(["check", "--dir", brokenDir]);
}, 120_000);

const errorLines = (run: CliRun) => run.stderr.split("\n").filter((line) => /^[^:]+: error: /.test(line));

test("every stack of the example and maximal environments is valid for Terraform and the provider", () => {
  // The stack families this check must cover (the list grows with the project).
  for (const env of ["example", "maximal"]) {
    for (const suffix of ["network", "data", "factory", "web", "build-host-dib"]) expect(stackNames).toContain(`${env}-${suffix}`);
  }
  // Errors fail the check; warnings (deprecations) are printed but do not.
  expect({ errors: errorLines(environmentsCheck), status: environmentsCheck.status }).toEqual({ errors: [], status: 0 });
  for (const stack of stackNames) expect(environmentsCheck.stdout).toMatch(new RegExp(`^${stack}: valid \\(\\d+\\.\\d s\\)$`, "m"));
  expect(environmentsCheck.stdout).toContain(`${stackNames.length} stacks valid for Terraform`);
});

describe("errors, one line each, and exit 1", () => {
  test("the valid stack beside the broken ones passes (builtin provider, offline)", () => {
    expect(brokenCheck.status).toBe(1);
    expect(brokenCheck.stdout).toMatch(/^fine: valid \(/m);
    expect(brokenCheck.stdout).toMatch(/^broken-core: INVALID \(/m);
    expect(brokenCheck.stdout).toMatch(/^broken-for-provider: INVALID \(/m);
    expect(brokenCheck.stdout).toContain("2 of 3 stacks invalid: broken-core, broken-for-provider");
    expect(errorLines(brokenCheck)).toHaveLength(7);
  });

  test.each([
    'Extraneous JSON object property: No argument or block type is named "flavour_name". Did you mean "flavor_name"? (resource.openstack_compute_instance_v2.unknown_attribute)',
    'Missing required argument: The argument "name" is required, but no definition was found. (resource.openstack_compute_instance_v2.missing_required)',
    'Incorrect attribute value type: Inappropriate value for attribute "admin_state_up": a bool is required. (resource.openstack_networking_network_v2.wrong_type)',
    'Reference to undeclared resource: A managed resource "openstack_networking_network_v2" "missing" has not been declared in the root module. (resource.openstack_networking_network_v2.undeclared_reference)',
  ])("Terraform core: %s", (line) => {
    expect(brokenCheck.stderr).toContain(`broken-core: error: ${line}`);
  });

  test.each([
    'unknown "IPv5" ethertype for openstack_networking_secgroup_rule_v2s (openstack_networking_secgroup_rule_v2.ipv5)',
    "expected port_range_max to be in the range (0 - 65535), got 70000 (openstack_networking_secgroup_rule_v2.port_out_of_range)",
    "expected ip_version to be one of [4 6], got 5 (openstack_networking_subnet_v2.ip_version_5)",
  ])("the provider's own validation: %s", (line) => {
    expect(brokenCheck.stderr).toContain(`broken-for-provider: error: ${line}`);
  });
});

test("check takes either environment files or a synth directory", async () => {
  const r = await runFactoryInProcess(["check", "--dir", "cdktf.out", "--config", EXAMPLE]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("--dir checks an existing synth output; it takes no --config");
});

test("without the built toolchain, check says which command builds it", async () => {
  const before = process.env.FACTORY_CACHE_DIR;
  process.env.FACTORY_CACHE_DIR = tempDir("factory-check-no-cache-");
  try {
    const synthDir = tempDir("factory-check-one-");
    writeStack(synthDir, "fine", FINE);
    const r = await runFactoryInProcess(["check", "--dir", synthDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^factory: the Terraform providers are not built on this machine \(no .*\); run tools\/providers\/build/m);
    expect(r.stdout).toBe("");
  } finally {
    if (before === undefined) delete process.env.FACTORY_CACHE_DIR;
    else process.env.FACTORY_CACHE_DIR = before;
  }
});

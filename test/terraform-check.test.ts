// Terraform itself (init + validate, offline, against the pinned provider schemas)
// accepts every stack of the example and maximal environments, and reports its own
// errors for broken configurations. One beforeAll does all Terraform work, in parallel.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { synthesize } from "../main";
import { TerraformSandbox } from "../tools/terraform-check/runner";
import { CliRun, EXAMPLE, MAXIMAL, REPO, runFactoryInProcess, tempDir } from "./helpers";

const OPENSTACK = { source: "terraform-provider-openstack/openstack", version: "3.4.0" };
const NULL = { source: "hashicorp/null", version: "3.2.4" };

/** Writes Terraform JSON as a synth output stack: DIR/stacks/NAME/cdk.tf.json. */
function writeStack(synthDir: string, name: string, config: object): void {
  const dir = path.join(synthDir, "stacks", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config, null, 2));
}

// One error of each kind, each in its own resource so the messages can be told apart.
const BROKEN = {
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

// Valid, and needs the null provider and Terraform's builtin provider: neither may be
// downloaded.
const FINE = {
  terraform: { required_providers: { null: NULL } },
  data: { terraform_remote_state: { other: { backend: "local", config: { path: "other.tfstate" } } } },
  resource: { null_resource: { ready: { triggers: { network: "${data.terraform_remote_state.other.outputs.network_id}" } } } },
};

// For `terraform plan`: a data source read during plan, computed attributes, and a
// resource that already exists in the state (read, upgraded and planned as unchanged).
const PLANNED = {
  terraform: { required_providers: { openstack: OPENSTACK } },
  provider: { openstack: [{ cloud: "factory" }] },
  data: { openstack_networking_network_v2: { external: { name: "public", external: true } } },
  resource: {
    openstack_networking_router_v2: { router: { name: "r", external_network_id: "${data.openstack_networking_network_v2.external.id}" } },
    openstack_compute_instance_v2: { vm: { name: "vm", flavor_name: "m1.small", network: [{ name: "net" }] } },
    openstack_blockstorage_volume_v3: { data: { name: "data", size: 10, availability_zone: "${openstack_compute_instance_v2.vm.availability_zone}" } },
  },
};

const EXISTING_STATE = {
  version: 4,
  terraform_version: "1.11.0",
  serial: 1,
  lineage: "6f1c2a0e-0000-4000-8000-000000000001",
  outputs: {},
  resources: [
    {
      mode: "managed",
      type: "openstack_networking_router_v2",
      name: "router",
      provider: 'provider["registry.terraform.io/terraform-provider-openstack/openstack"]',
      instances: [{ schema_version: 0, attributes: { id: "r-1", name: "r", external_network_id: "offline-placeholder" } }],
    },
  ],
};

let environmentsCheck: CliRun;
let brokenCheck: CliRun;
let plan: any;
let launcherLint: { launchers: string[]; status: number | null; output: string };
let stackNames: string[];

async function planOffline(): Promise<any> {
  const sandbox = new TerraformSandbox();
  try {
    const lint = spawnSync("shellcheck", sandbox.mirror.launchers, { encoding: "utf8" });
    launcherLint = { launchers: sandbox.mirror.launchers, status: lint.status, output: lint.stdout + lint.stderr };
    const configDir = tempDir("tf-plan-");
    writeFileSync(path.join(configDir, "main.tf.json"), JSON.stringify(PLANNED));
    const dir = sandbox.scratchCopy({ name: "planned", dir: configDir });
    writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(EXISTING_STATE));
    for (const args of [["init", "-backend=false"], ["plan", "-out=tfplan", "-no-color"]]) {
      const r = await sandbox.terraformRun(args, dir);
      if (r.code !== 0) throw new Error(`terraform ${args[0]} failed: ${r.stderr || r.stdout}`);
    }
    return JSON.parse((await sandbox.terraformRun(["show", "-json", "tfplan"], dir)).stdout);
  } finally {
    sandbox.dispose();
  }
}

beforeAll(async () => {
  const synthDir = tempDir("tf-check-synth-");
  stackNames = synthesize(loadEnvironments([EXAMPLE, MAXIMAL]), synthDir).stacks;
  const brokenDir = tempDir("tf-check-broken-");
  writeStack(brokenDir, "broken", BROKEN);
  writeStack(brokenDir, "fine", FINE);

  const planned = planOffline();
  planned.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  // The CLI runs in this process and captures stdout, so its two runs take turns.
  environmentsCheck = await runFactoryInProcess(["check", "--dir", synthDir]);
  brokenCheck = await runFactoryInProcess(["check", "--dir", brokenDir]);
  plan = await planned;
}, 120_000);

test("every stack of the example and maximal environments is valid for Terraform", () => {
  // The stack families this check must cover (the list grows with the project).
  for (const env of ["example", "maximal"]) {
    for (const suffix of ["network", "data", "factory", "web", "build-host-dib"]) expect(stackNames).toContain(`${env}-${suffix}`);
  }
  // Errors fail the check; warnings (deprecations) are printed but do not.
  const errors = environmentsCheck.stderr.split("\n").filter((line) => /^[^:]+: error: /.test(line));
  expect({ errors, status: environmentsCheck.status }).toEqual({ errors: [], status: 0 });
  for (const stack of stackNames) expect(environmentsCheck.stdout).toMatch(new RegExp(`^${stack}: valid \\(`, "m"));
  expect(environmentsCheck.stdout).toContain(`${stackNames.length} stacks valid for Terraform`);
});

describe("Terraform's own errors, one line each, and exit 1", () => {
  test("the valid stack beside the broken one passes (null and builtin providers offline)", () => {
    expect(brokenCheck.status).toBe(1);
    expect(brokenCheck.stdout).toMatch(/^fine: valid \(/m);
    expect(brokenCheck.stdout).toMatch(/^broken: INVALID \(/m);
    expect(brokenCheck.stdout).toContain("1 of 2 stacks invalid: broken");
    expect(brokenCheck.stderr.trim().split("\n")).toHaveLength(4);
  });

  test("an unknown attribute", () => {
    expect(brokenCheck.stderr).toContain(
      'broken: error: Extraneous JSON object property: No argument or block type is named "flavour_name". Did you mean "flavor_name"? (resource.openstack_compute_instance_v2.unknown_attribute)',
    );
  });

  test("a missing required argument", () => {
    expect(brokenCheck.stderr).toContain(
      'broken: error: Missing required argument: The argument "name" is required, but no definition was found. (resource.openstack_compute_instance_v2.missing_required)',
    );
  });

  test("a value of the wrong type", () => {
    expect(brokenCheck.stderr).toContain(
      'broken: error: Incorrect attribute value type: Inappropriate value for attribute "admin_state_up": a bool is required. (resource.openstack_networking_network_v2.wrong_type)',
    );
  });

  test("a reference to an undeclared resource", () => {
    expect(brokenCheck.stderr).toContain(
      'broken: error: Reference to undeclared resource: A managed resource "openstack_networking_network_v2" "missing" has not been declared in the root module. (resource.openstack_networking_network_v2.undeclared_reference)',
    );
  });
});

test("the provider launchers in the mirror pass shellcheck", () => {
  expect(launcherLint.launchers.map((l) => path.basename(l)).sort()).toEqual([
    "terraform-provider-null_v3.2.4",
    "terraform-provider-openstack_v3.4.0",
  ]);
  expect(launcherLint).toMatchObject({ status: 0, output: "" });
});

test("the plugin refuses to run unless Terraform starts it", () => {
  const r = spawnSync(process.execPath, [path.join(REPO, "dist", "tools", "terraform-check", "plugin.js"), "schema.json"], {
    encoding: "utf8",
    env: { PATH: process.env.PATH },
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("this is a Terraform provider plugin; Terraform starts it, it is not run by hand");
  expect(r.stdout).toBe("");
});

test("check takes either environment files or a synth directory", async () => {
  const r = await runFactoryInProcess(["check", "--dir", "cdktf.out", "--config", EXAMPLE]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("--dir checks an existing synth output; it takes no --config");
});

test("terraform plan runs offline: computed attributes unknown, data sources read, existing state kept", () => {
  const changes = Object.fromEntries(plan.resource_changes.map((c: any) => [c.address, c.change]));
  expect(Object.keys(changes).sort()).toEqual([
    "openstack_blockstorage_volume_v3.data",
    "openstack_compute_instance_v2.vm",
    "openstack_networking_router_v2.router",
  ]);
  expect(changes["openstack_compute_instance_v2.vm"].actions).toEqual(["create"]);
  expect(changes["openstack_blockstorage_volume_v3.data"].actions).toEqual(["create"]);
  // Already in the state with the same configuration: read back, nothing to do.
  expect(changes["openstack_networking_router_v2.router"].actions).toEqual(["no-op"]);
  expect(changes["openstack_networking_router_v2.router"].after).toMatchObject({ id: "r-1", name: "r" });
  const vm = changes["openstack_compute_instance_v2.vm"];
  expect(vm.after).toMatchObject({ name: "vm", flavor_name: "m1.small" });
  expect(vm.after_unknown).toMatchObject({ id: true, access_ip_v4: true, network: [{ uuid: true, port: true }] });
  // Known only once the server exists, so the volume's zone is unknown too.
  expect(changes["openstack_blockstorage_volume_v3.data"].after).toMatchObject({ name: "data", size: 10 });
  expect(changes["openstack_blockstorage_volume_v3.data"].after_unknown).toMatchObject({ id: true, availability_zone: true });
  // The data source was read during plan, so its id is a (placeholder) known value.
  expect(changes["openstack_networking_router_v2.router"].after.external_network_id).toBe("offline-placeholder");
});

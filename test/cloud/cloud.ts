// The local cloud as the cloud tests see it: its clouds.yaml (from `npm run cloud -- up`,
// which the suite's runner calls first), and what each tenant holds, read back with
// openstacksdk (test/cloud/tenants.py) in one process per look.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { REPO } from "../helpers";
import type { CloudAccess } from "./deployment";

/** The harness's admin entry in clouds.yaml (tools/local-cloud). */
const ADMIN_CLOUD = "factory-local-admin";

/** Where `npm run cloud -- up` left clouds.yaml: the runner passes it on. */
export function localCloud(): CloudAccess {
  const cloudsYaml = process.env.FACTORY_TEST_CLOUDS_YAML;
  if (!cloudsYaml) throw new Error("FACTORY_TEST_CLOUDS_YAML is not set: run the cloud tests with `npm run test:cloud`");
  return { cloudsYaml, adminCloud: ADMIN_CLOUD };
}

interface ServerView {
  id: string;
  name: string;
  status: string;
  availability_zone: string;
  compute_host: string;
  image_id: string;
  flavor: string;
  key_name: string | null;
  metadata: Record<string, string>;
  config_drive: boolean | string;
  volumes: string[];
  addresses: Record<string, string[]>;
}
interface PortView {
  id: string;
  name: string;
  device_id: string;
  device_owner: string;
  fixed_ips: string[];
  security_group_ids: string[];
  allowed_address_pairs: string[];
  extra_dhcp_opts: [string, string][];
}
interface RuleView {
  id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
}
export interface TenantView {
  project_id: string;
  servers: ServerView[];
  server_groups: { name: string; policies: string[]; members: string[] }[];
  keypairs: string[];
  ports: PortView[];
  networks: string[];
  subnets: {
    name: string;
    cidr: string;
    gateway_ip: string;
    dns_nameservers: string[];
    allocation_pools: { start: string; end: string }[];
  }[];
  routers: { name: string; external_gateway_info: any }[];
  security_groups: { id: string; name: string; rules: RuleView[] }[];
  floating_ips: { id: string; address: string; port_id: string | null; fixed_ip_address: string | null; description: string }[];
  volumes: { id: string; name: string; size: number; status: string; availability_zone: string; attached_to: string[] }[];
}

/** What each of the given clouds.yaml entries' projects holds now. */
export function inspect(cloud: CloudAccess, clouds: string[]): Record<string, TenantView> {
  const r = spawnSync(
    "/usr/bin/python3",
    [path.join(REPO, "test", "cloud", "tenants.py"), "--admin", cloud.adminCloud, ...new Set(clouds)],
    {
      encoding: "utf8",
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloud.cloudsYaml, PYTHONDONTWRITEBYTECODE: "1" },
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`tenants.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Grows the local cloud for an environment, as an operator adds capacity before a change
 * that needs it (a jump host more needs a compute host more for its anti-affinity group).
 */
export function growCloud(cloud: CloudAccess, environment: object): void {
  const dir = mkdtempSync(path.join(tmpdir(), "cloud-grow-"));
  try {
    const file = path.join(dir, "environment.yaml");
    writeFileSync(file, stringify(environment));
    const r = spawnSync(path.join(REPO, "tools", "local-cloud", "cloud"), ["up", "--config", file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`local cloud up --config (grow) failed: ${r.stderr}`);
    if (r.stdout.trim().split("\n").pop() !== cloud.cloudsYaml)
      throw new Error(`local cloud up printed ${r.stdout}, not ${cloud.cloudsYaml}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs openstacksdk code as the admin (e.g. to rotate an image in Glance, as an operator would). */
export function asAdmin(cloud: CloudAccess, python: string): string {
  const script = `import openstack, json, sys\nconn = openstack.connect(cloud=${JSON.stringify(cloud.adminCloud)})\n${python}\n`;
  const r = spawnSync("/usr/bin/python3", ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloud.cloudsYaml, PYTHONDONTWRITEBYTECODE: "1" },
  });
  if (r.status !== 0) throw new Error(`admin script failed: ${r.stderr}`);
  return r.stdout;
}

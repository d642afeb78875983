// Hand-made synth outputs in cdktf's layout, shaped like the factory's stacks, for the
// diff engine's unit tests: small enough to read, varied one knob at a time.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";

export interface FixtureOptions {
  jenkinsFlavor?: string;
  jenkinsImage?: string;
  adminKey?: string;
  nfsDataGb?: number;
  homeVolumeGb?: number; // absent: no Jenkins home volume
  homePreventDestroy?: boolean;
  adminCidr?: string;
  jenkinsFromJumpGroup?: boolean; // false: the rule loses its remote group
  webRules?: number;
  /** cdktf's hash-named cross-stack plumbing: a different salt gives other names. */
  plumbingSalt?: string;
  buildHosts?: string[];
  nfsAvailabilityZone?: string;
  /** The admin rule at a new address (`from-admin-tcp-22`), with a `moved` block from its old one. */
  moveAdminRule?: boolean;
  /** The jump group at a new address and construct path, with a `moved` block: rules refer to it. */
  moveJumpGroup?: boolean;
  /**
   * The web stack's OpenStack provider: `aliased` (the default) is the factory tenant's as
   * the default and the web tenant's as alias "web", which its resources name; `default` is
   * one provider, the web tenant's, named by none. `webCloud` is the web tenant's cloud.
   */
  webProvider?: "aliased" | "default";
  webCloud?: string;
}

type Json = Record<string, any>;

const meta = (p: string, id: string) => ({ metadata: { path: p, uniqueId: id } });

function backend(stack: string): Json {
  return { local: { path: `../../../terraform.${stack}.tfstate` } };
}

/** A consuming stack's remote state of `producer` and the producer's output, cdktf style. */
function crossStack(consumer: Json, producer: Json, producerName: string, expression: string, salt: string): string {
  const stateId = `cross-stack-reference-input-${producerName}`;
  const outputId = `cross-stack-output-${expression.replace(/[^\w]/g, "")}${salt}`;
  consumer.data ??= {};
  consumer.data.terraform_remote_state ??= {};
  consumer.data.terraform_remote_state[stateId] = { backend: "local", config: backend(producerName).local };
  producer.output ??= {};
  producer.output[outputId] = { value: `\${${expression}}`, sensitive: true };
  return `\${data.terraform_remote_state.${stateId}.outputs.${outputId}}`;
}

function userData(key: string): string {
  return [
    "#cloud-config",
    "users:",
    "  - default",
    "  - name: factory",
    "    ssh_authorized_keys:",
    `      - ${key}`,
    "ssh_pwauth: false",
    "disable_root: true",
    "",
  ].join("\n");
}

function fixtureStacks(o: FixtureOptions = {}): Map<string, Json> {
  const salt = o.plumbingSalt ?? "";
  const key = o.adminKey ?? "ssh-ed25519 AAAAkey1 admin@example";
  const jumpGroup = o.moveJumpGroup ? "sg_jump_moved_12" : "sg_jump_1";
  const adminRule = o.moveAdminRule ? "rule_admin_tcp_22_13" : "rule_admin_3";
  const moved = [
    ...(o.moveJumpGroup
      ? [{ from: "openstack_networking_secgroup_v2.sg_jump_1", to: `openstack_networking_secgroup_v2.${jumpGroup}` }]
      : []),
    ...(o.moveAdminRule
      ? [{ from: "openstack_networking_secgroup_rule_v2.rule_admin_3", to: `openstack_networking_secgroup_rule_v2.${adminRule}` }]
      : []),
  ];
  const network: Json = {
    terraform: { backend: backend("example-network") },
    ...(moved.length > 0 ? { moved } : {}),
    resource: {
      openstack_networking_secgroup_v2: {
        [jumpGroup]: {
          "//": meta(`example-network/security-groups/jump/${o.moveJumpGroup ? "the-group" : "group"}`, jumpGroup),
          name: "example-jump",
        },
        sg_jenkins_2: { "//": meta("example-network/security-groups/jenkins/group", "sg_jenkins_2"), name: "example-jenkins" },
      },
      openstack_networking_secgroup_rule_v2: {
        [adminRule]: {
          "//": meta(`example-network/security-groups/jump/${o.moveAdminRule ? "from-admin-tcp-22" : "from-admin-ssh"}`, adminRule),
          direction: "ingress",
          ethertype: "IPv4",
          protocol: "tcp",
          port_range_min: 22,
          port_range_max: 22,
          remote_ip_prefix: o.adminCidr ?? "203.0.113.0/24",
          security_group_id: `\${openstack_networking_secgroup_v2.${jumpGroup}.id}`,
        },
        rule_jenkins_4: {
          "//": meta("example-network/security-groups/jenkins/from-jump-http", "rule_jenkins_4"),
          direction: "ingress",
          ethertype: "IPv4",
          protocol: "tcp",
          port_range_min: 8080,
          port_range_max: 8080,
          ...(o.jenkinsFromJumpGroup === false ? {} : { remote_group_id: `\${openstack_networking_secgroup_v2.${jumpGroup}.id}` }),
          security_group_id: "${openstack_networking_secgroup_v2.sg_jenkins_2.id}",
        },
      },
    },
  };
  const data: Json = {
    terraform: { backend: backend("example-data") },
    resource: {
      openstack_blockstorage_volume_v3: {
        nfs_data_5: {
          "//": meta("example-data/nfs-data", "nfs_data_5"),
          name: "example-nfs-data",
          size: o.nfsDataGb ?? 500,
          availability_zone: o.nfsAvailabilityZone ?? "az1",
          lifecycle: { prevent_destroy: true },
        },
        ...(o.homeVolumeGb === undefined
          ? {}
          : {
              jenkins_home_6: {
                "//": meta("example-data/jenkins-home", "jenkins_home_6"),
                name: "example-jenkins-home",
                size: o.homeVolumeGb,
                availability_zone: "az1",
                lifecycle: { prevent_destroy: o.homePreventDestroy ?? true },
              },
            }),
      },
    },
  };
  const factory: Json = {
    terraform: { backend: backend("example-factory") },
    resource: {},
  };
  const jenkinsGroup = crossStack(factory, network, "example-network", `openstack_networking_secgroup_v2.${jumpGroup}.name`, salt);
  const nfsVolume = crossStack(factory, data, "example-data", "openstack_blockstorage_volume_v3.nfs_data_5.id", salt);
  factory.resource = {
    openstack_compute_keypair_v2: {
      keypair_7: { "//": meta("example-factory/admin-keypair", "keypair_7"), name: "example-admin", public_key: key },
    },
    openstack_compute_instance_v2: {
      jenkins_8: {
        "//": meta("example-factory/jenkins/server", "jenkins_8"),
        name: "example-jenkins",
        image_name: o.jenkinsImage ?? "debian-12",
        flavor_name: o.jenkinsFlavor ?? "m1.large",
        availability_zone: "az1",
        key_pair: "${openstack_compute_keypair_v2.keypair_7.name}",
        security_groups: [jenkinsGroup],
        user_data: userData(key),
        lifecycle: { ignore_changes: ["user_data"] },
      },
      nfs_9: {
        "//": meta("example-factory/nfs/server", "nfs_9"),
        name: "example-nfs",
        image_name: "debian-12",
        flavor_name: "m1.medium",
        availability_zone: "az1",
        key_pair: "${openstack_compute_keypair_v2.keypair_7.name}",
        user_data: userData(key),
        lifecycle: { ignore_changes: ["user_data"] },
      },
    },
    openstack_compute_volume_attach_v2: {
      nfs_attach_10: {
        "//": meta("example-factory/nfs/data-attachment", "nfs_attach_10"),
        instance_id: "${openstack_compute_instance_v2.nfs_9.id}",
        volume_id: nfsVolume,
      },
    },
  };
  const webCloud = { cloud: o.webCloud ?? "example-web", region: "RegionOne" };
  const aliased = (o.webProvider ?? "aliased") === "aliased";
  const webTenant = aliased ? { provider: "openstack.web" } : {};
  const web: Json = {
    terraform: { backend: backend("example-web") },
    provider: {
      openstack: aliased
        ? [
            { cloud: "example", region: "RegionOne" },
            { alias: "web", ...webCloud },
          ]
        : [webCloud],
    },
    resource: {
      openstack_networking_secgroup_v2: {
        web_sg_11: { "//": meta("example-web/web/group", "web_sg_11"), name: "example-web", ...webTenant },
      },
      openstack_networking_secgroup_rule_v2: Object.fromEntries(
        Array.from({ length: o.webRules ?? 1 }, (_, i) => [
          `web_rule_${i}`,
          {
            "//": meta(`example-web/web/rule-${i}`, `web_rule_${i}`),
            direction: "egress",
            ethertype: "IPv4",
            protocol: "tcp",
            port_range_min: 443 + i,
            port_range_max: 443 + i,
            remote_ip_prefix: "10.0.0.0/8",
            security_group_id: "${openstack_networking_secgroup_v2.web_sg_11.id}",
            ...webTenant,
          },
        ]),
      ),
    },
  };
  const stacks = new Map<string, Json>([
    ["example-network", network],
    ["example-data", data],
    ["example-factory", factory],
    ["example-web", web],
  ]);
  for (const t of o.buildHosts ?? []) {
    stacks.set(`example-build-host-${t}`, {
      terraform: { backend: backend(`example-build-host-${t}`) },
      resource: {
        openstack_compute_instance_v2: {
          host_12: {
            "//": meta(`example-build-host-${t}/build-host`, "host_12"),
            name: `example-build-${t}`,
            image_name: "debian-12",
            flavor_name: "m1.xlarge",
          },
        },
      },
    });
  }
  return stacks;
}

/** Writes stacks as `factory synth` does (manifest.json + stacks/<stack>/cdk.tf.json). */
function writeSynthDir(stacks: Map<string, Json>, dir = path.join(tempDir("diff-fixture-"), "out")): string {
  const manifest: Json = { stacks: {}, version: "0.21.0" };
  for (const [name, json] of stacks) {
    mkdirSync(path.join(dir, "stacks", name), { recursive: true });
    writeFileSync(path.join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify(json, null, 2));
    manifest.stacks[name] = { name, synthesizedStackPath: `stacks/${name}/cdk.tf.json`, workingDirectory: `stacks/${name}` };
  }
  writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return dir;
}

export function fixtureDir(o: FixtureOptions = {}): string {
  return writeSynthDir(fixtureStacks(o));
}

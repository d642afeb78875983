// The data, factory and web stacks: what lives where, how servers are placed, connected
// and checked, and that tearing down the factory stack loses no data.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadEnvironments } from "../config/load";
import { DEFAULT_JENKINS_HOME_GB } from "../config/schema";
import { synthesize } from "../main";
import { TERRAFORM_VERSION_CONSTRAINT } from "../stacks/environment-stack";
import { environment, EXAMPLE, maximalEnvironment, REPO, SynthesizedEnvironment, tempDir } from "./helpers";

const example = new SynthesizedEnvironment(environment());
const maximal = new SynthesizedEnvironment(maximalEnvironment());

describe("stack layout", () => {
  test("the example synthesizes every kind of stack, in dependency order", () => {
    const out = tempDir();
    synthesize(loadEnvironments([EXAMPLE]), out);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    const deps = Object.fromEntries(Object.entries<any>(manifest.stacks).map(([name, s]) => [name, [...s.dependencies].sort()]));
    expect(deps).toEqual({
      "example-network": [],
      "example-data": ["example-network"],
      "example-factory": ["example-data", "example-network"],
      // its readiness checks go through the factory's jump-0
      "example-web": ["example-data", "example-factory", "example-network"],
      "example-build-host-kiwi": [],
      "example-build-host-dib": [],
    });
  });

  test("every stack requires the Terraform its backend settings need, the version the README names", () => {
    for (const e of [example, maximal]) {
      for (const [name, json] of e.stacks) expect([name, json.terraform.required_version]).toEqual([name, TERRAFORM_VERSION_CONSTRAINT]);
    }
    const minimum = TERRAFORM_VERSION_CONSTRAINT.replace(/^>= /, "");
    const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
    expect(readme).toContain(`Needs Terraform ≥ ${minimum}`);
    expect(readme.match(/Terraform ≥ \d+\.\d+(\.\d+)?/g)?.filter((m) => m !== `Terraform ≥ ${minimum}`)).toEqual([]);
  });

  test("no web section (or count 0): no web stack", () => {
    expect([...new SynthesizedEnvironment(environment((d) => (d.web.count = 0))).stacks.keys()]).not.toContain("example-web");
    expect([...new SynthesizedEnvironment(environment((d) => delete d.web)).stacks.keys()]).not.toContain("example-web");
  });

  test("one resource per server: no count or for_each anywhere", () => {
    for (const env of [example, maximal]) {
      for (const json of env.stacks.values()) {
        for (const byId of Object.values<any>(json.resource ?? {})) {
          for (const r of Object.values<any>(byId)) {
            expect(r).not.toHaveProperty("count");
            expect(r).not.toHaveProperty("for_each");
          }
        }
      }
    }
    const names = (e: SynthesizedEnvironment, s: string) =>
      e
        .resources(s, "openstack_compute_instance_v2")
        .map((i) => i.name)
        .sort();
    expect(names(example, "factory")).toEqual(["example-jenkins", "example-jump-0", "example-jump-1", "example-nfs"]);
    expect(names(example, "web")).toEqual(["example-web-0", "example-web-1"]);
    expect(names(maximal, "factory")).toEqual(["maximal-jenkins", "maximal-jump-0", "maximal-jump-1", "maximal-jump-2", "maximal-nfs"]);
  });
});

describe("data survives a teardown of the factory", () => {
  test("every volume of the factory is in <env>-data, with prevent_destroy, and may grow while attached", () => {
    for (const env of [example, maximal]) {
      for (const [name, json] of env.stacks) {
        const volumes = Object.values<any>(json.resource?.openstack_blockstorage_volume_v3 ?? {});
        if (name.endsWith("-data")) {
          for (const v of volumes) expect([v.lifecycle, v.enable_online_resize]).toEqual([{ prevent_destroy: true }, true]);
        } else if (!name.includes("-build-host-")) {
          expect({ stack: name, volumes: volumes.length }).toEqual({ stack: name, volumes: 0 });
        }
      }
    }
    // JENKINS_HOME gets its volume by default: credentials, build history and keys survive a recreate
    expect(
      example
        .resources("data", "openstack_blockstorage_volume_v3")
        .map((v) => [v.name, v.size])
        .sort(),
    ).toEqual([
      ["example-jenkins-home", DEFAULT_JENKINS_HOME_GB],
      ["example-nfs-data", 500],
    ]);
    expect(
      maximal
        .resources("data", "openstack_blockstorage_volume_v3")
        .map((v) => [v.name, v.size])
        .sort(),
    ).toEqual([
      ["maximal-jenkins-home", 200],
      ["maximal-nfs-data", 2000],
    ]);
  });

  test("Jenkins and NFS boot on fixed ports from the data stack, so they keep their addresses", () => {
    for (const [server, ip] of [
      ["example-jenkins", "10.20.0.5"],
      ["example-nfs", "10.20.0.6"],
    ]) {
      const instance = example.resources("factory", "openstack_compute_instance_v2").find((i) => i.name === server);
      const port = example.target("factory", instance.network[0].port);
      expect(port.stack).toBe("data");
      expect(port.resource.fixed_ip[0].ip_address).toBe(ip);
    }
  });

  test("volumes are attached in the factory stack: NFS data to NFS, JENKINS_HOME to Jenkins", () => {
    const attachments = (e: SynthesizedEnvironment) =>
      e
        .resources("factory", "openstack_compute_volume_attach_v2")
        .map((a) => [e.target("factory", a.instance_id).resource.name, e.target("factory", a.volume_id).resource.name])
        .sort();
    expect(attachments(example)).toEqual([
      ["example-jenkins", "example-jenkins-home"],
      ["example-nfs", "example-nfs-data"],
    ]);
    expect(attachments(maximal)).toEqual([
      ["maximal-jenkins", "maximal-jenkins-home"],
      ["maximal-nfs", "maximal-nfs-data"],
    ]);
  });

  test("homeVolumeGb: 0 leaves JENKINS_HOME on the root disk (no volume, no attachment, no mount)", () => {
    const none = new SynthesizedEnvironment(environment((d) => (d.servers.jenkins.homeVolumeGb = 0)));
    expect(none.resources("data", "openstack_blockstorage_volume_v3").map((v) => v.name)).toEqual(["example-nfs-data"]);
    expect(none.resources("factory", "openstack_compute_volume_attach_v2")).toHaveLength(1);
    const jenkins = none.resources("factory", "openstack_compute_instance_v2").find((i) => i.name === "example-jenkins");
    expect(jenkins.user_data).not.toContain("jenkins-home");
  });

  test("the NFS server shares its data volume's zone", () => {
    const nfs = maximal.resources("factory", "openstack_compute_instance_v2").find((i) => i.name === "maximal-nfs");
    const volume = maximal.resources("data", "openstack_blockstorage_volume_v3").find((v) => v.name === "maximal-nfs-data");
    expect(nfs.availability_zone).toBe(volume.availability_zone);
  });
});

describe("servers", () => {
  const allInstances = (e: SynthesizedEnvironment) =>
    ["factory", "web"].flatMap((s) => e.resources(s, "openstack_compute_instance_v2").map((i) => ({ stack: s, instance: i })));

  test("every server boots on a port with security groups, with a config drive, its user-data and image ignored after creation (no surprise rebuild after an image rotation)", () => {
    for (const e of [example, maximal]) {
      for (const { stack, instance } of allInstances(e)) {
        expect(instance.network).toHaveLength(1);
        const port = e.target(stack, instance.network[0].port);
        expect(port.type).toBe("openstack_networking_port_v2");
        expect(port.resource.security_group_ids.length).toBeGreaterThan(0);
        expect(instance.config_drive).toBe(true);
        expect(instance.lifecycle).toEqual({ ignore_changes: ["user_data", "image_name", "image_id"] });
        expect(instance.user_data).toMatch(/^#cloud-config\n/);
      }
    }
  });

  test("every server is force-deleted: with Nova's deferred delete a plain delete leaves it holding its port, and its successor could not boot on it", () => {
    const all = [example, maximal].flatMap((e) =>
      [...e.stacks.entries()].flatMap(([name, json]) =>
        Object.values<any>(json.resource?.openstack_compute_instance_v2 ?? {}).map((i) => [name, i.force_delete]),
      ),
    );
    expect(all.length).toBeGreaterThan(10);
    for (const [name, forceDelete] of all) expect([name, forceDelete]).toEqual([name, true]);
  });

  test("only jump hosts and web servers get public addresses", () => {
    for (const e of [example, maximal]) {
      const public_ = ["factory", "web"].flatMap((s) =>
        e.resources(s, "openstack_networking_floatingip_associate_v2").map((a) => e.target(s, a.port_id).resource.name),
      );
      const jumps = Array.from({ length: e.env.servers.jump.count }, (_, i) => `${e.env.name}-jump-${i}`);
      const webs = Array.from({ length: e.env.web?.count ?? 0 }, (_, i) => `${e.env.name}-web-${i}`);
      expect(public_.sort()).toEqual([...jumps, ...webs].sort());
    }
  });

  test("jump hosts are spread over the zones and kept apart by an anti-affinity group", () => {
    const jumps = (e: SynthesizedEnvironment) =>
      e.resources("factory", "openstack_compute_instance_v2").filter((i) => i.metadata.role === "jump");
    expect(jumps(example).map((i) => i.availability_zone)).toEqual(["az1", "az2"]);
    expect(jumps(maximal).map((i) => i.availability_zone)).toEqual(["az1", "az2", "az3"]);
    const [group] = example.resources("factory", "openstack_compute_servergroup_v2");
    expect(group).toMatchObject({ name: "example-jump", policies: ["anti-affinity"] });
    for (const jump of jumps(example))
      expect(jump.scheduler_hints).toEqual([{ group: expect.stringMatching(/^\$\{openstack_compute_servergroup_v2\.[^.]+\.id\}$/) }]);
    const others = example.resources("factory", "openstack_compute_instance_v2").filter((i) => i.metadata.role !== "jump");
    for (const other of others) expect(other).not.toHaveProperty("scheduler_hints");
  });

  test("servers carry the first admin key as their Nova key pair", () => {
    expect(example.resources("factory", "openstack_compute_keypair_v2")).toEqual([
      expect.objectContaining({ name: "example-admin", public_key: example.env.admin.sshPublicKeys[0] }),
    ]);
  });
});

describe("egress through the jump hosts", () => {
  test("jump ports may forward any address; their own route to the router is not left to DHCP", () => {
    const ports = maximal.resources("factory", "openstack_networking_port_v2");
    expect(ports.map((p) => p.name)).toEqual(["maximal-jump-0", "maximal-jump-1", "maximal-jump-2"]);
    for (const [i, port] of ports.entries()) {
      expect(port.fixed_ip[0].ip_address).toBe(`10.40.0.${10 + i}`);
      expect(port.allowed_address_pairs).toEqual([{ ip_address: "0.0.0.0/0" }]);
      // A per-port `router` option is ignored by RFC 3442 clients: Neutron also sends option
      // 121 with the default route via the subnet's gateway (the VIP). The user-data sets it.
      expect(port).not.toHaveProperty("extra_dhcp_option");
    }
    const jumps = maximal.resources("factory", "openstack_compute_instance_v2").filter((i) => i.metadata.role === "jump");
    for (const jump of jumps) expect(parse(jump.user_data).bootcmd).toContainEqual(expect.arrayContaining(["egress-route", "10.40.0.1"]));
  });

  test("with egress: router, jump ports forward nothing", () => {
    for (const port of example.resources("factory", "openstack_networking_port_v2")) {
      expect(port).not.toHaveProperty("allowed_address_pairs");
      expect(port).not.toHaveProperty("extra_dhcp_option");
    }
  });
});

describe("web tenant", () => {
  test("the web stack's one provider, the default, is the web tenant's cloud", () => {
    const web = example.stack("web");
    expect(web.provider.openstack).toEqual([{ cloud: "web", region: "RegionOne" }]);
    // Every resource and data source takes the default provider: none names another.
    for (const block of [web.resource, web.data]) {
      for (const byId of Object.values<any>(block)) {
        for (const r of Object.values<any>(byId)) expect(r).not.toHaveProperty("provider");
      }
    }
    expect(example.resources("web", "openstack_compute_instance_v2").length).toBeGreaterThan(0);
  });

  test("without web.cloud the web stack's provider is the factory's own tenant", () => {
    const e = new SynthesizedEnvironment(environment((d) => delete d.web.cloud));
    expect(e.stack("web").provider.openstack).toEqual([{ cloud: "factory", region: "RegionOne" }]);
  });

  test("the other stacks' provider is the factory tenant's", () => {
    for (const kind of ["network", "data", "factory"]) {
      expect(example.stack(kind).provider.openstack).toEqual([{ cloud: "factory", region: "RegionOne" }]);
    }
  });

  test("the web tenant has its own network and router, joined before any server port is made", () => {
    for (const port of example.resources("web", "openstack_networking_port_v2")) {
      expect(port.depends_on).toEqual([expect.stringMatching(/^openstack_networking_router_interface_v2\./)]);
    }
    expect(example.resources("web", "openstack_networking_subnet_v2")).toEqual([
      expect.objectContaining({ name: "example-web-subnet", cidr: "10.30.0.0/24" }),
    ]);
    expect(example.resources("web", "openstack_networking_router_v2")).toEqual([expect.objectContaining({ name: "example-web-router" })]);
  });
});

describe("deploy waits for first boot", () => {
  const isCheck = (r: any) => /-ready\/wait$/.test(r["//"].metadata.path);
  const check = (e: SynthesizedEnvironment, stack: string, name: string) =>
    e.resources(stack, "terraform_data").find((r) => r["//"].metadata.path === `${e.env.name}-${stack}/${name}/wait`);

  test("one readiness check per server, through the first jump host, redone when the server is replaced", () => {
    const checks = [...example.resources("factory", "terraform_data"), ...example.resources("web", "terraform_data")].filter(isCheck);
    expect(checks).toHaveLength(6);
    for (const check of checks) {
      expect(check.provisioner[0]["remote-exec"].inline[0]).toContain("cloud-init status --wait");
      expect(check.triggers_replace.server_id).toMatch(/^\$\{openstack_compute_instance_v2\.[^.]+\.id\}$/);
      expect(check.connection).toMatchObject({ type: "ssh", user: "factory", agent: "true" });
    }
    const jenkins = check(example, "factory", "jenkins-ready");
    expect(jenkins.connection.bastion_host).toMatch(/jump-0-floating-ip/);
  });

  test("the order is explicit: a jump host after its floating IP association, the others after jump-0's check, the web stack after the factory's", () => {
    for (const i of [0, 1]) {
      expect(check(example, "factory", `jump-${i}-ready`).depends_on).toEqual([
        expect.stringMatching(new RegExp(`^openstack_networking_floatingip_associate_v2\\.jump-hosts_floating-ip-${i}_`)),
      ]);
    }
    expect(check(example, "factory", "nfs-ready").depends_on).toEqual([expect.stringMatching(/^terraform_data\.jump-0-ready_wait_/)]);
    // Jenkins mounts the NFS exports on first boot
    expect(check(example, "factory", "jenkins-ready").depends_on).toEqual([
      expect.stringMatching(/^terraform_data\.jump-0-ready_wait_/),
      expect.stringMatching(/^terraform_data\.nfs-ready_wait_/),
    ]);
    // the web servers' checks go through the factory's jump-0: the manifest orders the stacks
    expect(check(example, "web", "web-0-ready").connection.bastion_host).toMatch(/jump-0-floating-ip/);
  });

  test("readinessCheck: false turns them off, and the web stack does not wait for the factory", () => {
    for (const name of ["factory", "web"]) {
      expect(maximal.stack(name).resource).not.toHaveProperty("terraform_data");
    }
    const out = tempDir();
    synthesize([{ file: "maximal.yaml", env: maximal.env }], out);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).stacks["maximal-web"].dependencies).not.toContain(
      "maximal-factory",
    );
  });
});

describe("data volumes are quiesced before Terraform detaches them", () => {
  const quiesce = (name: string) =>
    example.resources("factory", "terraform_data").find((r) => r["//"].metadata.path === `example-factory/${name}/quiesce`);
  const attachmentOf = (role: string) =>
    Object.entries<any>(example.stack("factory").resource.openstack_compute_volume_attach_v2).find(
      ([, a]) => example.target("factory", a.instance_id).resource.name === `example-${role}`,
    )![0];

  test.each([
    ["nfs-quiesce", "nfs", "10.20.0.6", "nfs-server.service", "/srv/factory"],
    ["jenkins-quiesce", "jenkins", "10.20.0.5", "jenkins.service", "/var/lib/jenkins"],
  ])(
    "%s: destroyed before the attachment (it depends on it), it stops the service and unmounts over SSH",
    (name, role, host, unit, mount) => {
      const q = quiesce(name);
      const attachment = `openstack_compute_volume_attach_v2.${attachmentOf(role)}`;
      // Terraform destroys dependents first: this runs before the attachment goes, on a teardown and on every replacement
      expect(q.depends_on).toEqual([
        attachment,
        expect.stringMatching(/^openstack_compute_instance_v2\.jump-hosts_jump-0_/),
        expect.stringMatching(/^openstack_networking_floatingip_associate_v2\.jump-hosts_floating-ip-0_/),
      ]);
      expect(q.triggers_replace).toEqual({ attachment_id: `\${${attachment}.id}` });
      expect(q.input).toMatchObject({ host, user: "factory", bastion_host: expect.stringMatching(/jump-0-floating-ip/) });
      const [{ "remote-exec": exec }] = q.provisioner;
      expect(exec.when).toBe("destroy");
      // a destroy-time provisioner may refer to its own resource only
      expect(exec.connection).toMatchObject({
        host: "${self.input.host}",
        bastion_host: "${self.input.bastion_host}",
        user: "${self.input.user}",
        agent: "true",
      });
      expect(exec.inline).toEqual([
        "set -e",
        `sudo systemctl stop ${unit}`,
        "sync",
        `if mountpoint -q ${mount}; then sudo umount ${mount}; fi`,
        expect.any(String),
      ]);
    },
  );

  test("without readiness checks (no SSH from Terraform) there is none; with homeVolumeGb: 0 none for Jenkins", () => {
    expect(maximal.stack("factory").resource).not.toHaveProperty("terraform_data");
    const none = new SynthesizedEnvironment(environment((d) => (d.servers.jenkins.homeVolumeGb = 0)));
    expect(
      none
        .resources("factory", "terraform_data")
        .map((r) => r["//"].metadata.path)
        .filter((p) => p.endsWith("/quiesce")),
    ).toEqual(["example-factory/nfs-quiesce/quiesce"]);
  });
});

test("outputs: jump addresses, the way to Jenkins, NFS exports, web URLs", () => {
  const factory = example.stack("factory").output;
  expect(Object.keys(factory).sort()).toEqual(["jenkins_ssh", "jenkins_ui_tunnel", "jump_addresses", "nfs_exports"]);
  expect(factory.jenkins_ssh.value).toMatch(/^ssh -J factory@\$\{.*\} factory@10\.20\.0\.5$/);
  expect(factory.nfs_exports.value).toEqual(["10.20.0.6:/srv/factory/images", "10.20.0.6:/srv/factory/builds"]);
  expect(example.stack("web").output.web_urls.value[0]).toBe("http://images.example.com/");
});

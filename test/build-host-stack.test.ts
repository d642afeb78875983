// Build-host templates: one self-contained stack per template, applied by the pipeline
// once per build, and committed under jobs/build-hosts/ for Jenkins.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { maximalEnvironment, MAXIMAL, runFactory, SynthesizedEnvironment, tempDir } from "./helpers";

const maximal = new SynthesizedEnvironment(maximalEnvironment());
const TEMPLATES = ["kiwi", "kiwi-sles", "dib", "dib-large"];

test("an environment with 4 templates has 4 build-host stacks", () => {
  expect([...maximal.stacks.keys()].filter((n) => n.includes("-build-host-")).sort()).toEqual(
    TEMPLATES.map((t) => `maximal-build-host-${t}`).sort(),
  );
});

describe.each(TEMPLATES)("template %s", (name) => {
  const template = maximal.env.buildHosts.templates.find((t) => t.name === name)!;
  const stack = maximal.stack(`build-host-${name}`);
  const [instance] = Object.values<any>(stack.resource.openstack_compute_instance_v2);
  const [port] = Object.values<any>(stack.resource.openstack_networking_port_v2);

  test("takes the build id, the agent's public key and keep as variables", () => {
    expect(Object.keys(stack.variable).sort()).toEqual(["agent_public_key", "build_id", "keep"]);
    expect(stack.variable.keep).toMatchObject({ type: "bool", default: false });
    expect(stack.variable.build_id.validation[0].condition).toContain("var.build_id");
  });

  test("is self-contained: finds the network and security group by name, keeps its state in the working dir", () => {
    expect(stack.data).not.toHaveProperty("terraform_remote_state");
    expect(Object.values<any>(stack.data.openstack_networking_network_v2)[0].name).toBe("maximal-net");
    expect(Object.values<any>(stack.data.openstack_networking_subnet_v2)[0].name).toBe("maximal-subnet");
    expect(Object.values<any>(stack.data.openstack_networking_secgroup_v2)[0].name).toBe("maximal-build-host");
    expect(stack.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
  });

  test("declares a port in the build-host group and the server with the template's image and flavor", () => {
    expect(port.name).toBe("maximal-build-${var.build_id}");
    expect(port.security_group_ids).toEqual([expect.stringMatching(/^\$\{data\.openstack_networking_secgroup_v2\./)]);
    expect(instance).toMatchObject({
      name: "maximal-build-${var.build_id}",
      image_name: template.image,
      flavor_name: template.flavor,
      config_drive: true,
      network: [{ port: expect.stringMatching(/^\$\{openstack_networking_port_v2\./) }],
    });
    expect(instance.user_data).toMatch(/^#cloud-config\n/);
    expect(instance.user_data).toContain("${var.agent_public_key}");
  });

  test("carries the metadata the reaper selects on", () => {
    expect(instance.metadata).toEqual({
      factory: "maximal",
      role: "build-host",
      template: name,
      "build-id": "${var.build_id}",
      "expires-at": '${timeadd(timestamp(), "72h")}',
      keep: "${tostring(var.keep)}",
    });
    // The expiry is stamped once, at create: a later plan (timestamp() is new each time) changes nothing.
    expect(instance.lifecycle.ignore_changes).toContain('metadata["expires-at"]');
  });

  test("is a server like every role's, force-deleted, but boots what the template says at each build", () => {
    expect(instance.force_delete).toBe(true);
    // Unlike the factory's servers, user-data and image are not ignored: each build applies
    // the template afresh, and factory diff shows a template change as the next builds' hosts.
    expect(instance.lifecycle).toEqual({ ignore_changes: ['metadata["expires-at"]'] });
  });

  test("has a scratch volume only when the template asks for one; the server follows its zone and mounts it", () => {
    const volumes = Object.values<any>(stack.resource.openstack_blockstorage_volume_v3 ?? {});
    if (template.scratchVolumeGb === 0) {
      expect(volumes).toEqual([]);
      expect(stack.resource).not.toHaveProperty("openstack_compute_volume_attach_v2");
      expect(instance).not.toHaveProperty("availability_zone");
      expect(instance.user_data).not.toContain("/srv/scratch");
    } else {
      expect(volumes).toEqual([expect.objectContaining({ name: "maximal-build-${var.build_id}-scratch", size: template.scratchVolumeGb })]);
      expect(volumes[0]).not.toHaveProperty("lifecycle");
      expect(Object.values<any>(stack.resource.openstack_compute_volume_attach_v2)).toHaveLength(1);
      expect(instance.availability_zone).toMatch(/^\$\{openstack_blockstorage_volume_v3\.[^.]+\.availability_zone\}$/);
      // The disk is found by the volume's serial: the first 20 characters of its id.
      expect(instance.user_data).toMatch(/\$\{substr\(openstack_blockstorage_volume_v3\.[^.]+\.id, 0, 20\)\}/);
      expect(instance.user_data).toContain("/srv/scratch");
    }
  });

  test("outputs the address, server id and name for the pipeline", () => {
    expect(Object.keys(stack.output).sort()).toEqual(["address", "name", "server_id"]);
  });
});

describe("factory templates", () => {
  test("the committed templates of environments/*.yaml are up to date", () => {
    const r = runFactory(["templates", "--check"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("writes one file per template and detects stale, missing and extra ones", () => {
    const dir = tempDir();
    const w = runFactory(["templates", "--config", MAXIMAL, "--dir", dir]);
    expect(w.status).toBe(0);
    const file = path.join(dir, "maximal", "kiwi", "cdk.tf.json");
    expect(JSON.parse(readFileSync(file, "utf8")).resource.openstack_compute_instance_v2).toBeDefined();
    expect(runFactory(["templates", "--config", MAXIMAL, "--dir", dir, "--check"]).status).toBe(0);
    // Beside them, the resolved model the jobs read: the schema's defaults applied, the names made.
    const model = JSON.parse(readFileSync(path.join(dir, "maximal", "factory.json"), "utf8"));
    expect(model.version).toBe(1);
    expect(model.environment.images.every((i: { minDiskGb?: number }) => typeof i.minDiskGb === "number")).toBe(true);
    expect(model.names.buildHostStacks.kiwi).toBe("maximal-build-host-kiwi");
    expect(model.names.buildHostPrefix).toBe("maximal-build-");

    writeFileSync(file, readFileSync(file, "utf8").replace('"size": 200', '"size": 201'));
    mkdirSync(path.join(dir, "maximal", "retired"));
    const modelFile = path.join(dir, "maximal", "factory.json");
    writeFileSync(modelFile, readFileSync(modelFile, "utf8").replace('"ttlHours": 72', '"ttlHours": 73'));
    const r = runFactory(["templates", "--config", MAXIMAL, "--dir", dir, "--check"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: differs from the environment file`);
    expect(r.stderr).toContain(`${modelFile}: differs from the environment file`);
    expect(r.stderr).toContain(`${path.join(dir, "maximal", "retired")}: no such template in the environment file`);
  });
});

// <env>-build-host-<template>: the Terraform template the pipeline applies once per build
// to spawn a build host, and destroys afterwards. It is self-contained — it finds the
// factory's network and security group by name, reads no other stack's state, and keeps
// its own state in the working directory — so the pipeline can apply a copy of it from
// the jobs repository (jobs/build-hosts/<env>/<template>/) with one state per build.
import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformVariable } from "cdktf";
import { DataOpenstackNetworkingNetworkV2 } from "../.gen/providers/openstack/data-openstack-networking-network-v2";
import { DataOpenstackNetworkingSecgroupV2 } from "../.gen/providers/openstack/data-openstack-networking-secgroup-v2";
import { DataOpenstackNetworkingSubnetV2 } from "../.gen/providers/openstack/data-openstack-networking-subnet-v2";
import type { BuildHostTemplate } from "../config/schema";
import { BuildHost } from "../constructs/build-host";
import { renderUserData } from "../userdata";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";

export interface BuildHostStackProps extends EnvironmentStackProps {
  readonly template: BuildHostTemplate;
}

export class BuildHostStack extends EnvironmentStack {
  readonly buildHost: BuildHost;

  constructor(scope: Construct, props: BuildHostStackProps) {
    super(scope, props.model.names.buildHostStack(props.template.name), props, { stateInWorkingDirectory: true });
    const { model, template } = props;
    const { env, names } = model;

    const buildId = new TerraformVariable(this, "build_id", {
      type: "string",
      description: "Id of the build this host is for (names the server, port and volume)",
      validation: [
        {
          condition: `\${can(regex("^[a-z0-9][a-z0-9-]{0,39}$", var.build_id))}`,
          errorMessage: "build_id must be 1-40 characters of a-z, 0-9 and -, starting with a letter or digit.",
        },
      ],
    });
    const agentPublicKey = new TerraformVariable(this, "agent_public_key", {
      type: "string",
      description: "OpenSSH public key Jenkins uses to reach the build host's agent user",
      validation: [
        {
          condition: `\${can(regex("^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+( .*)?$", var.agent_public_key))}`,
          errorMessage: "agent_public_key must be one OpenSSH public key line.",
        },
      ],
    });
    const keep = new TerraformVariable(this, "keep", {
      type: "bool",
      default: false,
      description: "Keep the build host after the build (the reaper leaves it alone)",
    });

    const network = new DataOpenstackNetworkingNetworkV2(this, "network", { name: names.network.network });
    const subnet = new DataOpenstackNetworkingSubnetV2(this, "subnet", { name: names.network.subnet, networkId: network.id });
    const group = new DataOpenstackNetworkingSecgroupV2(this, "build-host-group", { name: names.securityGroup("build-host") });

    const name = names.buildHost(buildId.stringValue);
    this.buildHost = new BuildHost(this, "build-host", {
      envName: env.name,
      name,
      scratchVolumeName: names.scratchVolume(name),
      template,
      buildId: buildId.stringValue,
      keep: Fn.tostring(keep.booleanValue),
      ttlHours: env.buildHosts.ttlHours,
      networkId: network.id,
      subnetId: subnet.id,
      securityGroupId: group.id,
      userData: (scratchVolumeId) =>
        renderUserData(model, { role: "build-host", template, agentPublicKey: agentPublicKey.stringValue, scratchVolumeId }),
    });

    new TerraformOutput(this, "address", { description: "Private IPv4 address of the build host", value: this.buildHost.port.address });
    new TerraformOutput(this, "server_id", { value: this.buildHost.server.id });
    new TerraformOutput(this, "name", { value: this.buildHost.server.instance.name });
  }
}

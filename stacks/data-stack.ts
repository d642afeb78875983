// <env>-data: what must survive a teardown of the factory — the NFS data volume, the
// optional JENKINS_HOME volume (both with prevent_destroy), the fixed ports of Jenkins
// and NFS (so recreated servers keep their addresses) and the jump hosts' floating IPs
// (so admins' SSH configs and the web servers' allowlist stay valid).
import { Construct } from "constructs";
import { BlockstorageVolumeV3 } from "../.gen/providers/openstack/blockstorage-volume-v3";
import { NetworkingFloatingipV2 } from "../.gen/providers/openstack/networking-floatingip-v2";
import type { Host } from "../config/factory-model";
import { ServerPort } from "../constructs/server-port";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import type { NetworkStack } from "./network-stack";

export interface DataStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
}

export class DataStack extends EnvironmentStack {
  readonly nfsDataVolume: BlockstorageVolumeV3;
  readonly jenkinsHomeVolume?: BlockstorageVolumeV3;
  readonly nfsPort: ServerPort;
  readonly jenkinsPort: ServerPort;
  readonly jumpFloatingIps: NetworkingFloatingipV2[];

  constructor(scope: Construct, props: DataStackProps) {
    super(scope, props.model.names.stacks.data, props);
    const { env, names, roles } = props.model;
    const { network } = props;
    const subnet = network.network.subnet;

    this.nfsDataVolume = new BlockstorageVolumeV3(this, "nfs-data", {
      name: names.nfsDataVolume,
      description: "Image factory data: git mirror, build workspaces, image tree",
      size: env.servers.nfs.dataVolumeGb,
      availabilityZone: roles.nfs.host.zone,
      // Growing the volume is a daily change, and it is attached all along: the provider
      // refuses to extend an attached volume unless told it may (found on the local cloud).
      enableOnlineResize: true,
      lifecycle: { preventDestroy: true },
    });
    if (env.servers.jenkins.homeVolumeGb) {
      this.jenkinsHomeVolume = new BlockstorageVolumeV3(this, "jenkins-home", {
        name: names.jenkinsHomeVolume,
        description: "JENKINS_HOME: build history and credentials",
        size: env.servers.jenkins.homeVolumeGb,
        availabilityZone: roles.jenkins.host.zone,
        enableOnlineResize: true,
        lifecycle: { preventDestroy: true },
      });
    }

    const port = (role: "jenkins" | "nfs", host: Host, securityGroupId: string) =>
      new ServerPort(this, `${role}-port`, {
        name: host.name,
        networkId: network.network.network.id,
        subnetId: subnet.id,
        ipAddress: host.address,
        securityGroupIds: [securityGroupId],
      });
    this.jenkinsPort = port("jenkins", roles.jenkins.host, network.groups.jenkins.id);
    this.nfsPort = port("nfs", roles.nfs.host, network.groups.nfs.id);

    this.jumpFloatingIps = roles.jump.hosts.map(
      (host, i) =>
        new NetworkingFloatingipV2(this, `jump-${i}-floating-ip`, {
          pool: env.network.externalNetwork,
          description: host.name,
        }),
    );
  }
}

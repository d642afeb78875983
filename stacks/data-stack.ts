// <env>-data: what must survive a teardown of the factory — the NFS data volume, the
// optional JENKINS_HOME volume (both with prevent_destroy), the fixed ports of Jenkins
// and NFS (so recreated servers keep their addresses) and the jump hosts' floating IPs
// (so admins' SSH configs and the web servers' allowlist stay valid).
import { Construct } from "constructs";
import { BlockstorageVolumeV3 } from "../.gen/providers/openstack/blockstorage-volume-v3";
import { NetworkingFloatingipV2 } from "../.gen/providers/openstack/networking-floatingip-v2";
import { placement } from "../config/placement";
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
    super(scope, `${props.env.name}-data`, props);
    const { env, plan, network } = props;
    const zones = placement(env);
    const subnet = network.network.subnet;

    this.nfsDataVolume = new BlockstorageVolumeV3(this, "nfs-data", {
      name: `${env.name}-nfs-data`,
      description: "Image factory data: git mirror, build workspaces, image tree",
      size: env.servers.nfs.dataVolumeGb,
      availabilityZone: zones.nfs,
      // Growing the volume is a daily change, and it is attached all along: the provider
      // refuses to extend an attached volume unless told it may (found on the local cloud).
      enableOnlineResize: true,
      lifecycle: { preventDestroy: true },
    });
    if (env.servers.jenkins.homeVolumeGb) {
      this.jenkinsHomeVolume = new BlockstorageVolumeV3(this, "jenkins-home", {
        name: `${env.name}-jenkins-home`,
        description: "JENKINS_HOME: build history and credentials",
        size: env.servers.jenkins.homeVolumeGb,
        availabilityZone: zones.jenkins,
        enableOnlineResize: true,
        lifecycle: { preventDestroy: true },
      });
    }

    const port = (role: "jenkins" | "nfs", ipAddress: string, securityGroupId: string) =>
      new ServerPort(this, `${role}-port`, {
        name: `${env.name}-${role}`,
        networkId: network.network.network.id,
        subnetId: subnet.id,
        ipAddress,
        securityGroupIds: [securityGroupId],
      });
    this.jenkinsPort = port("jenkins", plan.jenkins, network.groups.jenkins.id);
    this.nfsPort = port("nfs", plan.nfs, network.groups.nfs.id);

    this.jumpFloatingIps = plan.jump.map(
      (_, i) =>
        new NetworkingFloatingipV2(this, `jump-${i}-floating-ip`, {
          pool: env.network.externalNetwork,
          description: `${env.name}-jump-${i}`,
        }),
    );
  }
}

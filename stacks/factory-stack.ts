// <env>-factory: the servers — Jenkins, NFS, the jump hosts — with their key pair, volume
// attachments and floating IP associations. No volume lives here: destroying this stack
// loses no data, and recreating it gives back the same factory (addresses and volumes
// from the data stack, configuration from git). One resource per server, so a diff
// names the server it touches.
import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { ComputeKeypairV2 } from "../.gen/providers/openstack/compute-keypair-v2";
import { placement } from "../config/placement";
import { JenkinsServer } from "../constructs/jenkins-server";
import { JumpHosts } from "../constructs/jump-hosts";
import { NfsServer } from "../constructs/nfs-server";
import { QuiesceBeforeDetach } from "../constructs/quiesce-before-detach";
import { ReadinessCheck } from "../constructs/readiness-check";
import { renderUserData } from "../userdata";
import { JENKINS_HOME } from "../userdata/jenkins";
import { DATA_ROOT } from "../userdata/nfs-shares";
import type { DataStack } from "./data-stack";
import { EnvironmentStack, EnvironmentStackProps } from "./environment-stack";
import type { NetworkStack } from "./network-stack";

export interface FactoryStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
}

export class FactoryStack extends EnvironmentStack {
  readonly keyPair: ComputeKeypairV2;
  readonly jumpHosts: JumpHosts;
  readonly nfs: NfsServer;
  readonly jenkins: JenkinsServer;

  constructor(scope: Construct, props: FactoryStackProps) {
    super(scope, `${props.env.name}-factory`, props);
    const { env, plan, network, data } = props;
    const ctx = { env, plan };
    const zones = placement(env);

    // Nova key pairs hold one key; all admin keys go to the `factory` user via user-data.
    this.keyPair = new ComputeKeypairV2(this, "key-pair", {
      name: `${env.name}-admin`,
      publicKey: env.admin.sshPublicKeys[0],
    });

    this.jumpHosts = new JumpHosts(this, "jump-hosts", {
      envName: env.name,
      count: env.servers.jump.count,
      image: env.servers.jump.image,
      flavor: env.servers.jump.flavor,
      availabilityZones: zones.jump,
      plan,
      networkId: network.network.network.id,
      subnetId: network.network.subnet.id,
      securityGroupId: network.groups.jump.id,
      floatingIps: data.jumpFloatingIps.map((fip) => fip.address),
      userData: (index) => renderUserData(ctx, { role: "jump", index }),
      keyPair: this.keyPair.name,
      egress: env.network.egress === "jump",
    });

    this.nfs = new NfsServer(this, "nfs", {
      envName: env.name,
      image: env.servers.nfs.image,
      flavor: env.servers.nfs.flavor,
      availabilityZone: zones.nfs,
      portId: data.nfsPort.id,
      dataVolumeId: data.nfsDataVolume.id,
      userData: renderUserData(ctx, { role: "nfs", dataVolumeId: data.nfsDataVolume.id }),
      keyPair: this.keyPair.name,
    });

    this.jenkins = new JenkinsServer(this, "jenkins", {
      envName: env.name,
      image: env.servers.jenkins.image,
      flavor: env.servers.jenkins.flavor,
      availabilityZone: zones.jenkins,
      portId: data.jenkinsPort.id,
      homeVolumeId: data.jenkinsHomeVolume?.id,
      userData: renderUserData(ctx, { role: "jenkins", homeVolumeId: data.jenkinsHomeVolume?.id }),
      keyPair: this.keyPair.name,
    });

    const jumpAddresses = data.jumpFloatingIps.map((fip) => fip.address);
    const bastion = jumpAddresses[0];
    if (env.readinessCheck) {
      // Each jump host is reached at its floating IP once the association exists; the
      // others through jump-0, once it is up.
      const jumpReady = this.jumpHosts.servers.map(
        (server, i) =>
          new ReadinessCheck(this, `jump-${i}-ready`, { serverId: server.id, host: jumpAddresses[i], dependsOn: [this.jumpHosts.floatingIpAssociations[i]] }),
      );
      const nfsReady = new ReadinessCheck(this, "nfs-ready", { serverId: this.nfs.server.id, host: plan.nfs, bastionHost: bastion, after: [jumpReady[0]] });
      new ReadinessCheck(this, "jenkins-ready", {
        serverId: this.jenkins.server.id,
        host: plan.jenkins,
        bastionHost: bastion,
        // Jenkins mounts the NFS exports on first boot: its check waits for NFS's first.
        after: [jumpReady[0], nfsReady],
      });

      // The data volumes are unmounted before Terraform detaches them (teardown, replacement).
      const viaJump0 = { bastionHost: bastion, dependsOn: [this.jumpHosts.servers[0].instance, this.jumpHosts.floatingIpAssociations[0]] };
      new QuiesceBeforeDetach(this, "nfs-quiesce", { ...viaJump0, host: plan.nfs, attachment: this.nfs.dataAttachment, services: ["nfs-server.service"], mountPoint: DATA_ROOT });
      if (this.jenkins.homeAttachment) {
        new QuiesceBeforeDetach(this, "jenkins-quiesce", { ...viaJump0, host: plan.jenkins, attachment: this.jenkins.homeAttachment, services: ["jenkins.service"], mountPoint: JENKINS_HOME });
      }
    }

    new TerraformOutput(this, "jump_addresses", {
      description: "Floating IPs of the jump hosts (the only way in)",
      value: jumpAddresses,
    });
    new TerraformOutput(this, "jenkins_ssh", {
      description: "SSH to the Jenkins controller through the first jump host",
      value: `ssh -J factory@${bastion} factory@${plan.jenkins}`,
    });
    new TerraformOutput(this, "jenkins_ui_tunnel", {
      description: "Open a tunnel, then browse http://localhost:8080/",
      value: `ssh -N -L 8080:${plan.jenkins}:8080 factory@${bastion}`,
    });
    new TerraformOutput(this, "nfs_exports", {
      description: "NFSv4 exports of the image tree and the build workspaces",
      value: [`${plan.nfs}:/srv/factory/images`, `${plan.nfs}:/srv/factory/builds`],
    });
  }
}

// <env>-factory: the servers — Jenkins, NFS, the jump hosts — with their key pair, volume
// attachments and floating IP associations. No volume lives here: destroying this stack
// loses no data, and recreating it gives back the same factory (addresses and volumes
// from the data stack, configuration from git). One resource per server, so a diff
// names the server it touches.
import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { ComputeKeypairV2 } from "../.gen/providers/openstack/compute-keypair-v2";
import { ADMIN, PORTS } from "../config/roles";
import { JenkinsServer } from "../constructs/jenkins-server";
import { JumpHosts } from "../constructs/jump-hosts";
import { NfsServer } from "../constructs/nfs-server";
import { QuiesceBeforeDetach } from "../constructs/quiesce-before-detach";
import { ReadinessCheck } from "../constructs/readiness-check";
import { renderUserData } from "../userdata";
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
    super(scope, props.model.names.stacks.factory, props);
    const { model, network, data } = props;
    const { env, names, roles } = model;

    // Nova key pairs hold one key; all admin keys go to the `factory` user via user-data.
    this.keyPair = new ComputeKeypairV2(this, "key-pair", {
      name: names.keyPair,
      publicKey: env.admin.sshPublicKeys[0],
    });

    this.jumpHosts = new JumpHosts(this, "jump-hosts", {
      envName: env.name,
      hosts: roles.jump.hosts,
      serverGroupName: names.jumpServerGroup,
      image: env.servers.jump.image,
      flavor: env.servers.jump.flavor,
      network: network.network,
      securityGroup: network.groups.jump,
      floatingIps: data.jumpFloatingIps.map((fip) => fip.address),
      userData: (index) => renderUserData(model, { role: "jump", index }),
      keyPair: this.keyPair.name,
      egress: env.network.egress,
    });

    this.nfs = new NfsServer(this, "nfs", {
      envName: env.name,
      name: roles.nfs.host.name,
      image: env.servers.nfs.image,
      flavor: env.servers.nfs.flavor,
      availabilityZone: roles.nfs.host.zone,
      port: data.nfsPort,
      dataVolume: data.nfsDataVolume,
      userData: renderUserData(model, { role: "nfs", dataVolumeId: data.nfsDataVolume.id }),
      keyPair: this.keyPair.name,
    });

    this.jenkins = new JenkinsServer(this, "jenkins", {
      envName: env.name,
      name: roles.jenkins.host.name,
      image: env.servers.jenkins.image,
      flavor: env.servers.jenkins.flavor,
      availabilityZone: roles.jenkins.host.zone,
      port: data.jenkinsPort,
      homeVolume: data.jenkinsHomeVolume,
      userData: renderUserData(model, { role: "jenkins", homeVolumeId: data.jenkinsHomeVolume?.id }),
      keyPair: this.keyPair.name,
    });

    const jumpAddresses = data.jumpFloatingIps.map((fip) => fip.address);
    const bastion = jumpAddresses[0];
    const nfsAddress = roles.nfs.host.address ?? "";
    const jenkinsAddress = roles.jenkins.host.address ?? "";
    if (env.readinessCheck) {
      // Each jump host is reached at its floating IP once the association exists; the
      // others through jump-0, once it is up.
      const jumpReady = this.jumpHosts.servers.map(
        (server, i) =>
          new ReadinessCheck(this, `jump-${i}-ready`, {
            serverId: server.id,
            host: jumpAddresses[i],
            dependsOn: [this.jumpHosts.floatingIpAssociations[i]],
          }),
      );
      const nfsReady = new ReadinessCheck(this, "nfs-ready", {
        serverId: this.nfs.server.id,
        host: nfsAddress,
        bastionHost: bastion,
        after: [jumpReady[0]],
      });
      new ReadinessCheck(this, "jenkins-ready", {
        serverId: this.jenkins.server.id,
        host: jenkinsAddress,
        bastionHost: bastion,
        // Jenkins mounts the NFS exports on first boot: its check waits for NFS's first.
        after: [jumpReady[0], nfsReady],
      });

      // The data volumes are unmounted before Terraform detaches them (teardown, replacement).
      const viaJump0 = { bastionHost: bastion, dependsOn: [this.jumpHosts.servers[0].instance, this.jumpHosts.floatingIpAssociations[0]] };
      new QuiesceBeforeDetach(this, "nfs-quiesce", {
        ...viaJump0,
        host: nfsAddress,
        attachment: this.nfs.dataAttachment,
        services: ["nfs-server.service"],
        mountPoint: roles.nfs.paths.dataRoot,
      });
      if (this.jenkins.homeAttachment) {
        new QuiesceBeforeDetach(this, "jenkins-quiesce", {
          ...viaJump0,
          host: jenkinsAddress,
          attachment: this.jenkins.homeAttachment,
          services: ["jenkins.service"],
          mountPoint: roles.jenkins.paths.home,
        });
      }
    }

    new TerraformOutput(this, "jump_addresses", {
      description: "Floating IPs of the jump hosts (the only way in)",
      value: jumpAddresses,
    });
    new TerraformOutput(this, "jenkins_ssh", {
      description: "SSH to the Jenkins controller through the first jump host",
      value: `ssh -J ${ADMIN.name}@${bastion} ${ADMIN.name}@${jenkinsAddress}`,
    });
    const ui = PORTS.jenkinsHttp;
    new TerraformOutput(this, "jenkins_ui_tunnel", {
      description: `Open a tunnel, then browse http://localhost:${ui}/`,
      value: `ssh -N -L ${ui}:${jenkinsAddress}:${ui} ${ADMIN.name}@${bastion}`,
    });
    new TerraformOutput(this, "nfs_exports", {
      description: "NFSv4 exports of the image tree and the build workspaces",
      value: [`${nfsAddress}:${roles.nfs.paths.images}`, `${nfsAddress}:${roles.nfs.paths.builds}`],
    });
  }
}

// Ephemeral build hosts: the image tooling of their template (KIWI NG on openSUSE/SLES,
// diskimage-builder on Debian), the NFS shares, and the `agent` user Jenkins connects to
// with the key it passes at spawn time.
import type { BuildHostTemplate } from "../config/schema";
import type { PackageFamily } from "./base";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { addEgressWait } from "./egress";
import { addNfsClient } from "./nfs-shares";
import { addVolume, diskSerial } from "./volumes";

const SCRATCH_LABEL = "build-scratch";

/** KIWI NG builds openSUSE/SLES on an openSUSE host; diskimage-builder runs on Debian. */
export function familyOf(template: BuildHostTemplate): PackageFamily {
  return template.tooling === "kiwi" ? "zypper" : "apt";
}

const TOOLING: Record<PackageFamily, { packages: string[]; java: string }> = {
  zypper: {
    packages: ["python3-kiwi", "kiwi-systemdeps", "qemu-tools", "gpg2", "md5deep", "git", "rsync"],
    java: "java-21-openjdk-headless",
  },
  apt: {
    packages: ["python3-diskimage-builder", "debootstrap", "qemu-utils", "gnupg", "hashdeep", "git", "rsync"],
    java: "openjdk-21-jre-headless",
  },
};

export interface BuildHostRequest {
  readonly template: BuildHostTemplate;
  readonly agentPublicKey: string;
  readonly scratchVolumeId?: string;
  readonly scratchDiskSerial?: string;
}

export function addBuildHost(config: CloudConfig, model: UserDataContext, request: BuildHostRequest): void {
  const family = familyOf(request.template);
  const tooling = TOOLING[family];
  const { user, paths } = model.roles.buildHost;
  config.users.push({
    name: user.name,
    gecos: "Jenkins build agent",
    uid: user.uid,
    homedir: user.home,
    shell: "/bin/bash",
    // The image tools need root (loop devices, chroots, mounts).
    sudo: "ALL=(ALL) NOPASSWD:ALL",
    lock_passwd: true,
    ssh_authorized_keys: [request.agentPublicKey],
  });
  addEgressWait(config, model.plan);
  config.packages.push(...tooling.packages, request.template.javaPackage ?? tooling.java);
  addNfsClient(config, model, family);
  if (request.scratchVolumeId !== undefined || request.scratchDiskSerial !== undefined) {
    const serial = diskSerial(request.scratchVolumeId ?? "", request.scratchDiskSerial, "build-host scratch volume");
    addVolume(config, { serial, label: SCRATCH_LABEL, mountPoint: paths.scratch });
    config.runcmd.push(["chown", `${user.name}:`, paths.scratch]);
  }
}

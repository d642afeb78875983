// The NFS shares of the factory: exported by the NFS server, mounted at the same paths by
// Jenkins and the build hosts.
import type { AddressPlan } from "../config/address-plan";
import type { PackageFamily } from "./base";
import type { CloudConfig, MountEntry } from "./cloud-config";
import { scriptFile, scriptPath } from "./scripts";

/** The data volume's mount point on the NFS server. */
export const DATA_ROOT = "/srv/factory";
/** The built and published image tree. */
export const IMAGES_DIR = `${DATA_ROOT}/images`;
/** Per-build workspaces, build hosts' Terraform state, logs. */
export const BUILDS_DIR = `${DATA_ROOT}/builds`;
/** The git mirror (local to the NFS server, not exported). */
export const GIT_DIR = `${DATA_ROOT}/git`;
export const EXPORTED_DIRS = [IMAGES_DIR, BUILDS_DIR] as const;

// NFSv4 over TCP 2049 only (the security group opens nothing else). Automount: a late or
// restarting NFS server never blocks a boot, the first access waits for it instead.
// noauto keeps cloud-init's `mount -a` (run before nfs-common is installed) away from it;
// the automount unit is still pulled in by remote-fs.target.
const CLIENT_OPTIONS = "noauto,x-systemd.automount,x-systemd.mount-timeout=120,_netdev,nofail,proto=tcp,port=2049,hard";

/**
 * The controller's mounts: build hosts write the shares (as root, if compromised), so to the
 * controller they are data only — nothing on them executes (noexec, nosuid, nodev) and no
 * path through them follows a symlink a build host planted (nosymfollow, Linux 5.10+).
 */
const DATA_ONLY_OPTIONS = "nosuid,nodev,noexec,nosymfollow";

const CLIENT_PACKAGE: Record<PackageFamily, string> = { apt: "nfs-common", zypper: "nfs-client" };

/** Mounts both exports of the factory's NFS server at the same paths. */
export function addNfsClient(config: CloudConfig, plan: AddressPlan, family: PackageFamily, dataOnly = false): void {
  config.packages.push(CLIENT_PACKAGE[family]);
  for (const dir of EXPORTED_DIRS) {
    const entry: MountEntry = [`${plan.nfs}:${dir}`, dir, "nfs4", dataOnly ? `${CLIENT_OPTIONS},${DATA_ONLY_OPTIONS}` : CLIENT_OPTIONS, "0", "0"];
    config.mounts.push(entry);
  }
  config.write_files.push(scriptFile("nfs-client"));
  config.runcmd.push([scriptPath("nfs-client"), ...EXPORTED_DIRS]);
}

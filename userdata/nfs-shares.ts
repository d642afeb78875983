// The NFS shares of the factory: exported by the NFS server, mounted at the same paths by
// Jenkins and the build hosts.
import { PORTS } from "../config/roles";
import type { PackageFamily } from "./base";
import type { CloudConfig, MountEntry } from "./cloud-config";
import type { UserDataContext } from "./context";
import { scriptFile, scriptPath } from "./scripts";

/** The NFS server's exports (the image tree, the build workspaces): mounted at the same paths. */
export function exportedDirs({ roles }: UserDataContext): readonly string[] {
  return [roles.nfs.paths.images, roles.nfs.paths.builds];
}

// NFSv4 over TCP 2049 only (the security group opens nothing else). Automount: a late or
// restarting NFS server never blocks a boot, the first access waits for it instead.
// noauto keeps cloud-init's `mount -a` (run before nfs-common is installed) away from it;
// the automount unit is still pulled in by remote-fs.target.
const CLIENT_OPTIONS = `noauto,x-systemd.automount,x-systemd.mount-timeout=120,_netdev,nofail,proto=tcp,port=${PORTS.nfs},hard`;

/**
 * The controller's mounts: build hosts write the shares (as root, if compromised), so to the
 * controller they are data only — nothing on them executes (noexec, nosuid, nodev) and no
 * path through them follows a symlink a build host planted (nosymfollow, Linux 5.10+).
 */
const DATA_ONLY_OPTIONS = "nosuid,nodev,noexec,nosymfollow";

const CLIENT_PACKAGE: Record<PackageFamily, string> = { apt: "nfs-common", zypper: "nfs-client" };

/** Mounts both exports of the factory's NFS server at the same paths. */
export function addNfsClient(config: CloudConfig, model: UserDataContext, family: PackageFamily, dataOnly = false): void {
  config.packages.push(CLIENT_PACKAGE[family]);
  const dirs = exportedDirs(model);
  for (const dir of dirs) {
    const entry: MountEntry = [
      `${model.roles.nfs.host.address}:${dir}`,
      dir,
      "nfs4",
      dataOnly ? `${CLIENT_OPTIONS},${DATA_ONLY_OPTIONS}` : CLIENT_OPTIONS,
      "0",
      "0",
    ];
    config.mounts.push(entry);
  }
  config.write_files.push(scriptFile("nfs-client"));
  config.runcmd.push([scriptPath("nfs-client"), ...dirs]);
}

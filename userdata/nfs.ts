// The NFS server: the data volume (images, builds, git mirror) exported over NFSv4 to the
// private subnet only (seeds 003_*: "NFS server for GIT and Glance image data").
import { PORTS } from "../config/roles";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { exportedDirs } from "./nfs-shares";
import { addEgressWait } from "./egress";
import { checkListeners, scriptFile, scriptPath } from "./scripts";
import { addVolume, diskSerial } from "./volumes";

const DATA_LABEL = "factory-data";

// NFSv4.1+ over TCP only: the security group opens TCP 2049 and nothing else, so no
// rpcbind, mountd or statd ports (NFSv3), no UDP, no 4.0 callbacks to the clients.
// rpc.mountd stops listening only when v2 is off as well as v3 (found by the boot test:
// with v2 left on it opened four TCP ports and the listener check failed first boot).
const NFS_CONF = [
  `# Image factory: NFSv4.1+ over TCP ${PORTS.nfs} only.`,
  "[nfsd]",
  "vers2=n",
  "vers3=n",
  "vers4=y",
  "vers4.0=n",
  "vers4.1=y",
  "vers4.2=y",
  "tcp=y",
  "udp=n",
  "",
].join("\n");

export function addNfs(config: CloudConfig, model: UserDataContext, dataVolumeId: string, dataDiskSerial?: string): void {
  const { plan, roles } = model;
  const { dataRoot, images, builds, git } = roles.nfs.paths;
  addVolume(config, { serial: diskSerial(dataVolumeId, dataDiskSerial, "nfs data volume"), label: DATA_LABEL, mountPoint: dataRoot });
  const subnet = plan.cidr.text;
  const exportsFile = [
    "# The factory's shares, to its private subnet only (Jenkins, build hosts).",
    ...exportedDirs(model).map((dir) => `${dir} ${subnet}(rw,sync,root_squash,no_subtree_check,sec=sys)`),
    "",
  ].join("\n");
  addEgressWait(config, plan);
  config.packages.push("nfs-kernel-server");
  config.write_files.push(
    { path: "/etc/nfs.conf.d/factory.conf", content: NFS_CONF, owner: "root:root", permissions: "0644" },
    { path: "/etc/exports.d/factory.exports", content: exportsFile, owner: "root:root", permissions: "0644" },
    {
      path: "/etc/systemd/system/nfs-server.service.d/factory.conf",
      content: `# Never export the empty mount point when the data volume is missing.\n[Unit]\nRequiresMountsFor=${dataRoot}\n`,
      owner: "root:root",
      permissions: "0644",
    },
    scriptFile("nfs-server"),
    scriptFile("check-listeners"),
  );
  config.runcmd.push(
    // the shares' owner: the uid the controller's jenkins and the build hosts' agent share
    [scriptPath("nfs-server"), dataRoot, String(roles.jenkins.user.uid), images, builds, "--", git],
    checkListeners(roles.nfs.listens),
  );
}

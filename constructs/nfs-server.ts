// The NFS server: shared storage for Jenkins and the build hosts (git mirror, build
// workspaces, the image tree). Its port and data volume live in the data stack; this
// construct is only the replaceable server and the attachment. Its zone must be the data
// volume's where the cloud forbids cross-zone attachment.
import { Construct } from "constructs";
import type { BlockstorageVolumeV3 } from "../.gen/providers/openstack/blockstorage-volume-v3";
import { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";
import { roleServer, RoleServerProps, Server } from "./server";

export interface NfsServerProps extends RoleServerProps {
  /** The data volume (in the data stack). */
  readonly dataVolume: BlockstorageVolumeV3;
}

export class NfsServer extends Construct {
  readonly server: Server;
  readonly dataAttachment: ComputeVolumeAttachV2;

  constructor(scope: Construct, id: string, props: NfsServerProps) {
    super(scope, id);
    this.server = roleServer(this, "nfs", props);
    this.dataAttachment = new ComputeVolumeAttachV2(this, "data-volume", { instanceId: this.server.id, volumeId: props.dataVolume.id });
  }
}

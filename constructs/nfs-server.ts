// The NFS server: shared storage for Jenkins and the build hosts (git mirror, build
// workspaces, the image tree). Its port and data volume live in the data stack; this
// construct is only the replaceable server and the attachment.
import { Construct } from "constructs";
import { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";
import { Server } from "./server";

export interface NfsServerProps {
  readonly envName: string;
  readonly image: string;
  readonly flavor: string;
  /** Must be the data volume's zone where the cloud forbids cross-zone attachment. */
  readonly availabilityZone: string;
  readonly portId: string;
  readonly dataVolumeId: string;
  readonly userData: string;
  readonly keyPair?: string;
}

export class NfsServer extends Construct {
  readonly server: Server;

  constructor(scope: Construct, id: string, props: NfsServerProps) {
    super(scope, id);
    this.server = new Server(this, "server", {
      name: `${props.envName}-nfs`,
      envName: props.envName,
      role: "nfs",
      image: props.image,
      flavor: props.flavor,
      availabilityZone: props.availabilityZone,
      portId: props.portId,
      userData: props.userData,
      keyPair: props.keyPair,
    });
    new ComputeVolumeAttachV2(this, "data-volume", {
      instanceId: this.server.id,
      volumeId: props.dataVolumeId,
    });
  }
}

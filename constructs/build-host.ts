// One ephemeral build host: a port with the build-host security group, a Server (as every
// role's) with the template's image and flavor and the build-host user-data, and an optional
// scratch volume. Everything is named after the build (`<env>-build-<build id>`); the server
// carries the metadata the reaper selects on (`expires-at`, `keep`), and the port (tags) and
// volume (metadata) say whose build they are, so the reaper also finds them when the server
// is gone (a half-deleted host).
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { BlockstorageVolumeV3 } from "../.gen/providers/openstack/blockstorage-volume-v3";
import { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";
import type { BuildHostTemplate } from "../config/schema";
import { Server } from "./server";
import { ServerPort } from "./server-port";

export interface BuildHostProps {
  /** The environment (the server's `factory` metadata, which the reaper selects on). */
  readonly envName: string;
  /** The server's and port's name, `<env>-build-<build id>`. */
  readonly name: string;
  /** The scratch volume's name (used when the template has one). */
  readonly scratchVolumeName: string;
  readonly template: BuildHostTemplate;
  /** The build id (a Terraform variable at apply time). */
  readonly buildId: string;
  /** Whether the requester keeps the host ("true"/"false", a Terraform expression). */
  readonly keep: string;
  /** Hours until the reaper may delete the host. */
  readonly ttlHours: number;
  readonly networkId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  /** Rendered user-data, given the scratch volume's id when there is one (it mounts it). */
  readonly userData: (scratchVolumeId?: string) => string;
}

export class BuildHost extends Construct {
  readonly port: ServerPort;
  readonly server: Server;
  readonly scratchVolume?: BlockstorageVolumeV3;

  constructor(scope: Construct, id: string, props: BuildHostProps) {
    super(scope, id);
    const { name } = props;
    const owner = { factory: props.envName, role: "build-host", "build-id": props.buildId };
    this.port = new ServerPort(this, "port", {
      name,
      networkId: props.networkId,
      subnetId: props.subnetId,
      securityGroupIds: [props.securityGroupId],
      tags: Object.entries(owner).map(([k, v]) => `${k}=${v}`),
    });
    // The scratch volume comes first, so its id can go into the user-data (the disk is
    // found by its serial); the server then follows the zone Cinder picked for it.
    if (props.template.scratchVolumeGb > 0) {
      this.scratchVolume = new BlockstorageVolumeV3(this, "scratch", {
        name: props.scratchVolumeName,
        description: "Build host scratch space; deleted with the build host",
        size: props.template.scratchVolumeGb,
        metadata: owner,
      });
    }
    this.server = new Server(this, "server", {
      name,
      envName: props.envName,
      role: "build-host",
      image: props.template.image,
      flavor: props.template.flavor,
      availabilityZone: this.scratchVolume?.availabilityZone,
      port: this.port,
      userData: props.userData(this.scratchVolume?.id),
      metadata: {
        "build-id": props.buildId,
        template: props.template.name,
        // Evaluated at apply: the reaper may delete the host after this instant (RFC 3339, UTC).
        "expires-at": Fn.timeadd(Fn.timestamp(), `${props.ttlHours}h`),
        keep: props.keep,
      },
      // timestamp() is new at every plan: without this every later plan would update the
      // metadata (found applying the template twice on the local cloud). Set once, at create.
      metadataSetAtCreate: ["expires-at"],
      // One apply per build: the template's user-data and image are what each new host boots.
      keepAsBooted: false,
    });
    if (this.scratchVolume) {
      new ComputeVolumeAttachV2(this, "scratch-attachment", {
        instanceId: this.server.id,
        volumeId: this.scratchVolume.id,
      });
    }
  }
}

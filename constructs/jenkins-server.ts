// The Jenkins controller. Its configuration comes from git (JCasC, Job DSL), so the server
// is replaceable; JENKINS_HOME can live on an optional volume from the data stack.
import { Construct } from "constructs";
import type { BlockstorageVolumeV3 } from "../.gen/providers/openstack/blockstorage-volume-v3";
import { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";
import { roleServer, RoleServerProps, Server } from "./server";

export interface JenkinsServerProps extends RoleServerProps {
  /** JENKINS_HOME volume. @default none: JENKINS_HOME on the root disk (build history is lost on replacement) */
  readonly homeVolume?: BlockstorageVolumeV3;
}

export class JenkinsServer extends Construct {
  readonly server: Server;
  readonly homeAttachment?: ComputeVolumeAttachV2;

  constructor(scope: Construct, id: string, props: JenkinsServerProps) {
    super(scope, id);
    this.server = roleServer(this, "jenkins", props);
    if (props.homeVolume) {
      this.homeAttachment = new ComputeVolumeAttachV2(this, "home-volume", { instanceId: this.server.id, volumeId: props.homeVolume.id });
    }
  }
}

// The Jenkins controller. Its configuration comes from git (JCasC, Job DSL), so the server
// is replaceable; JENKINS_HOME can live on an optional volume from the data stack.
import { Construct } from "constructs";
import { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";
import { Server } from "./server";

export interface JenkinsServerProps {
  readonly envName: string;
  readonly image: string;
  readonly flavor: string;
  readonly availabilityZone: string;
  readonly portId: string;
  readonly userData: string;
  /** JENKINS_HOME volume. @default none: JENKINS_HOME on the root disk (build history is lost on replacement) */
  readonly homeVolumeId?: string;
  readonly keyPair?: string;
}

export class JenkinsServer extends Construct {
  readonly server: Server;

  constructor(scope: Construct, id: string, props: JenkinsServerProps) {
    super(scope, id);
    this.server = new Server(this, "server", {
      name: `${props.envName}-jenkins`,
      envName: props.envName,
      role: "jenkins",
      image: props.image,
      flavor: props.flavor,
      availabilityZone: props.availabilityZone,
      portId: props.portId,
      userData: props.userData,
      keyPair: props.keyPair,
    });
    if (props.homeVolumeId) {
      new ComputeVolumeAttachV2(this, "home-volume", {
        instanceId: this.server.id,
        volumeId: props.homeVolumeId,
      });
    }
  }
}

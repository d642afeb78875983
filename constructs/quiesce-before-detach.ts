// Makes Terraform quiesce a server's data volume before it detaches it. The volume
// attachment depends on the server, so Terraform destroys the attachment first — on a
// teardown of the factory and on every replacement of the server — and Nova detaches the
// disk from the running server, under a mounted file system and an NFS server (or Jenkins)
// still writing to it. This terraform_data depends on the attachment, so it is destroyed
// before it: its destroy-time provisioner connects (through the first jump host, which it
// also depends on, so that is still there) and stops the service, syncs and unmounts. If
// that fails, the destroy stops there, before anything is detached: fix the server, or
// `terraform state rm` this resource to detach regardless.
import { Construct } from "constructs";
import { ADMIN } from "../config/roles";
import { DataResource, ITerraformDependable, RemoteExecProvisioner, TerraformSelf } from "cdktf";
import type { ComputeVolumeAttachV2 } from "../.gen/providers/openstack/compute-volume-attach-v2";

export interface QuiesceBeforeDetachProps {
  readonly attachment: ComputeVolumeAttachV2;
  /** systemd units that write to the volume, stopped first. */
  readonly services: readonly string[];
  /** Where the volume is mounted on the server. */
  readonly mountPoint: string;
  /** The server's address, reached through `bastionHost`. */
  readonly host: string;
  readonly bastionHost: string;
  /** What the connection goes through, which must outlive this (the jump host, its floating IP association). */
  readonly dependsOn: ITerraformDependable[];
  /** Login user, allowed to sudo. @default "factory" */
  readonly user?: string;
}

export class QuiesceBeforeDetach extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: QuiesceBeforeDetachProps) {
    super(scope, id);
    const user = props.user ?? ADMIN.name;
    const mount = props.mountPoint;
    // A destroy-time provisioner may refer to nothing but its own resource: what it needs is its input.
    const self = (key: string) => TerraformSelf.getString(`input.${key}`);
    // cdktf's types know `when` only for local-exec; Terraform takes it on every provisioner.
    const quiesce: RemoteExecProvisioner & { when: "destroy" } = {
      type: "remote-exec",
      when: "destroy",
      inline: [
        "set -e",
        ...props.services.map((unit) => `sudo systemctl stop ${unit}`),
        "sync",
        `if mountpoint -q ${mount}; then sudo umount ${mount}; fi`,
        `echo "${mount} unmounted: the volume may be detached"`,
      ],
      connection: {
        type: "ssh",
        host: self("host"),
        user: self("user"),
        agent: "true",
        timeout: "5m",
        bastionHost: self("bastion_host"),
        bastionUser: self("user"),
      },
    };
    this.resource = new DataResource(this, "quiesce", {
      input: { host: props.host, bastion_host: props.bastionHost, user },
      // Replaced with the attachment (a replaced server gets a new one): the old one's quiesce runs first.
      triggersReplace: { attachment_id: props.attachment.id },
      dependsOn: [props.attachment, ...props.dependsOn],
      provisioners: [quiesce],
    });
  }
}

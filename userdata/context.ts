// The inputs of the user-data renderers (the interface the server constructs call).
import type { FactoryModel } from "../config/factory-model";
import type { BuildHostTemplate } from "../config/schema";

/** The renderers read everything derived (addresses, names, roles' paths, users and ports) from the model. */
export type UserDataContext = FactoryModel;

/**
 * What a role's renderer needs beyond the environment. String values may be cdktf token
 * strings (resolved by Terraform at apply time); none is ever a secret.
 *
 * A volume is found on the server as /dev/disk/by-id/virtio-<first 20 characters of its
 * id>. When the id is a token, pass that prefix as `*DiskSerial` (a token expression such
 * as `substr(id, 0, 20)`); a literal id is cut here.
 */
export type UserDataRequest =
  | { readonly role: "jump"; readonly index: number }
  | { readonly role: "nfs"; readonly dataVolumeId: string; readonly dataDiskSerial?: string }
  | { readonly role: "jenkins"; readonly homeVolumeId?: string; readonly homeDiskSerial?: string }
  | { readonly role: "web"; readonly index: number }
  | {
      readonly role: "build-host";
      readonly template: BuildHostTemplate;
      /** OpenSSH public key of Jenkins' build-host key (a Terraform variable at spawn time). */
      readonly agentPublicKey: string;
      /** The template's scratch volume, when it has one (scratchVolumeGb > 0). */
      readonly scratchVolumeId?: string;
      readonly scratchDiskSerial?: string;
    };

export type Role = UserDataRequest["role"];
export const ROLES: readonly Role[] = ["jump", "nfs", "jenkins", "web", "build-host"];

// First-boot user-data for every role: a typed cloud-config object rendered with the
// YAML library. This is the interface the server constructs call; the renderers behind
// it live in this folder, one per role.
import { stringify } from "yaml";
import type { AddressPlan } from "../config/address-plan";
import type { BuildHostTemplate, Environment } from "../config/schema";

export interface UserDataContext {
  readonly env: Environment;
  readonly plan: AddressPlan;
}

/**
 * What a role's renderer needs beyond the environment. String values may be cdktf token
 * strings (resolved by Terraform at apply time); none is ever a secret.
 */
export type UserDataRequest =
  | { readonly role: "jump"; readonly index: number }
  | { readonly role: "nfs"; readonly dataVolumeId: string }
  | { readonly role: "jenkins"; readonly homeVolumeId?: string }
  | { readonly role: "web"; readonly index: number }
  | { readonly role: "build-host"; readonly template: BuildHostTemplate; readonly agentPublicKey: string };

export type Role = UserDataRequest["role"];
export const ROLES: readonly Role[] = ["jump", "nfs", "jenkins", "web", "build-host"];

/** The rendered `#cloud-config` text of a role. */
export function renderUserData(ctx: UserDataContext, request: UserDataRequest): string {
  const config: { users: Array<string | Record<string, unknown>>; ssh_pwauth: boolean; disable_root: boolean } = {
    users: [
      "default",
      {
        name: "factory",
        gecos: "Image factory admin",
        groups: ["sudo"],
        shell: "/bin/bash",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: [...ctx.env.admin.sshPublicKeys],
      },
    ],
    ssh_pwauth: false,
    disable_root: true,
  };
  if (request.role === "build-host") {
    config.users.push({
      name: "agent",
      gecos: "Jenkins agent",
      groups: [],
      shell: "/bin/bash",
      sudo: "ALL=(ALL) NOPASSWD:ALL",
      lock_passwd: true,
      ssh_authorized_keys: [request.agentPublicKey],
    });
  }
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}

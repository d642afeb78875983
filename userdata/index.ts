// First-boot user-data for every role: a typed cloud-config object rendered with the
// YAML library. This is the interface the server constructs call; the renderers behind
// it live in this folder, one per role, on top of base.ts.
import { baseConfig, finish } from "./base";
import { addBuildHost, familyOf } from "./build-host";
import { type CloudConfig, escapeForTerraform, renderCloudConfig } from "./cloud-config";
import type { UserDataContext, UserDataRequest } from "./context";
import { addJenkins } from "./jenkins";
import { addJump } from "./jump";
import { addLdapLogins } from "./ldap";
import { addNfs } from "./nfs";
import { addWeb } from "./web";

export type { Role, UserDataContext, UserDataRequest } from "./context";
export { ROLES } from "./context";

/** The cloud-config object of a role (before rendering). */
function userDataConfig(ctx: UserDataContext, request: UserDataRequest): CloudConfig {
  const family = request.role === "build-host" ? familyOf(request.template) : "apt";
  const config = baseConfig(ctx, { family });
  switch (request.role) {
    case "jump":
      addJump(config, ctx, request.index);
      break;
    case "nfs":
      addNfs(config, ctx, request.dataVolumeId, request.dataDiskSerial);
      break;
    case "jenkins":
      addJenkins(config, ctx, request.homeVolumeId, request.homeDiskSerial);
      break;
    case "web":
      addWeb(config, ctx, request.index);
      break;
    case "build-host":
      addBuildHost(config, ctx, request);
      break;
  }
  addLdapLogins(config, ctx, family);
  return finish(config);
}

/** The `#cloud-config` text of a role, as the server will read it (for people and checks). */
export function renderUserDataText(ctx: UserDataContext, request: UserDataRequest): string {
  return renderCloudConfig(userDataConfig(ctx, request));
}

/**
 * The user_data of a role's server, escaped for Terraform: once Terraform has filled in
 * its tokens, the server gets exactly renderUserDataText().
 */
export function renderUserData(ctx: UserDataContext, request: UserDataRequest): string {
  return escapeForTerraform(renderUserDataText(ctx, request));
}

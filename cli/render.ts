// factory render <role> [--config FILE] [--index N] [--template NAME]
// Prints a role's first-boot user-data, for people to read. Values Terraform fills in at
// deploy time (volume ids, the build host's agent key) are shown as placeholders.
import { resolveFactory } from "../config/factory-model";
import { loadEnvironments } from "../config/load";
import type { Environment } from "../config/schema";
import { renderUserDataText, ROLES, type Role, type UserDataRequest } from "../userdata";
import { configFiles } from "./config-files";
import { CliError, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";

/** Shown where Terraform puts a volume id at deploy time. */
const VOLUME_ID_PLACEHOLDER = "00000000-0000-4000-8000-000000000000";
/** Shown where the pipeline puts Jenkins' build-host public key when it spawns a build host. */
const AGENT_KEY_PLACEHOLDER = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAgentKeyIsPassedByThePipelineAtSpawnTime0 jenkins-build-host";

export const renderCommand: Command = {
  options: {
    config: { type: "string", multiple: true, short: "c" },
    index: { type: "string", short: "i" },
    template: { type: "string", short: "t" },
  },
  run(values, positionals) {
    const [role, extra] = positionals;
    if (role === undefined) throw new UsageError(`which role? one of ${ROLES.join(", ")}`);
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role "${role}" (roles: ${ROLES.join(", ")})`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const loaded = loadEnvironments(configFiles(values.config as string[] | undefined));
    if (loaded.length > 1) {
      throw new UsageError(`${loaded.length} environments (${loaded.map((l) => l.file).join(", ")}): pick one with --config FILE`);
    }
    const { env, file } = loaded[0];
    const request = requestFor(role as Role, env, file, values);
    process.stdout.write(renderUserDataText(resolveFactory(env), request));
    return EXIT_OK;
  },
};

function requestFor(role: Role, env: Environment, file: string, values: Record<string, unknown>): UserDataRequest {
  const index = parseIndex(values.index as string | undefined);
  switch (role) {
    case "jump":
      if (index >= env.servers.jump.count)
        throw new CliError(`${file}: --index ${index}: there are ${env.servers.jump.count} jump hosts (0..${env.servers.jump.count - 1})`);
      return { role, index };
    case "web":
      if (!env.web || env.web.count === 0) throw new CliError(`${file}: no web servers (web.count is 0 or web is absent)`);
      if (index >= env.web.count)
        throw new CliError(`${file}: --index ${index}: there are ${env.web.count} web servers (0..${env.web.count - 1})`);
      return { role, index };
    case "nfs":
      return { role, dataVolumeId: VOLUME_ID_PLACEHOLDER };
    case "jenkins":
      return env.servers.jenkins.homeVolumeGb ? { role, homeVolumeId: VOLUME_ID_PLACEHOLDER } : { role };
    case "build-host": {
      const templates = env.buildHosts.templates;
      const names = templates.map((t) => t.name).join(", ") || "none";
      const wanted = values.template as string | undefined;
      if (wanted === undefined && templates.length !== 1) throw new UsageError(`build-host needs --template NAME (templates: ${names})`);
      const template = wanted === undefined ? templates[0] : templates.find((t) => t.name === wanted);
      if (!template) throw new CliError(`${file}: no build-host template named "${wanted}" (templates: ${names})`);
      return {
        role,
        template,
        agentPublicKey: AGENT_KEY_PLACEHOLDER,
        ...(template.scratchVolumeGb > 0 ? { scratchVolumeId: VOLUME_ID_PLACEHOLDER } : {}),
      };
    }
  }
}

function parseIndex(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw new UsageError(`--index must be a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

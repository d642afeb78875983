// factory validate [--config FILE]...
import { loadEnvironments } from "../config/load";
import { configFiles } from "./config-files";
import { EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";

export const validateCommand: Command = {
  options: { config: { type: "string", multiple: true, short: "c" } },
  run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const loaded = loadEnvironments(configFiles(values.config as string[] | undefined));
    for (const { file, env } of loaded) process.stdout.write(`${file}: ok (${env.name})\n`);
    return EXIT_OK;
  },
};

// The `factory` command line. Every problem is one line on stderr, never a stack trace.
import { parseArgs, ParseArgsConfig } from "node:util";
import { ConfigError } from "../config/load";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors";
import { synthCommand } from "./synth";
import { templatesCommand } from "./templates";
import { validateCommand } from "./validate";

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number> | number;
}

const COMMANDS: Record<string, Command> = {
  synth: synthCommand,
  validate: validateCommand,
  templates: templatesCommand,
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  factory ${c.usage.padEnd(44)} ${c.summary}`);
  return ["usage:", ...lines, "", "exit codes: 0 ok, 1 invalid input or failure, 2 usage error"].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name ? process.stdout : process.stderr).write(`${usage()}\n`);
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`usage: factory ${command.usage}\n  ${command.summary}\n`);
      return EXIT_OK;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return await command.run(parsed.values as Record<string, unknown>, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`factory: ${err.message}\n${usage()}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_FAILURE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`factory: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`factory: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.FACTORY_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    return EXIT_FAILURE;
  }
}

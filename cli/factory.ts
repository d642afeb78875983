// The `factory` command line. Every problem is one line on stderr, never a stack trace.
import { parseArgs, ParseArgsConfig } from "node:util";
import { ConfigError } from "../config/load";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./errors";

export interface Command {
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number> | number;
}

interface CommandEntry {
  readonly summary: string;
  readonly usage: string;
  /** Exit code of a usage error, when 2 means something else for this command (diff). */
  readonly usageExitCode?: number;
  /** Loaded only when run, so a command never pays for the others' modules. */
  readonly load: () => Command;
}

/* eslint-disable @typescript-eslint/no-require-imports -- each command's modules load when it runs */
const COMMANDS: Record<string, CommandEntry> = {
  diff: {
    summary: "what a change does to each environment (exit 0 none, 2 changes, 1 error)",
    usage: "diff (--base REF | --base-dir DIR [--head-dir DIR]) [--config FILE]... [--format markdown|text|json] [--max-length N]",
    usageExitCode: EXIT_FAILURE,
    load: () => {
      const { diffCommand }: typeof import("./diff") = require("./diff");
      return diffCommand;
    },
  },
  synth: {
    summary: "synthesize the stacks (default: environments/*.yaml into ./cdktf.out)",
    usage: "synth [--config FILE]... [--out DIR]",
    load: () => {
      const { synthCommand }: typeof import("./synth") = require("./synth");
      return synthCommand;
    },
  },
  validate: {
    summary: "check the environment files only",
    usage: "validate [--config FILE]...",
    load: () => {
      const { validateCommand }: typeof import("./validate") = require("./validate");
      return validateCommand;
    },
  },
  templates: {
    summary: "write the build-host templates Jenkins applies (jobs/build-hosts/)",
    usage: "templates [--config FILE]... [--dir DIR] [--check]",
    load: () => {
      const { templatesCommand }: typeof import("./templates") = require("./templates");
      return templatesCommand;
    },
  },
  render: {
    summary: "print a role's cloud-init user-data (jump, nfs, jenkins, web, build-host)",
    usage: "render <role> [--config F] [--index N] [--template T]",
    load: () => {
      const { renderCommand }: typeof import("./render") = require("./render");
      return renderCommand;
    },
  },
  "ldap-password": {
    summary: "push (or rotate) the directory's bind password to the servers, over SSH; password on stdin",
    usage: "ldap-password --jump ADDR[,ADDR...] [--web ADDR,...] [--config F] [--only NAME,...] [--ssh-config F] [--connect-timeout S]",
    load: () => {
      const { ldapPasswordCommand }: typeof import("./ldap-password") = require("./ldap-password");
      return ldapPasswordCommand;
    },
  },
  check: {
    summary: "validate the synthesized stacks with Terraform, offline",
    usage: "check [--config FILE]... [--dir DIR]",
    load: () => {
      const { checkCommand }: typeof import("./check") = require("./check");
      return checkCommand;
    },
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  factory ${c.usage.padEnd(52)} ${c.summary}`);
  return [
    "usage:",
    ...lines,
    "",
    "exit codes: 0 ok, 1 invalid input or failure, 2 usage error",
    "factory diff: 0 no changes, 2 changes, 1 anything else (usage errors too)",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name ? process.stdout : process.stderr).write(`${usage()}\n`);
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const entry = COMMANDS[name];
  try {
    if (!entry) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`usage: factory ${entry.usage}\n  ${entry.summary}\n`);
      return EXIT_OK;
    }
    const command = entry.load();
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
      return entry?.usageExitCode ?? EXIT_USAGE;
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

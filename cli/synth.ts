// factory synth [--config FILE]... [--out DIR]
import { synthesize } from "../main";
import { configFiles } from "./config-files";
import { EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";
import { replaceDirectory } from "./output-dir";
import { loadEnvironments } from "../config/load";

export const synthCommand: Command = {
  options: {
    config: { type: "string", multiple: true, short: "c" },
    out: { type: "string", short: "o", default: "cdktf.out" },
  },
  run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const files = configFiles(values.config as string[] | undefined);
    const out = values.out as string;
    const environments = loadEnvironments(files); // validated before the output is touched
    const { stacks } = replaceDirectory(out, (tmp) => synthesize(environments, tmp));
    process.stdout.write(`synthesized ${stacks.length} stacks into ${out}: ${stacks.join(", ")}\n`);
    return EXIT_OK;
  },
};

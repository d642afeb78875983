// factory templates [--config FILE]... [--dir DIR] [--check]
// Writes each environment's build-host templates to jobs/build-hosts/<env>/<template>/
// cdk.tf.json. They are committed: a template change shows in the PR diff, reaches Jenkins
// with the next pull of the jobs repository (no server replacement), and every build is
// reproducible from the commit it ran on. `--check` fails if the committed ones are stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { factoryNames } from "../config/names";
import { addBuildHostStacks } from "../stacks/image-factory";
import { configFiles } from "./config-files";
import { CliError, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";
import { replaceDirectory } from "./output-dir";
import { withScratchSynthesis } from "./scratch-synthesis";

const TEMPLATES_DIR = path.join("jobs", "build-hosts");
const TEMPLATE_FILE = "cdk.tf.json";

/**
 * Environment name → template name → synthesized Terraform JSON, for every environment
 * file given. Only the build-host stacks are synthesized: they read no other stack, and
 * their JSON is the same as in a full synth.
 */
function renderTemplates(files: string[]): Promise<Map<string, Map<string, string>>> {
  const environments = loadEnvironments(files);
  return withScratchSynthesis(
    environments,
    (dir) =>
      new Map(
        environments.map(({ env }) => [
          env.name,
          new Map(env.buildHosts.templates.map((t) => [t.name, readFileSync(path.join(dir, "stacks", factoryNames(env.name).buildHostStack(t.name), TEMPLATE_FILE), "utf8")])),
        ]),
      ),
    (app, env) => addBuildHostStacks(app, env),
  );
}

/** Differences between the templates on disk and freshly rendered ones, one line each. */
function staleTemplates(dir: string, rendered: Map<string, Map<string, string>>): string[] {
  const problems: string[] = [];
  for (const [envName, templates] of rendered) {
    const envDir = path.join(dir, envName);
    for (const [name, json] of templates) {
      const file = path.join(envDir, name, TEMPLATE_FILE);
      if (!existsSync(file)) problems.push(`${file}: missing`);
      else if (readFileSync(file, "utf8") !== json) problems.push(`${file}: differs from the environment file`);
    }
    const extra = existsSync(envDir) ? readdirSync(envDir).filter((n) => !templates.has(n)) : [];
    for (const name of extra) problems.push(`${path.join(envDir, name)}: no such template in the environment file`);
  }
  return problems;
}

export const templatesCommand: Command = {
  options: {
    config: { type: "string", multiple: true, short: "c" },
    dir: { type: "string", default: TEMPLATES_DIR },
    check: { type: "boolean", default: false },
  },
  async run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const dir = values.dir as string;
    const rendered = await renderTemplates(configFiles(values.config as string[] | undefined));
    if (values.check) {
      const problems = staleTemplates(dir, rendered);
      if (problems.length > 0) {
        throw new CliError(`build-host templates are stale (run \`npx factory templates\` and commit):\n${problems.join("\n")}`);
      }
      process.stdout.write(`build-host templates in ${dir} are up to date\n`);
      return EXIT_OK;
    }
    for (const [envName, templates] of rendered) {
      mkdirSync(dir, { recursive: true });
      replaceDirectory(path.join(dir, envName), (tmp) => {
        for (const [name, json] of templates) {
          mkdirSync(path.join(tmp, name));
          writeFileSync(path.join(tmp, name, TEMPLATE_FILE), json);
        }
      });
      process.stdout.write(`${path.join(dir, envName)}: ${[...templates.keys()].join(", ")}\n`);
    }
    return EXIT_OK;
  },
};

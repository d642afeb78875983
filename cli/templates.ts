// factory templates [--config FILE]... [--dir DIR] [--check]
// Writes each environment's build-host templates to jobs/build-hosts/<env>/<template>/
// cdk.tf.json, and the resolved factory model the jobs read to jobs/build-hosts/<env>/factory.json. They are committed: a template change shows in the PR diff, reaches Jenkins
// with the next pull of the jobs repository (no server replacement), and every build is
// reproducible from the commit it ran on. `--check` fails if the committed ones are stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { modelFile, resolveFactory } from "../config/factory-model";
import { addBuildHostStacks } from "../stacks/image-factory";
import { configFiles } from "./config-files";
import { CliError, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";
import { replaceDirectory } from "./output-dir";
import { withScratchSynthesis } from "./scratch-synthesis";

const TEMPLATES_DIR = path.join("jobs", "build-hosts");
const TEMPLATE_FILE = "cdk.tf.json";
/** The resolved model for Jenkins' jobs (config/factory-model.ts), beside the templates. */
const MODEL_FILE = "factory.json";

/** What `factory templates` writes for one environment: the model file and one stack per template. */
interface Rendered {
  readonly model: string;
  readonly templates: Map<string, string>;
}

/**
 * Environment name → its model file and template name → synthesized Terraform JSON, for
 * every environment file given. Only the build-host stacks are synthesized: they read no
 * other stack, and their JSON is the same as in a full synth.
 */
function renderTemplates(files: string[]): Promise<Map<string, Rendered>> {
  const environments = loadEnvironments(files);
  const models = new Map(environments.map(({ env }) => [env.name, resolveFactory(env)]));
  return withScratchSynthesis(
    environments,
    (dir) =>
      new Map(
        [...models].map(([envName, model]) => [
          envName,
          {
            model: `${JSON.stringify(modelFile(model), null, 2)}\n`,
            templates: new Map(
              model.env.buildHosts.templates.map((t) => [
                t.name,
                readFileSync(path.join(dir, "stacks", model.names.buildHostStack(t.name), TEMPLATE_FILE), "utf8"),
              ]),
            ),
          },
        ]),
      ),
    (app, env) => addBuildHostStacks(app, env, models.get(env.name)),
  );
}

/** Differences between the files on disk and freshly rendered ones, one line each. */
function staleTemplates(dir: string, rendered: Map<string, Rendered>): string[] {
  const problems: string[] = [];
  const compare = (file: string, text: string) => {
    if (!existsSync(file)) problems.push(`${file}: missing`);
    else if (readFileSync(file, "utf8") !== text) problems.push(`${file}: differs from the environment file`);
  };
  for (const [envName, { model, templates }] of rendered) {
    const envDir = path.join(dir, envName);
    compare(path.join(envDir, MODEL_FILE), model);
    for (const [name, json] of templates) compare(path.join(envDir, name, TEMPLATE_FILE), json);
    const extra = existsSync(envDir) ? readdirSync(envDir).filter((n) => n !== MODEL_FILE && !templates.has(n)) : [];
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
    for (const [envName, { model, templates }] of rendered) {
      mkdirSync(dir, { recursive: true });
      replaceDirectory(path.join(dir, envName), (tmp) => {
        writeFileSync(path.join(tmp, MODEL_FILE), model);
        for (const [name, json] of templates) {
          mkdirSync(path.join(tmp, name));
          writeFileSync(path.join(tmp, name, TEMPLATE_FILE), json);
        }
      });
      process.stdout.write(`${path.join(dir, envName)}: ${[MODEL_FILE, ...templates.keys()].join(", ")}\n`);
    }
    return EXIT_OK;
  },
};

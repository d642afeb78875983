// factory templates [--config FILE]... [--dir DIR] [--check]
// Writes each environment's build-host templates to jobs/build-hosts/<env>/<template>/
// cdk.tf.json. They are committed: a template change shows in the PR diff, reaches Jenkins
// with the next pull of the jobs repository (no server replacement), and every build is
// reproducible from the commit it ran on. `--check` fails if the committed ones are stale.
import { tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../config/load";
import { synthesize } from "../main";
import { buildHostStackName } from "../stacks/build-host-stack";
import { configFiles } from "./config-files";
import { CliError, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";
import { replaceDirectory } from "./output-dir";

export const TEMPLATES_DIR = path.join("jobs", "build-hosts");
const TEMPLATE_FILE = "cdk.tf.json";

/** Template name → synthesized Terraform JSON, for every environment file given. */
export function renderTemplates(files: string[]): Map<string, Map<string, string>> {
  const environments = loadEnvironments(files);
  const result = new Map<string, Map<string, string>>();
  const scratch = mkdtempSync(path.join(tmpdir(), "factory-templates-"));
  try {
    synthesize(environments, scratch);
    for (const { env } of environments) {
      const templates = new Map<string, string>();
      for (const t of env.buildHosts.templates) {
        const file = path.join(scratch, "stacks", buildHostStackName(env.name, t.name), TEMPLATE_FILE);
        templates.set(t.name, readFileSync(file, "utf8"));
      }
      result.set(env.name, templates);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}

/** Differences between the templates on disk and freshly rendered ones, one line each. */
export function staleTemplates(dir: string, rendered: Map<string, Map<string, string>>): string[] {
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
  run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const dir = values.dir as string;
    const rendered = renderTemplates(configFiles(values.config as string[] | undefined));
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

// Reads and validates environment files. Every problem becomes one line
// `<file>: <dotted.path>: <message>`; YAML syntax errors carry line and column (of the
// place to fix: where an unclosed bracket or quote opened).
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { ZodIssue } from "zod/v3";
import { Environment, EnvironmentSchema } from "./schema";
import { templateSequenceProblems } from "./template-sequences";
import { syntaxProblems } from "./yaml-syntax";

export interface ConfigProblem {
  readonly file: string;
  /** Dotted path inside the file (`buildHosts.templates.1.name`), or a line:column for syntax errors. */
  readonly where: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.where}: ${p.message}`;
}

export interface LoadedEnvironment {
  /** The file as given (relative paths stay relative: they appear in messages). */
  readonly file: string;
  readonly env: Environment;
}

/** Parses and validates one environment file's text. */
export function parseEnvironment(file: string, source: string): LoadedEnvironment {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(syntaxProblems(source, doc.errors).map((p) => ({ file, ...p })));
  }
  const data = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([{ file, where: "(root)", message: "expected a mapping of settings (name, cloud, region, ...)" }]);
  }
  // Checked on the data as written, before the schema, so it covers every key.
  const templates = templateSequenceProblems(data).map((p) => ({ file, where: dotted(p.path), message: p.message }));
  const result = EnvironmentSchema.safeParse(data);
  if (!result.success || templates.length > 0) {
    // A template sequence is the problem to report at its key, whatever else the schema says there.
    const flagged = new Set(templates.map((p) => p.where));
    const schema = result.success
      ? []
      : result.error.issues.flatMap((i) => toProblems(file, i)).filter((p) => p.message === "unknown key" || !flagged.has(p.where));
    throw new ConfigError([...templates, ...schema]);
  }
  return { file, env: result.data };
}

/** Reads, parses and validates environment files; collects the problems of all of them. */
export function loadEnvironments(files: string[]): LoadedEnvironment[] {
  const problems: ConfigProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({ file, where: "(file)", message: code === "ENOENT" ? "no such file" : `cannot read: ${code ?? err}` });
      continue;
    }
    try {
      loaded.push(parseEnvironment(file, source));
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  const seen = new Map<string, string>();
  for (const { file, env } of loaded) {
    const other = seen.get(env.name);
    if (other) problems.push({ file, where: "name", message: `"${env.name}" is also the name of ${other}; stack names would clash` });
    seen.set(env.name, file);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}

function dotted(path: ReadonlyArray<string | number>): string {
  return path.length > 0 ? path.map(String).join(".") : "(root)";
}

function toProblems(file: string, issue: ZodIssue): ConfigProblem[] {
  const base = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ file, where: [...base, key].join("."), message: "unknown key" }));
  }
  const where = base.length > 0 ? base.join(".") : "(root)";
  let message = issue.message;
  // Reword zod's default messages only; messages the schema sets stay as they are.
  if (issue.code === "invalid_type" && (message === "Required" || /^Expected .*, received /.test(message))) {
    message = issue.received === "undefined" ? "required" : `expected ${issue.expected}, got ${issue.received}`;
  } else if (issue.code === "invalid_enum_value") {
    message = `expected one of ${issue.options.map((o) => `"${String(o)}"`).join(", ")}, got "${String(issue.received)}"`;
  }
  return [{ file, where, message }];
}

// npm run schema [-- --check] [--root DIR]
//
// Generates, from the environment schema (config/schema.ts) and its `.describe()` texts:
//   environment.schema.json   JSON Schema (draft-07) of the environment file, what an editor
//                             validates and completes against (yaml-language-server)
//   README.md                 the environment reference table, between the markers
// Both are committed; `--check` fails (exit 1) if either differs from what the schema
// generates now, and writes nothing. --root: the checkout to work on (default: this one).
//
// The JSON schema is the input side, what a YAML file may say: defaults are `default`s,
// and what zod refines or transforms (CIDRs, parsed into a Cidr; SSH keys, DNs, cross
// references) stays a `string` with its description, for `factory validate` to check.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { zodToJsonSchema } from "zod-to-json-schema";
import { EnvironmentSchema } from "../config/schema";

export const SCHEMA_FILE = "environment.schema.json";
export const README_FILE = "README.md";
export const REFERENCE_START = "<!-- environment-reference:start -->";
export const REFERENCE_END = "<!-- environment-reference:end -->";
const REPO = path.resolve(__dirname, "..", "..");
const TITLE = "Image factory environment";

/** The part of JSON Schema this file reads (what zod-to-json-schema writes for our schema). */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  [keyword: string]: unknown;
}

/**
 * The environment file's JSON Schema, every sub-schema inline (no $ref to follow). Its
 * descriptions are as written, in Markdown linking to README sections (#anchor).
 */
export function environmentJsonSchema(): JsonSchema {
  const generated = zodToJsonSchema(EnvironmentSchema, {
    target: "jsonSchema7",
    $refStrategy: "none",
    effectStrategy: "input",
    pipeStrategy: "input",
  }) as JsonSchema;
  const { $schema, ...schema } = generated;
  return { $schema, title: TITLE, ...schema } as JsonSchema;
}

// An editor shows the descriptions outside the README: its links name the section instead.
const README_LINK = /\[([^\]]+)\]\(#([^)]+)\)/g;

function plainDescriptions<T>(node: T): T {
  if (Array.isArray(node)) return node.map(plainDescriptions) as T;
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "description" && typeof value === "string" ? value.replace(README_LINK, `$1 (${README_FILE}#$2)`) : plainDescriptions(value),
    ]),
  ) as T;
}

interface Row {
  readonly key: string;
  readonly type: string;
  readonly presence: string;
  readonly meaning: string;
}

/** The README's reference: one row per key, in the schema's order, nested keys after their object. */
export function referenceTable(schema: JsonSchema): string {
  const rows = objectRows(schema, "");
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
  return [
    "| key | type | default | meaning |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${[r.key, r.type, r.presence, r.meaning].map(cell).join(" | ")} |`),
  ].join("\n");
}

function objectRows(schema: JsonSchema, prefix: string, variant?: string): Row[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, prop]) => {
    const key = `${prefix}${name}`;
    if (!prop.description) throw new Error(`${key}: no description; add one with .describe() in config/schema.ts`);
    const row: Row = {
      key: variant && !("const" in prop) ? `${code(key)} (${variant})` : code(key),
      type: typeText(prop),
      presence: "default" in prop ? code(flowYaml(prop.default)) : schema.required?.includes(name) ? "required" : "optional",
      meaning: prop.description,
    };
    return [row, ...childRows(prop, key)];
  });
}

function childRows(prop: JsonSchema, key: string): Row[] {
  if (prop.properties) return objectRows(prop, `${key}.`);
  if (prop.items?.properties) return objectRows(prop.items, `${key}[].`);
  const tag = discriminator(prop);
  if (tag) return prop.anyOf!.flatMap((option) => objectRows(option, `${key}.`, code(`${tag}: ${String(option.properties![tag].const)}`)));
  return [];
}

/** The property whose constant tells a union's object options apart (`backend.type`). */
function discriminator(schema: JsonSchema): string | undefined {
  const options = schema.anyOf;
  if (!options?.every((o) => o.properties)) return undefined;
  return Object.keys(options[0].properties!).find((name) => options.every((o) => o.properties![name] && "const" in o.properties![name]));
}

// Long patterns (DNS names, e-mail addresses) are left to the description's words.
const MAX_PATTERN_SHOWN = 32;

function typeText(s: JsonSchema): string {
  const tag = discriminator(s);
  if (tag) return `object, by ${code(tag)}`;
  if (s.anyOf) return s.anyOf.map(typeText).join(" or ");
  if ("const" in s) return code(String(s.const));
  if (s.enum) return s.enum.map((v) => code(String(v))).join(" | ");
  const types = ([] as string[]).concat(s.type ?? []);
  if (types.length !== 1) return types.join(" or ");
  switch (types[0]) {
    case "string": {
      const parts = ["string"];
      if (s.pattern && s.pattern.length <= MAX_PATTERN_SHOWN) parts[0] += ` matching ${code(s.pattern)}`;
      if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} characters`);
      return parts.join(", ");
    }
    case "integer":
    case "number": {
      const { minimum: min, maximum: max } = s;
      const range =
        min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : "";
      return `${types[0]}${range}`;
    }
    case "array": {
      const item = s.items ? typeText(s.items) : "anything";
      const of = item === "string" || item === "object" ? `${item}s` : item;
      return `list of ${of}${s.minItems ? `, ≥ ${s.minItems}` : ""}`;
    }
    default:
      return types[0];
  }
}

/** A value as it is written in YAML (flow style, as in the example). */
function flowYaml(value: unknown): string {
  return stringify(value, { collectionStyle: "flow" }).trim();
}

function code(s: string): string {
  return s.includes("`") ? `\`\` ${s} \`\`` : `\`${s}\``;
}

/** The generated files' contents, keyed by their path relative to the checkout. */
export function generatedFiles(root: string): Map<string, string> {
  const schema = environmentJsonSchema();
  const readmePath = path.join(root, README_FILE);
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start)
    throw new Error(`${readmePath}: no ${REFERENCE_START} … ${REFERENCE_END} markers for the environment reference`);
  const table = [
    REFERENCE_START,
    "<!-- Generated from config/schema.ts by `npm run schema`: edit the descriptions there, not here. -->",
    referenceTable(schema),
    "",
  ].join("\n");
  return new Map([
    [SCHEMA_FILE, `${JSON.stringify(plainDescriptions(schema), null, 2)}\n`],
    [README_FILE, readme.slice(0, start) + table + readme.slice(end)],
  ]);
}

/** Exit status: 0 written or up to date, 1 stale (with --check) or unusable, 2 usage. */
export function main(argv: string[]): number {
  let values: { check?: boolean; root?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { check: { type: "boolean" }, root: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`generate-environment-schema: ${(err as Error).message}\nusage: npm run schema [-- --check] [--root DIR]\n`);
    return 2;
  }
  const root = path.resolve(values.root ?? REPO);
  let files: Map<string, string>;
  try {
    files = generatedFiles(root);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const stale = [...files].filter(([file, text]) => {
    const target = path.join(root, file);
    return !existsSync(target) || readFileSync(target, "utf8") !== text;
  });
  if (values.check) {
    if (stale.length === 0) {
      process.stdout.write(`${[...files.keys()].join(" and ")} are up to date with config/schema.ts\n`);
      return 0;
    }
    process.stderr.write(
      `${stale.map(([file]) => path.join(root, file)).join(" and ")}: stale, not what config/schema.ts generates (run \`npm run schema\` and commit)\n`,
    );
    return 1;
  }
  for (const [file, text] of stale) {
    // Whole or not at all: a reader never sees half a file.
    const target = path.join(root, file);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  }
  process.stdout.write(stale.length === 0 ? "up to date\n" : `${stale.map(([file]) => path.join(root, file)).join("\n")}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

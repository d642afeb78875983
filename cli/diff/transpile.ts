// A checkout's JavaScript as its `tsc -p .` would emit it, without type-checking: the
// base revision of `factory diff` was type-checked when it was committed and only has
// to run. The revision's own TypeScript reads its own tsconfig.json (which files, where
// they go, which options), esbuild turns each file into CommonJS on its own, in the
// same layout as tsc's (so __dirname-relative paths still hold), and the JSON files the
// code requires are copied beside it, as tsc's resolveJsonModule emit does. A checkout
// that is not such a plain, strict CommonJS tsc project gets a reason instead, and is
// built by its own build script as before.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as Typescript from "typescript";
import { CliError } from "../errors";

/** What to transpile, or why a checkout cannot be transpiled file by file. */
export type Plan =
  | { readonly sources: string[]; readonly rootDir: string; readonly outDir: string; readonly tsconfig: string }
  | { readonly reason: string };

export function planTranspile(checkout: string): Plan {
  const tsconfig = path.join(checkout, "tsconfig.json");
  if (!existsSync(tsconfig)) return { reason: "it has no tsconfig.json" };
  let ts: typeof Typescript;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the checkout's own typescript, found at run time
    ts = require(require.resolve("typescript", { paths: [checkout] })) as typeof Typescript;
  } catch {
    return { reason: "its node_modules have no typescript" };
  }
  const problems: string[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(ts.flattenDiagnosticMessageText(d.messageText, "\n")) },
  );
  const errors = [...problems, ...(parsed?.errors ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))];
  if (!parsed || errors.length > 0) return { reason: `its tsconfig.json does not parse (${errors.join("; ")})` };
  const o = parsed.options;
  // What esbuild's file-by-file CommonJS output matches tsc on; anything else is built by tsc.
  if (o.module !== ts.ModuleKind.CommonJS) return { reason: "its tsconfig.json does not emit CommonJS" };
  if (!o.outDir || !o.rootDir) return { reason: "its tsconfig.json sets no outDir and rootDir" };
  if (!(o.alwaysStrict ?? o.strict)) return { reason: "its tsconfig.json is not strict" }; // esbuild adds "use strict" only then
  if (!o.esModuleInterop) return { reason: "its tsconfig.json has no esModuleInterop" }; // esbuild's default imports always interoperate
  if (o.emitDecoratorMetadata) return { reason: "it uses emitDecoratorMetadata" };
  if (o.noEmit) return { reason: "its tsconfig.json emits nothing" };
  const sources = parsed.fileNames.filter((f) => !f.endsWith(".d.ts"));
  const other = sources.find((f) => !f.endsWith(".ts"));
  if (other) return { reason: `it compiles ${path.relative(checkout, other)}, not TypeScript` };
  return { sources, rootDir: o.rootDir, outDir: o.outDir, tsconfig };
}

/** Emits the planned sources (and the JSON files they require) into the plan's outDir. */
export function transpile(plan: Exclude<Plan, { reason: string }>): void {
  // esbuild's sync calls otherwise go to a worker thread's long-lived service process,
  // which outlives this process (and so hides its CPU time); one call needs one process.
  process.env.ESBUILD_WORKER_THREADS ??= "0";
  // Loaded here: only a diff against a revision with other code needs esbuild.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    entryPoints: plan.sources,
    outdir: plan.outDir,
    outbase: plan.rootDir,
    tsconfig: plan.tsconfig, // class-field semantics and strictness come from it, as for tsc
    format: "cjs",
    platform: "node",
    target: `node${process.versions.node.split(".")[0]}`,
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  if (result.errors.length > 0) {
    const first = result.errors[0];
    const where = first.location ? `${first.location.file}:${first.location.line}: ` : "";
    throw new CliError(`esbuild could not transpile the base revision: ${where}${first.text}`);
  }
  const dirs = new Set<string>();
  for (const output of result.outputFiles) {
    const dir = path.dirname(output.path);
    if (!dirs.has(dir)) mkdirSync(dir, { recursive: true });
    dirs.add(dir);
    writeFileSync(output.path, output.contents);
    for (const json of requiredJsonFiles(output.text)) copyJson(path.resolve(dir, json), plan);
  }
}

/** Relative `require("./x.json")` calls: how esbuild emits `import x from "./x.json"`. */
function requiredJsonFiles(code: string): string[] {
  if (!code.includes('.json"')) return [];
  return [...code.matchAll(/\brequire\("(\.\.?\/[^"]+\.json)"\)/g)].map((m) => m[1]);
}

/** The source JSON file of an emitted `require`, copied to where the emitted code looks. */
function copyJson(emitted: string, plan: { rootDir: string; outDir: string }): void {
  const relative = path.relative(plan.outDir, emitted);
  const source = path.join(plan.rootDir, relative);
  if (relative.startsWith("..") || !existsSync(source)) return; // as tsc: not its to emit; the require fails as it would
  mkdirSync(path.dirname(emitted), { recursive: true });
  copyFileSync(source, emitted);
}

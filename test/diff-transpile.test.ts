// The base revision's JavaScript without a type-checking build (cli/diff/transpile.ts):
// for a project that uses what the factory's code uses — JSON imports, default imports
// of CommonJS modules, class fields, __dirname-relative files — the transpiled output
// lays out and runs as the real `tsc -p .` output does; a project it cannot match is left
// to its own build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { planTranspile, transpile } from "../cli/diff/transpile";
import { REPO, tempDir } from "./helpers";

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "commonjs",
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    rootDir: ".",
    outDir: "dist",
    types: ["node"],
    skipLibCheck: true,
  },
  include: ["src/**/*.ts", "main.ts"],
};

/** A small project in a temp dir, with this repository's node_modules (its typescript). */
function project(tsconfig: unknown = TSCONFIG): string {
  const dir = path.join(tempDir("transpile-"), "project");
  const files: Record<string, string> = {
    "tsconfig.json": JSON.stringify(tsconfig),
    "main.ts": [
      'import settings from "./config/settings.json";',
      'import { Base, Derived } from "./src/classes";',
      'import type { Shape } from "./src/types";',
      'import yaml from "yaml";',
      'import { readFileSync } from "node:fs";',
      'import * as path from "node:path";',
      "const shape: Shape = { sides: settings.sides };",
      "const fields = Object.keys(new Derived());",
      'const text = readFileSync(path.join(__dirname, "..", "assets", "note.txt"), "utf8").trim();',
      "const strict = (function (this: unknown) { return this === undefined; })();",
      "console.log(JSON.stringify({ shape, fields, base: new Base().kind, yaml: yaml.stringify({ a: 1 }), text, strict }));",
    ].join("\n"),
    "src/classes.ts": 'export class Base { kind = "base"; declared?: string; }\nexport class Derived extends Base { extra!: number; }\n',
    "src/types.ts": "export interface Shape { sides: number }\n",
    "config/settings.json": '{ "sides": 6 }\n',
    "assets/note.txt": "beside the code\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

/** The emitted files tsc and the transpiler both make (no maps, declarations or build info). */
function emitted(dist: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const e of readdirSync(path.join(dist, relative), { withFileTypes: true })) {
      const name = path.join(relative, e.name);
      if (e.isDirectory()) walk(name);
      else if (/\.(js|json)$/.test(name)) found.push(name);
    }
  };
  walk("");
  return found.sort();
}

function runMain(dir: string): string {
  const r = spawnSync(process.execPath, [path.join(dir, "dist", "main.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

test("the transpiled project has tsc's files in tsc's places and runs as tsc's output does", () => {
  const withTsc = project();
  const tsc = spawnSync(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
    cwd: withTsc,
    encoding: "utf8",
  });
  expect(tsc.stdout).toBe("");
  const transpiled = project();
  const plan = planTranspile(transpiled);
  if ("reason" in plan) throw new Error(plan.reason);
  transpile(plan);

  expect(emitted(path.join(transpiled, "dist"))).toEqual(emitted(path.join(withTsc, "dist")));
  expect(emitted(path.join(transpiled, "dist"))).toContain(path.join("config", "settings.json"));
  const output = runMain(transpiled);
  expect(output).toBe(runMain(withTsc));
  expect(JSON.parse(output)).toEqual({
    shape: { sides: 6 },
    fields: ["kind", "declared", "extra"], // ES2022 class fields: declared ones exist too
    base: "base",
    yaml: "a: 1\n",
    text: "beside the code",
    strict: true,
  });
});

test("a project esbuild cannot match file by file is left to its own build", () => {
  const options = TSCONFIG.compilerOptions;
  const cases: Array<[unknown, string]> = [
    [{ ...TSCONFIG, compilerOptions: { ...options, strict: false } }, "its tsconfig.json is not strict"],
    [
      { ...TSCONFIG, compilerOptions: { ...options, module: "nodenext", moduleResolution: "nodenext" } },
      "its tsconfig.json does not emit CommonJS",
    ],
    [{ ...TSCONFIG, compilerOptions: { ...options, esModuleInterop: false } }, "its tsconfig.json has no esModuleInterop"],
    [{ ...TSCONFIG, compilerOptions: { ...options, rootDir: undefined } }, "its tsconfig.json sets no outDir and rootDir"],
    [
      { ...TSCONFIG, compilerOptions: { ...options, allowJs: true }, include: [...TSCONFIG.include, "src/**/*.js"] },
      "it compiles src/legacy.js, not TypeScript",
    ],
  ];
  for (const [tsconfig, reason] of cases) {
    const dir = project(tsconfig);
    writeFileSync(path.join(dir, "src", "legacy.js"), "module.exports = 1;\n");
    expect(planTranspile(dir)).toEqual({ reason });
    expect(existsSync(path.join(dir, "dist"))).toBe(false);
  }
  const broken = project();
  writeFileSync(path.join(broken, "tsconfig.json"), "{ not json");
  expect(planTranspile(broken)).toEqual({ reason: expect.stringMatching(/^its tsconfig.json does not parse/) });
});

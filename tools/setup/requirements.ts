// What the test suites need from the machine (tools/setup/requirements.tsv), and which
// of it is missing here. `npm test` runs this first (preflight.ts) so that a machine
// lacking a tool fails in a second with one message, not with dozens of test failures.
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const REQUIREMENTS_FILE = path.resolve(__dirname, "..", "..", "..", "tools", "setup", "requirements.tsv");

export interface Requirement {
  readonly suite: string;
  /** A command looked up on PATH, or an absolute path that must exist. */
  readonly presentIf: string;
  readonly debianPackage: string;
}

export function readRequirements(file = REQUIREMENTS_FILE): Requirement[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== "" && !line.startsWith("#"))
    .map(({ line, number }) => {
      const fields = line.split("\t");
      if (fields.length !== 3 || fields.some((f) => f === "")) {
        throw new Error(`${file}: line ${number}: expected three tab-separated fields (suite, present-if, debian-package)`);
      }
      const [suite, presentIf, debianPackage] = fields;
      return { suite, presentIf, debianPackage };
    });
}

function onPath(command: string, pathVariable = process.env.PATH ?? ""): boolean {
  return pathVariable.split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir || ".", command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function isPresent(r: Requirement): boolean {
  return path.isAbsolute(r.presentIf) ? existsSync(r.presentIf) : onPath(r.presentIf);
}

/** The requirements of `suites` that this machine lacks. */
export function missingRequirements(suites: readonly string[], all = readRequirements()): Requirement[] {
  const unknown = suites.filter((s) => !all.some((r) => r.suite === s));
  if (unknown.length > 0) throw new Error(`${REQUIREMENTS_FILE}: no suite named ${unknown.join(", ")}`);
  return all.filter((r) => suites.includes(r.suite) && !isPresent(r));
}

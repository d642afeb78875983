// The shell scripts of userdata/scripts/, installed on the servers with write_files.
// Each file is read once per process: synth renders many servers.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { WriteFile } from "./cloud-config";

/** Where the scripts live on a server. */
const SCRIPT_DIR = "/usr/local/lib/factory";

// Compiled code runs from dist/userdata/, the sources sit in userdata/scripts/.
function sourceDir(): string {
  const candidates = [path.join(__dirname, "scripts"), path.resolve(__dirname, "..", "..", "userdata", "scripts")];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`userdata scripts not found (looked in ${candidates.join(", ")})`);
  return found;
}

const cache = new Map<string, string>();

/** The text of userdata/scripts/<name>.sh. */
export function scriptText(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(sourceDir(), `${name}.sh`), "utf8");
    cache.set(name, text);
  }
  return text;
}

/** Absolute paths of every script in userdata/scripts/ (for shellcheck). */
export function scriptFiles(): string[] {
  const dir = sourceDir();
  return readdirSync(dir)
    .filter((n) => n.endsWith(".sh"))
    .sort()
    .map((n) => path.join(dir, n));
}

/** The path a script is installed at on the server. */
export function scriptPath(name: string): string {
  return `${SCRIPT_DIR}/${name}.sh`;
}

/** check-listeners.sh's command: nothing but a role's own ports may listen on the network. */
export function checkListeners(ports: readonly number[]): string[] {
  return [scriptPath("check-listeners"), ...ports.map((p) => `tcp:${p}`)];
}

/** The write_files entry installing a script. */
export function scriptFile(name: string): WriteFile {
  return { path: scriptPath(name), content: scriptText(name), owner: "root:root", permissions: "0755" };
}

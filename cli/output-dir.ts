// Writes a directory all-or-nothing: the content is built in a temporary sibling and
// renamed into place only on success, so a failed run leaves the old output untouched.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";

export function replaceDirectory<T>(target: string, fill: (tmpDir: string) => T): T {
  const parent = path.dirname(path.resolve(target));
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  chmodSync(tmp, 0o755); // mkdtemp makes it private; the output is not secret
  let result: T;
  try {
    result = fill(tmp);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = existsSync(target) ? `${tmp}.old` : undefined;
  if (old) renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (err) {
    if (old) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return result;
}

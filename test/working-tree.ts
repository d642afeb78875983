// What `git status` and the files' contents say about the working tree, so that a test
// run can prove it changed nothing there (tests write only under their own temp dirs).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/** Path → its status and, for files git reports (modified, untracked), a content hash. */
export type TreeState = Map<string, string>;

export function workingTreeState(repo: string): TreeState {
  const r = spawnSync("git", ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching"], {
    cwd: repo,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git status in ${repo}: ${r.stderr}`);
  const state: TreeState = new Map();
  const entries = r.stdout.split("\0").filter(Boolean);
  for (let i = 0; i < entries.length; i++) {
    const status = entries[i].slice(0, 2);
    const file = entries[i].slice(3);
    if (status.startsWith("R") || status.startsWith("C")) i++; // the next entry is the rename's source
    state.set(file, status === "!!" ? status : `${status} ${contentHash(path.join(repo, file))}`);
  }
  return state;
}

function contentHash(file: string): string {
  try {
    return statSync(file).isFile() ? createHash("sha1").update(readFileSync(file)).digest("hex") : "dir";
  } catch {
    return "gone";
  }
}

/** The paths whose state differs, one line each: `<path>: <before> -> <after>`. */
export function treeChanges(before: TreeState, after: TreeState): string[] {
  const files = new Set([...before.keys(), ...after.keys()]);
  return [...files]
    .filter((file) => before.get(file) !== after.get(file))
    .sort()
    .map((file) => `${file}: ${describe(before.get(file), after.get(file))}`);
}

function describe(before: string | undefined, after: string | undefined): string {
  const what = (state: string | undefined) => {
    if (state === undefined) return "as committed";
    const status = state.slice(0, 2);
    if (status === "!!") return "ignored";
    if (status === "??") return "untracked";
    if (status.includes("D") || state.endsWith(" gone")) return "deleted";
    return "modified";
  };
  const [b, a] = [what(before), what(after)];
  return b === a ? `${a}, content changed` : `${b} -> ${a}`;
}

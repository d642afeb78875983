// The working-tree check that npm test runs after every test (global-teardown.ts) sees
// new, changed and removed files, also ignored ones such as a stray cdktf.out/.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";
import { treeChanges, workingTreeState } from "./working-tree";

function repository(): string {
  const dir = tempDir("working-tree-");
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
    });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  git("init", "-q");
  writeFileSync(path.join(dir, ".gitignore"), "cdktf.out/\n");
  writeFileSync(path.join(dir, "tracked.txt"), "one\n");
  writeFileSync(path.join(dir, "edited.txt"), "one\n");
  git("add", "-A");
  git("commit", "-qm", "fixture");
  writeFileSync(path.join(dir, "edited.txt"), "uncommitted edit\n"); // a developer's own change
  return dir;
}

test("an unchanged tree has no changes, a developer's uncommitted edit included", () => {
  const dir = repository();
  expect(treeChanges(workingTreeState(dir), workingTreeState(dir))).toEqual([]);
});

test("new, changed, removed and new ignored files are all reported", () => {
  const dir = repository();
  const before = workingTreeState(dir);
  writeFileSync(path.join(dir, "stray.sh"), "#!/bin/sh\n");
  writeFileSync(path.join(dir, "tracked.txt"), "two\n");
  writeFileSync(path.join(dir, "edited.txt"), "edited again\n");
  mkdirSync(path.join(dir, "cdktf.out"));
  writeFileSync(path.join(dir, "cdktf.out", "manifest.json"), "{}");
  expect(treeChanges(before, workingTreeState(dir))).toEqual([
    "cdktf.out/: as committed -> ignored",
    "edited.txt: modified, content changed",
    "stray.sh: as committed -> untracked",
    "tracked.txt: as committed -> modified",
  ]);
  rmSync(path.join(dir, "stray.sh"));
  rmSync(path.join(dir, "tracked.txt"));
  expect(treeChanges(before, workingTreeState(dir))).toEqual([
    "cdktf.out/: as committed -> ignored",
    "edited.txt: modified, content changed",
    "tracked.txt: as committed -> deleted",
  ]);
});

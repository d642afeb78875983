// `factory diff` as a command: formats, exit codes (0 none, 2 changes, 1 errors, usage
// errors included), and one end-to-end `--base <git-ref>` run in a scratch repository.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { synthesize } from "../main";
import { loadEnvironments } from "../config/load";
import { EXAMPLE, exampleData, REPO, runFactory, runFactoryInProcess, tempDir, writeEnvironment } from "./helpers";

function synthDir(file: string): string {
  const out = path.join(tempDir("diff-cli-"), "out");
  synthesize(loadEnvironments([file]), out);
  return out;
}

const example = synthDir(EXAMPLE);

test("the example against itself: no changes, exit 0, in every format", async () => {
  const markdown = await runFactoryInProcess(["diff", "--base-dir", example, "--head-dir", example]);
  expect(markdown).toEqual({ status: 0, stdout: "### factory diff\n\nNo changes: the synthesized stacks are equivalent.\n", stderr: "" });
  const text = await runFactoryInProcess(["diff", "--base-dir", example, "--head-dir", example, "--format", "text"]);
  expect(text).toEqual({ status: 0, stdout: "No changes: the synthesized stacks are equivalent.\n", stderr: "" });
  const json = await runFactoryInProcess(["diff", "--base-dir", example, "--head-dir", example, "--format", "json"]);
  expect(json.status).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({ changed: false, flags: [] });
});

test("--base-dir alone compares with the working tree's synthesis: exit 2 when it changed", async () => {
  const data = exampleData();
  data.admin.cidrs = ["0.0.0.0/0"];
  const widened = writeEnvironment(data, "example.yaml");
  const r = await runFactoryInProcess(["diff", "--base-dir", example, "--config", widened, "--format", "text"]);
  expect(r.status).toBe(2);
  expect(r.stdout).toContain(
    "SECURITY:\n  ! example-network: widened ingress rule tcp port 22 from 0.0.0.0/0 into security group example-jump",
  );
});

test("usage errors of diff exit 1 (2 means 'changed'), other commands keep 2", async () => {
  const cases = [
    ["diff"],
    ["diff", "--base-dir", example, "--format", "html"],
    ["diff", "--base", "main", "--base-dir", example],
    ["diff", "--base-dir", example, "--head-dir", example, "--config", EXAMPLE],
    ["diff", "--no-such-option"],
    ["diff", "--base-dir", example, "--head-dir", example, "--max-length", "64k"],
  ];
  for (const args of cases) {
    const r = await runFactoryInProcess(args);
    expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 1, stdout: "" });
    expect(r.stderr).toMatch(/^factory: .+\nusage:/);
  }
  expect((await runFactoryInProcess(["synth", "--no-such-option"])).status).toBe(2);
});

test("a missing or broken synth output is an error naming the file, exit 1", async () => {
  const missing = path.join(tempDir(), "nothing");
  expect(await runFactoryInProcess(["diff", "--base-dir", missing, "--head-dir", example])).toEqual({
    status: 1,
    stdout: "",
    stderr: `factory: ${path.join(missing, "manifest.json")}: no such file\n`,
  });
  const broken = tempDir();
  writeFileSync(path.join(broken, "manifest.json"), "{ not json");
  const r = await runFactoryInProcess(["diff", "--base-dir", example, "--head-dir", broken]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^factory: ${path.join(broken, "manifest.json")}: invalid JSON`));
});

test("--base <git-ref>: the base revision built and synthesized in a temporary worktree, then removed", () => {
  // A scratch copy of the project (sources as committed, dist/ and node_modules as built)
  // with two commits: the example, then a wider admin CIDR and a code change.
  const repo = path.join(tempDir("diff-repo-"), "factory");
  const tracked = spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const file of tracked) if (existsSync(path.join(REPO, file))) cpSync(path.join(REPO, file), path.join(repo, file));
  cpSync(path.join(REPO, "dist"), path.join(repo, "dist"), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules"), path.join(repo, "node_modules"));
  writeFileSync(path.join(repo, ".gitignore"), "node_modules\ndist\n");
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const edit = (file: string, change: (text: string) => string) =>
    writeFileSync(path.join(repo, file), change(readFileSync(path.join(repo, file), "utf8")));
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "base");
  edit("environments/example.yaml", (t) => t.replace("203.0.113.0/24", "0.0.0.0/0"));
  edit("main.ts", (t) => `${t}// a code change: the base must be built from its own sources\n`);
  git("commit", "-qam", "open ssh to the world");
  const diff = () => {
    const r = spawnSync(process.execPath, [path.join(repo, "bin", "factory.js"), "diff", "--base", "HEAD~1", "--format", "json"], {
      cwd: repo,
      encoding: "utf8",
    });
    return { status: r.status, stderr: r.stderr, flags: JSON.parse(r.stdout || "{}").flags?.map((f: { message: string }) => f.message) };
  };
  const worldOpen = [
    "widened ingress rule tcp port 22 from 0.0.0.0/0 into security group example-jump: now open to the world; new CIDR 0.0.0.0/0 (was 203.0.113.0/24)",
  ];

  expect(diff()).toEqual({
    status: 2,
    stderr: expect.stringMatching(/^factory diff: synthesizing HEAD~1 \([0-9a-f]{12}\) in a temporary worktree\n$/),
    flags: worldOpen,
  });
  expect(git("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1); // removed again

  // Only the environment differs from the base now: no worktree, no build needed.
  git("checkout", "HEAD~1", "--", "main.ts");
  expect(diff()).toEqual({
    status: 2,
    stderr: expect.stringMatching(
      /^factory diff: HEAD~1 \([0-9a-f]{12}\) differs only in environment files; synthesizing them with the current code\n$/,
    ),
    flags: worldOpen,
  });
  expect(runFactory(["diff", "--base", "no-such-ref"], repo)).toMatchObject({
    status: 1,
    stdout: "",
    stderr: expect.stringContaining("--base no-such-ref: not a commit"),
  });
});

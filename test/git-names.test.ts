// jenkins.jobsRepo: the branch is what `git check-ref-format --branch` accepts and the URL
// is one git clones from a server — both decided against the real git, not a copy of its
// rules: the names come from a corpus of git's own edge cases and their combinations.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import * as path from "node:path";
import { branchNameProblem, cloneUrlProblem } from "../config/git";
import { exampleData, runFactoryInProcess, tempDir, writeEnvironment } from "./helpers";

/** git check-ref-format --branch on each name, in one shell (outside any repository). */
function gitAcceptsBranches(names: string[]): boolean[] {
  const dir = tempDir("refs-");
  try {
    const r = spawnSync(
      "bash",
      [
        "-c",
        'for n in "$@"; do if git check-ref-format --branch "$n" >/dev/null 2>&1; then echo 1; else echo 0; fi; done',
        "refs",
        ...names,
      ],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) },
      },
    );
    if (r.status !== 0) throw new Error(`git check-ref-format: ${r.stderr}`);
    return r.stdout
      .trim()
      .split("\n")
      .map((l) => l === "1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PARTS = [
  "a",
  "main",
  ".",
  "..",
  "/",
  "-",
  "@",
  "{",
  "}",
  ".lock",
  "lock",
  "HEAD",
  " ",
  "~",
  "^",
  ":",
  "?",
  "*",
  "[",
  "\\",
  "\t",
  "\x7f",
  "ü",
  "#",
  "+",
  "=",
];
const CORPUS = [
  ...PARTS,
  ...PARTS.flatMap((a) => PARTS.map((b) => a + b)),
  ...[
    "feature/x",
    "release/2.555.x",
    "a/.b",
    "a.lock/b",
    "a/b.lock",
    "x/.lock",
    "@{-1}",
    "a@{1}",
    "refs/heads/x",
    "a//b",
    "/a",
    "a/",
    "a.",
    "HEAD/x",
    "x/HEAD",
    "-/x",
    "production",
    "users/jö/wip",
  ],
];

test("every branch name is judged as git check-ref-format --branch judges it", () => {
  // '@' alone is let through by git's --branch only because it means the current branch
  // there; a jobs repository's branch is a name to fetch, and so is refs/heads/@.
  const names = [...new Set(CORPUS)].filter((n) => n !== "");
  const git = gitAcceptsBranches(names);
  const disagreements = names.filter((n, i) => (branchNameProblem(n) === undefined) !== git[i]).map((n) => JSON.stringify(n));
  expect(disagreements).toEqual([]);
  expect(git.filter(Boolean).length).toBeGreaterThan(50); // the corpus has both kinds
  expect(git.filter((ok) => !ok).length).toBeGreaterThan(300);
});

/** What git makes of a URL: the ssh it would run, an HTTPS connection, or a local path. */
function gitReading(url: string): string {
  const dir = tempDir("clone-");
  try {
    const log = path.join(dir, "ssh.log");
    const ssh = path.join(dir, "ssh");
    // Stands in for ssh only to record what git asked of it; git itself is real.
    writeFileSync(ssh, `#!/bin/sh\nprintf '%s\\n' "$@" >"${log}"\nexit 1\n`);
    chmodSync(ssh, 0o755);
    // file:// refused, so that a local path shows as one; an HTTPS connection goes to a closed port
    const r = spawnSync("git", ["-c", "http.proxy=http://127.0.0.1:9", "-c", "protocol.file.allow=never", "ls-remote", url], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, GIT_SSH: ssh, GIT_SSH_VARIANT: "ssh", GIT_TERMINAL_PROMPT: "0", GIT_CEILING_DIRECTORIES: path.dirname(dir) },
      timeout: 20_000,
    });
    let args: string[] = [];
    try {
      args = readFileSync(log, "utf8").trim().split("\n");
    } catch {
      // ssh was not run
    }
    if (args.length > 0) {
      const port = args.includes("-p") ? `:${args[args.indexOf("-p") + 1]}` : "";
      return `ssh ${args[args.length - 2]}${port} ${args[args.length - 1]}`;
    }
    if (/Failed to connect to 127\.0\.0\.1 port 9\b/.test(r.stderr)) return "https";
    return `other: ${r.stderr.trim().split("\n")[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each([
  ["https://git.example.com/image-factory.git", "https"],
  ["https://git.example.com:8443/group/sub/image-factory", "https"],
  ["ssh://git@git.example.org:2222/factory/image-factory.git", "ssh git@git.example.org:2222 git-upload-pack '/factory/image-factory.git'"],
  ["ssh://git.example.org/factory.git", "ssh git.example.org git-upload-pack '/factory.git'"],
  ["git@github.com:example/image-factory.git", "ssh git@github.com git-upload-pack 'example/image-factory.git'"],
  ["git.example.org:factory.git", "ssh git.example.org git-upload-pack 'factory.git'"],
  ["deploy@[2001:db8::1]:/srv/git/factory.git", "ssh deploy@2001:db8::1 git-upload-pack '/srv/git/factory.git'"],
])("accepted, and git reaches a server for it: %s", (url, reading) => {
  expect(cloneUrlProblem(url)).toBeUndefined();
  expect(gitReading(url)).toBe(reading);
});

test.each([
  // what git would not clone from a server at all
  ["git.example.com/image-factory.git", /not a URL git clones from a server/, /^other: .*transport 'file' not allowed/],
  ["/srv/git/factory.git", /not a URL git clones from a server/, /^other: /],
  ["-oProxyCommand=touch${IFS}/tmp/x:repo", /must not start with "-"/, /^other: .*No remote configured/], // an option to git
  ["ssh://-oProxyCommand=id/repo", /not a host name or address/, /^other: .*strange hostname/],
  ["git.example.com:-uhm", /path must not start with "-"/, /^other: .*strange pathname/],
  // what git clones, but not safely enough for the repository that decides what Jenkins runs
  ["http://git.example.com/factory.git", /scheme "http" is not allowed .*not encrypted/, /^https$/],
  ["git://git.example.com/factory.git", /scheme "git" is not allowed .*not encrypted/, /^other: /],
  ["file:///srv/git/factory.git", /scheme "file" is not allowed .*controller's own disk/, /^other: /],
  ["ext::sh -c touch% /tmp/x", /whitespace/, /^other: /],
  ["https://bot:s3cret@git.example.com/f.git", /must not contain a password/, /^https$/],
  ["ssh://git.example.com/", /needs the repository's path/, /^ssh /],
])("refused: %s", (url, problem, reading) => {
  expect(cloneUrlProblem(url)).toMatch(problem);
  expect(gitReading(url)).toMatch(reading);
});

test.each([
  ["jenkins.jobsRepo.branch", (d: any) => (d.jenkins.jobsRepo.branch = "--upload-pack=touch /tmp/x"), 'must not start with "-"'],
  ["jenkins.jobsRepo.branch", (d: any) => (d.jenkins.jobsRepo.branch = "release..2"), 'must not contain ".."'],
  [
    "jenkins.jobsRepo.url",
    (d: any) => (d.jenkins.jobsRepo.url = "git.example.com/factory.git"),
    '"git.example.com/factory.git" is not a URL git clones from a server',
  ],
])("the CLI names %s", async (where, change, message) => {
  const data = exampleData();
  change(data);
  const file = writeEnvironment(data);
  const r = await runFactoryInProcess(["validate", "--config", file]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${file}: ${where}: ${message}`);
});

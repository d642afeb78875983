// `factory ldap-password`: its refusals and exit codes, and what it says when a server cannot
// be reached (real ssh, to a port where nothing listens). Pushing to a real server, sssd
// using the password, and rotation: the boot test's jump-ldap case (test/boot/ldap-logins.ts).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { EXAMPLE, exampleData, FACTORY_BIN, MAXIMAL, REPO, tempDir, writeEnvironment } from "./helpers";
import { freePort } from "./free-port";

const push = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [FACTORY_BIN, "ldap-password", ...args], {
    cwd: REPO,
    encoding: "utf8",
    input: input ?? "",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const maximalLdap = () => parse(readFileSync(MAXIMAL, "utf8")).ldap;
/** The example with the maximal fixture's ldap block (bind DN set), or changed by `change`. */
const withLdap = (change: (ldap: any) => void = () => {}) => {
  const data = exampleData();
  data.ldap = maximalLdap();
  change(data.ldap);
  return writeEnvironment(data);
};

test("refuses what it cannot do, naming the key or option (exit 1 input, 2 usage)", () => {
  const none = push(["--config", EXAMPLE, "--jump", "192.0.2.1"], "pw\n");
  expect([none.status, none.stderr.trim()]).toEqual([1, `factory: ${EXAMPLE}: ldap: not set: this factory has no LDAP logins`]);
  const anonymous = withLdap((l) => delete l.bind);
  expect(push(["--config", anonymous, "--jump", "192.0.2.1"], "pw\n")).toMatchObject({
    status: 1,
    stderr: expect.stringContaining("ldap.bind: not set: the directory takes anonymous binds"),
  });
  const env = withLdap();
  expect(push(["--config", env], "pw\n")).toMatchObject({ status: 2, stderr: expect.stringContaining("--jump ADDRESS[,ADDRESS...]") });
  expect(push(["--config", env, "--jump", "192.0.2.1", "pw"], "")).toMatchObject({
    status: 2,
    stderr: expect.stringContaining('unexpected argument "pw" (the password comes on stdin)'),
  });
  for (const t of ["0", "1.5", "601", "soon"]) {
    expect(push(["--config", env, "--jump", "192.0.2.1", "--only", "jump-0", "--connect-timeout", t], "pw\n")).toMatchObject({
      status: 2,
      stderr: expect.stringContaining(`--connect-timeout: "${t}" is not a number of seconds from 1 to 600`),
    });
  }
  expect(push(["--config", env, "--jump", "192.0.2.1", "--only", "jump-0,jenkins-9"], "pw\n")).toMatchObject({
    status: 2,
    stderr: expect.stringContaining("--only: no server jenkins-9 (servers: jump-0, jump-1, nfs, jenkins, web-0, web-1)"),
  });
  // every server needs an address: the second jump host's and the web servers' are missing
  expect(push(["--config", env, "--jump", "192.0.2.1"], "pw\n")).toMatchObject({
    status: 2,
    stderr: expect.stringContaining("no address for jump-1, web-0, web-1"),
  });
  for (const input of ["", "\n", "one\ntwo\n"]) {
    expect(push(["--config", env, "--jump", "192.0.2.1", "--only", "jump-0"], input)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("stdin: the bind password must be one non-empty line"),
    });
  }
});

test("a server it cannot reach: FAILED with ssh's reason, the others still tried, exit 1", async () => {
  const port = await freePort(); // nothing listens there
  const dir = tempDir("factory-ldap-push-");
  const config = path.join(dir, "ssh_config");
  writeFileSync(config, `Host 127.0.0.1\n  Port ${port}\n  UserKnownHostsFile ${dir}/known_hosts\n`);
  const r = push(
    ["--config", withLdap(), "--jump", "127.0.0.1,127.0.0.1", "--only", "jump-0,jump-1", "--ssh-config", config],
    "secret password\n",
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^jump-0 127\\.0\\.0\\.1: FAILED \\(ssh exit 255\\): .*port ${port}: Connection refused$`, "m"));
  expect(r.stderr).toMatch(/^jump-1 127\.0\.0\.1: FAILED/m);
  expect(r.stdout).toContain("0 of 2 servers have the bind password");
  expect(`${r.stdout}${r.stderr}`).not.toContain("secret password");
});

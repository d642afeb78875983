// jobs/publish/push-web.sh against what the web servers run: two real OpenSSH sshd
// (127.0.0.1 and 127.0.0.2, one free port, each its own host key and web root), Debian's
// rsync and /usr/bin/rrsync, with the authorized_keys line userdata/web.ts gives the web
// servers' `publish` user (publishKeyLine, pointed at each server's web root here).
//
// The key logs in as root (`PermitRootLogin forced-commands-only`: only a key with
// command= may): a `publish` user would have to be added to this machine's /etc/passwd,
// and as root no file permission stops a read or a write, so whatever the key is refused
// here is refused by sshd's `restrict` and by rrsync, as on the web servers.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { publishKeyLine } from "../userdata/web";
import { freePort } from "./free-port";
import { ROLES } from "../config/roles";
import { EXAMPLE, exampleData, modelFileOf, REPO, tempDir, writeEnvironment } from "./helpers";
import { JOBS, run, scriptEnv, type Run } from "./jobs-support";

const PUSH_WEB = path.join(JOBS, "publish", "push-web.sh");
const ADDRESSES = ["127.0.0.1", "127.0.0.2"];

interface WebServer {
  readonly address: string;
  readonly root: string;
  /** Its host key's known_hosts line. */
  readonly knownHost: string;
  readonly sshd: ChildProcess;
}

function must(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function keyPair(file: string): string {
  must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", path.basename(file), "-f", file]);
  return readFileSync(`${file}.pub`, "utf8").trim();
}

async function startWebServer(dir: string, address: string, port: number, publishKey: string): Promise<WebServer> {
  mkdirSync(dir);
  const root = path.join(dir, "www");
  mkdirSync(root, { mode: 0o755 });
  const hostKey = keyPair(path.join(dir, "host_ed25519")).split(" ").slice(0, 2).join(" ");
  writeFileSync(path.join(dir, "authorized_keys"), `${publishKeyLine(publishKey, root)}\n`);
  const log = path.join(dir, "sshd.log");
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${dir}/host_ed25519`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PermitRootLogin forced-commands-only",
      "AllowUsers root",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The files are in a temp dir below /tmp (mode 1777), which StrictModes refuses.
      "StrictModes no",
      "PidFile none",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  // Its privilege separation directory, which its service makes (none runs here).
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const sshd = spawn("/usr/sbin/sshd", ["-D", "-f", path.join(dir, "sshd_config"), "-E", log], { stdio: "ignore" });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    if (text.includes(`Server listening on ${address} port ${port}`)) break;
    if (sshd.exitCode !== null || Date.now() > deadline) {
      sshd.kill();
      throw new Error(`sshd on ${address}:${port} did not start (${log}):\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { address, root, knownHost: `[${address}]:${port} ${hostKey}`, sshd };
}

/** Every path below `root`, as "<type> <mode> <path>" ("link <path>" for symlinks), sorted. */
function listing(root: string): string[] {
  return walk(root, "").sort();
}
function walk(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    const st = lstatSync(path.join(root, rel));
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) return [`link ${rel}`];
    if (st.isDirectory()) return [`dir ${mode} ${rel}`, ...walk(root, rel)];
    return [`${st.isFile() ? "file" : "other"} ${mode} ${rel}`];
  });
}

function write(root: string, rel: string, content: string, mode = 0o644): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
  chmodSync(path.join(root, rel), mode);
}

const BUILD = "Standard_Debian_12/20261201-1";
const OLD_BUILD = "Standard_Debian_12/20261101-1";

/**
 * A published tree as the NFS share holds it: builds' signed outputs, the statistics report,
 * and what must not reach the web: a copy stage 11 is still making (*.partial), the report
 * being rebuilt (.stats-new-*), NFS's hidden files, symlinks a build host planted, a FIFO.
 */
function publishedTree(tree: string): void {
  for (const build of [OLD_BUILD, BUILD]) {
    write(tree, `${build}/Standard_Debian_12.qcow2`, `qcow2 of ${build}`, 0o600);
    write(tree, `${build}/Standard_Debian_12.qcow2.asc`, "signature");
    write(tree, `${build}/Standard_Debian_12.hashdeep`, "manifest");
    write(tree, `${build}/logs/07-build-image.log`, "log", 0o640);
  }
  write(tree, "stats/index.html", "<html>report</html>");
  write(tree, "stats/duration.svg", "<svg/>", 0o755);
  chmodSync(path.join(tree, "stats"), 0o700);
  write(tree, "Standard_Debian_12/20261202-1.partial/Standard_Debian_12.qcow2", "half a copy");
  write(tree, ".stats-new-x1y2/index.html", "half a report");
  write(tree, `${BUILD}/.nfs0000000000000123`, "a removed file still open");
  symlinkSync("/etc/passwd", path.join(tree, BUILD, "passwd"));
  symlinkSync("/etc", path.join(tree, "Standard_Debian_12", "etc"));
  must("mkfifo", [path.join(tree, "stats", "fifo")]);
}

/** What a web root must list after a push of publishedTree (plus `extra` files). */
function expectedListing(builds = [OLD_BUILD, BUILD], extra: string[] = []): string[] {
  const lines = [
    "dir 755 Standard_Debian_12",
    "dir 755 stats",
    "file 644 stats/duration.svg",
    "file 644 stats/index.html",
    ...extra.map((f) => `file 644 ${f}`),
  ];
  for (const build of builds) {
    lines.push(`dir 755 ${build}`, `dir 755 ${build}/logs`, `file 644 ${build}/logs/07-build-image.log`);
    for (const f of ["Standard_Debian_12.hashdeep", "Standard_Debian_12.qcow2", "Standard_Debian_12.qcow2.asc"])
      lines.push(`file 644 ${build}/${f}`);
  }
  return lines.sort();
}

describe("push-web.sh: the published tree to the web servers, through real sshd and rrsync", () => {
  let dir: string;
  let port: number;
  let key: string;
  let knownHosts: string;
  let servers: WebServer[] = [];
  let tree: string;

  beforeAll(async () => {
    dir = tempDir("push-web-");
    port = await freePort();
    key = path.join(dir, "web-publish-ssh");
    const publishKey = keyPair(key);
    for (const [i, address] of ADDRESSES.entries())
      servers.push(await startWebServer(path.join(dir, `web-${i}`), address, port, publishKey));
    knownHosts = path.join(dir, "web_known_hosts");
    writeFileSync(knownHosts, servers.map((s) => `${s.knownHost}\n`).join(""));
    tree = path.join(dir, "images");
    publishedTree(tree);
  });

  afterAll(async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.sshd.exitCode !== null) return resolve();
            s.sshd.once("exit", () => resolve());
            s.sshd.kill("SIGTERM");
          }),
      ),
    );
    servers = [];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function push(args: string[]): Run {
    return run(PUSH_WEB, [...args, "--port", String(port), "--user", "root", "--lock", path.join(dir, "web-publish.lock")], {});
  }
  const pushAll = () => push(["--tree", tree, "--hosts", ADDRESSES.join(" "), "--key", key, "--known-hosts", knownHosts]);

  /** ssh with the publish key, as push-web.sh's rsync does. */
  function sshOptions(): string[] {
    return [
      "-F",
      "/dev/null",
      "-p",
      String(port),
      "-i",
      key,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
    ];
  }
  function withKey(command: string, args: string[]): Run {
    const r = spawnSync(command, args, { encoding: "utf8", env: scriptEnv({}), timeout: 30_000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  test("every web server gets the tree (builds' files, the stats report) with modes 644/755, and nothing else: no symlink, *.partial, hidden file or FIFO", () => {
    const r = pushAll();
    expect(r.stderr).toContain("127.0.0.1: up to date");
    expect(r.stderr).toContain("127.0.0.2: up to date");
    expect(r.status).toBe(0);
    for (const server of servers) {
      expect(listing(server.root)).toEqual(expectedListing());
      expect(readFileSync(path.join(server.root, BUILD, "Standard_Debian_12.qcow2"), "utf8")).toBe(`qcow2 of ${BUILD}`);
      expect(readFileSync(path.join(server.root, "stats", "index.html"), "utf8")).toBe("<html>report</html>");
    }
  });

  // The tests below go on from what the first one pushed.
  test("the next push makes each web root the same as the tree: a removed build goes, a changed report is replaced, nothing temporary stays", () => {
    rmSync(path.join(tree, OLD_BUILD), { recursive: true });
    write(tree, "stats/index.html", "<html>report, next build</html>");
    write(tree, "stats/success.svg", "<svg/>");
    const r = pushAll();
    expect(r.status).toBe(0);
    for (const server of servers) {
      expect(listing(server.root)).toEqual(expectedListing([BUILD], ["stats/success.svg"]));
      expect(readFileSync(path.join(server.root, "stats", "index.html"), "utf8")).toBe("<html>report, next build</html>");
    }
  });

  test("--domain: the web servers are the addresses the name resolves to (localhost: 127.0.0.1 only)", () => {
    expect(
      must("getent", ["ahostsv4", "localhost"])
        .split("\n")
        .filter(Boolean)
        .every((l) => l.startsWith("127.0.0.1 ")),
    ).toBe(true);
    write(tree, "stats/size.svg", "<svg/>");
    const r = push(["--tree", tree, "--domain", "localhost", "--key", key, "--known-hosts", knownHosts]);
    expect(r.stderr).toContain("web servers of localhost: 127.0.0.1");
    expect(r.status).toBe(0);
    expect(existsSync(path.join(servers[0].root, "stats", "size.svg"))).toBe(true);
    expect(existsSync(path.join(servers[1].root, "stats", "size.svg"))).toBe(false);
  });

  test.each([
    ["is not in known_hosts", () => servers[0].knownHost],
    // Another machine answering on 127.0.0.2 (the other server's key under its name).
    ["is another's", () => `${servers[0].knownHost}\n${servers[0].knownHost.replace("[127.0.0.1]", "[127.0.0.2]")}`],
  ])("a web server whose host key %s gets nothing; the others get the tree; exit 1 naming it", (_, knownHostsText) => {
    const partial = path.join(dir, "partial_known_hosts");
    writeFileSync(partial, `${knownHostsText()}\n`);
    const file = `stats/checks-${Date.now()}.svg`;
    write(tree, file, "<svg/>");
    const log = path.join(dir, "web-1", "sshd.log");
    const logged = readFileSync(log, "utf8").length;
    const r = push(["--tree", tree, "--hosts", ADDRESSES.join(" "), "--key", key, "--known-hosts", partial]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Host key verification failed");
    expect(r.stderr).toMatch(/127\.0\.0\.2: rsync failed \(exit \d+\)/);
    expect(r.stderr).toContain("the tree did not reach 127.0.0.2");
    expect(r.stderr).not.toContain("did not reach 127.0.0.1");
    expect(existsSync(path.join(servers[0].root, file))).toBe(true);
    expect(existsSync(path.join(servers[1].root, file))).toBe(false);
    expect(readFileSync(log, "utf8").slice(logged)).not.toContain("Accepted publickey");
    rmSync(path.join(tree, file));
  });

  describe("what is missing is named, and no web server is touched", () => {
    let before: string[][];
    beforeAll(() => (before = servers.map((s) => listing(s.root))));
    afterEach(() => expect(servers.map((s) => listing(s.root))).toEqual(before));

    test.each([
      ["no --tree", () => ["--hosts", "127.0.0.1", "--key", key], 2, () => "--tree is required"],
      ["no --key", () => ["--tree", tree, "--hosts", "127.0.0.1", "--known-hosts", knownHosts], 2, () => "--key is required"],
      [
        "an unreadable --key",
        () => ["--tree", tree, "--hosts", "127.0.0.1", "--key", path.join(dir, "nope"), "--known-hosts", knownHosts],
        1,
        () => `${path.join(dir, "nope")}: the publish key (credential web-publish-ssh) is not readable`,
      ],
      [
        "no known_hosts file",
        () => ["--tree", tree, "--hosts", "127.0.0.1", "--key", key, "--known-hosts", path.join(dir, "nope")],
        1,
        () =>
          `${path.join(dir, "nope")}: no known host keys of the web servers; add each server's key (README "How published images reach the web servers")`,
      ],
      [
        "no tree",
        () => ["--tree", path.join(dir, "nope"), "--hosts", "127.0.0.1", "--key", key, "--known-hosts", knownHosts],
        1,
        () => `${path.join(dir, "nope")}: no such directory (the published tree)`,
      ],
      // An unmounted NFS share is an empty directory: --delete would empty the web roots.
      [
        "an empty tree",
        () => {
          mkdirSync(path.join(dir, "empty"), { recursive: true });
          return ["--tree", path.join(dir, "empty"), "--hosts", ADDRESSES.join(" "), "--key", key, "--known-hosts", knownHosts];
        },
        1,
        () => `${path.join(dir, "empty")} is empty (is the NFS share mounted?): the web servers keep what they have`,
      ],
    ])("%s", (_, args, status, message) => {
      const r = push(args());
      expect(r.stderr).toContain(message());
      expect(r.status).toBe(status);
    });

    test("without --known-hosts: the model's web_known_hosts (the controller's), or a usage error naming what is missing", () => {
      const args = [
        "--tree",
        tree,
        "--hosts",
        "127.0.0.1",
        "--key",
        key,
        "--port",
        String(port),
        "--user",
        "root",
        "--lock",
        path.join(dir, "web-publish.lock"),
      ];
      const fromModel = run(PUSH_WEB, args, { FACTORY_MODEL: modelFileOf(EXAMPLE, "example") });
      expect(fromModel.stderr).toContain(`${ROLES.jenkins.paths.webKnownHosts}: no known host keys of the web servers`);
      expect(fromModel.status).toBe(1);
      const noModel = run(PUSH_WEB, args, {});
      expect(noModel.stderr).toContain(
        "no model file to take the default of roles.jenkins.paths.webKnownHosts from (set FACTORY_ENV or FACTORY_MODEL, or give the option)",
      );
      expect(noModel.status).toBe(2);
    });

    test("no web servers (no web section, or web.count 0: catalogue.py gives an empty domain): exit 0, nothing pushed", () => {
      const r = push(["--tree", tree, "--domain", "", "--key", key]);
      expect(r.stderr).toContain("the factory has no web servers");
      expect(r.status).toBe(0);
    });
  });

  describe("the publish key can do nothing but rsync into the web root", () => {
    test.each([["cat /etc/passwd"], [""]])("a command (%j) is refused", (command) => {
      const r = withKey("ssh", [...sshOptions(), "root@127.0.0.1", ...(command ? [command] : [])]);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/rrsync error: (SSH_ORIGINAL_COMMAND does not run rsync|Not invoked via sshd)/);
    });

    test("no forwarding through the web server", () => {
      const r = withKey("ssh", [...sshOptions(), "-W", `127.0.0.2:${port}`, "root@127.0.0.1"]);
      expect(r.status).toBe(255);
      expect(r.stderr).toContain("administratively prohibited");
    });

    test("reading is refused: not the web root, not a file outside it", () => {
      const got = path.join(dir, "got");
      for (const source of [":stats/index.html", ":/etc/passwd"]) {
        const r = withKey("rsync", ["-r", "-e", ["ssh", ...sshOptions()].join(" "), `root@127.0.0.1${source}`, got]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("reading from write-only server is not allowed");
      }
      expect(existsSync(got)).toBe(false);
    });

    test("writing outside the web root is refused (..) or stays inside it (an absolute path)", () => {
      const src = path.join(dir, "escape-src");
      write(src, "x", "x");
      const outside = path.join(dir, "web-0", "escaped");
      const dotdot = withKey("rsync", ["-r", "-e", ["ssh", ...sshOptions()].join(" "), `${src}/`, "root@127.0.0.1:../escaped/"]);
      expect(dotdot.stderr).toContain("do not use .. in arg");
      expect(dotdot.status).not.toBe(0);
      // rrsync reads an absolute path as one below the web root (where its parents are missing).
      const absolute = withKey("rsync", ["-r", "-e", ["ssh", ...sshOptions()].join(" "), `${src}/`, `root@127.0.0.1:${outside}/`]);
      expect(absolute.stderr).toContain(`mkdir "${servers[0].root}${outside}" failed`);
      expect(existsSync(outside)).toBe(false);
    });

    // A symlink in the web root would make nginx serve the web server's own files: rrsync
    // -munge makes every symlink the key writes point below /rsyncd-munged/, which is nothing.
    test("a symlink the key writes (rsync -l) points nowhere", () => {
      const src = path.join(dir, "links");
      mkdirSync(src);
      symlinkSync("/etc/passwd", path.join(src, "passwd"));
      symlinkSync("/etc", path.join(src, "etc"));
      const r = withKey("rsync", ["-rl", "-e", ["ssh", ...sshOptions()].join(" "), `${src}/`, "root@127.0.0.1:"]);
      expect(r.status).toBe(0);
      const root = servers[0].root;
      for (const link of ["passwd", "etc"]) {
        expect(readlinkSync(path.join(root, link))).toMatch(/^\/rsyncd-munged\//);
        expect(existsSync(path.join(root, link))).toBe(false);
      }
      // push-web.sh sends no symlinks, so the next push deletes them.
      expect(push(["--tree", tree, "--hosts", "127.0.0.1", "--key", key, "--known-hosts", knownHosts]).status).toBe(0);
      expect(listing(root).filter((l) => l.startsWith("link "))).toEqual([]);
    });
  });
});

// The image-build job's post pushes to `--domain "$(catalogue.py get ... factory.webDomain)"`:
// that command, as the Jenkinsfile has it, on the entry stage 1 writes (catalogue.py entry).
test("the Jenkinsfile's push gets web.domain from the build's catalogue entry, and an empty domain without web servers", () => {
  const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
  const call = jenkinsfile.split("\n").filter((l) => l.includes("script:") && l.includes("jobs/publish/push-web.sh"));
  expect(call).toHaveLength(1);
  const domain = /--domain ("\$\(python3 [^)]*\)")/.exec(call[0])?.[1];
  expect(domain).toContain("factory.webDomain");
  const local = tempDir("push-web-entry-");
  try {
    symlinkSync(REPO, path.join(local, "repo"));
    const domainOf = (envFile: string): string => {
      const entry = spawnSync(
        "/usr/bin/python3",
        [path.join(JOBS, "stages", "catalogue.py"), "entry", "--model", modelFileOf(envFile, "example"), "--image", "Standard_Debian_12"],
        { encoding: "utf8" },
      );
      expect(entry.stderr).toBe("");
      writeFileSync(path.join(local, "entry.json"), entry.stdout);
      const r = spawnSync("bash", ["-c", `printf '%s' ${domain}`], { encoding: "utf8", env: scriptEnv({ FACTORY_LOCAL_DIR: local }) });
      expect(r.stderr).toBe("");
      return r.stdout;
    };
    expect(domainOf(EXAMPLE)).toBe("images.example.com");
    const data = exampleData();
    data.web.count = 0;
    expect(domainOf(writeEnvironment(data, "env.yaml", local))).toBe("");
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
});

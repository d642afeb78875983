// First-boot user-data of every role, for the example and the maximal environment:
// cloud-init's own schema, shellcheck, Nova's size limit, no secrets, and what each role
// must do on first boot.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { resolveFactory } from "../config/factory-model";
import { ROLES } from "../config/roles";
import { parseEnvironment } from "../config/load";
import type { Environment } from "../config/schema";
import { renderUserData, renderUserDataText, type UserDataContext, type UserDataRequest } from "../userdata";
import { FIRST_BOOT_MARKER } from "../userdata/base";
import { NOVA_USER_DATA_LIMIT, unescapeTerraform } from "../userdata/cloud-config";
import { STATS_PACKAGES, systemdEnvironment } from "../userdata/jenkins";
import { readRequirements } from "../tools/setup/requirements";
import { scriptFiles, scriptText } from "../userdata/scripts";
import { findSecrets } from "../userdata/secret-scan";
import { EXAMPLE, REPO, synthEnvironment, tempDir } from "./helpers";

const MAXIMAL = path.join(REPO, "test", "fixtures", "maximal.yaml");
const CHECKER = path.join(REPO, "userdata", "check-cloud-config.py");
// cloud-init's interpreter (a pyenv python3 on PATH would not see its library)
const PYTHON = "/usr/bin/python3";
const VOLUME_ID = "5f0c8b1e-93a2-4c1d-9e77-0123456789ab";
const AGENT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky jenkins@build-host";

function load(file: string): Environment {
  return parseEnvironment(file, readFileSync(file, "utf8")).env;
}
const ctxOf = (env: Environment): UserDataContext => resolveFactory(env);

/** Every server of an environment, with realistic stand-ins for Terraform's values. */
function requestsOf(env: Environment): Array<[string, UserDataRequest]> {
  const list: Array<[string, UserDataRequest]> = [
    ...(env.servers.jump.count > 0
      ? Array.from({ length: env.servers.jump.count }, (_, index): [string, UserDataRequest] => [`jump-${index}`, { role: "jump", index }])
      : []),
    ["nfs", { role: "nfs", dataVolumeId: VOLUME_ID }],
    ["jenkins", env.servers.jenkins.homeVolumeGb ? { role: "jenkins", homeVolumeId: VOLUME_ID } : { role: "jenkins" }],
  ];
  for (let index = 0; index < (env.web?.count ?? 0); index++) list.push([`web-${index}`, { role: "web", index }]);
  for (const template of env.buildHosts.templates) {
    list.push([
      `build-host-${template.name}`,
      { role: "build-host", template, agentPublicKey: AGENT_KEY, ...(template.scratchVolumeGb > 0 ? { scratchVolumeId: VOLUME_ID } : {}) },
    ]);
  }
  return list;
}

const ENVIRONMENTS = [load(EXAMPLE), load(MAXIMAL)];
const RENDERED = ENVIRONMENTS.flatMap((env) =>
  requestsOf(env).map(([name, request]) => ({ name: `${env.name}-${name}`, env, request, text: renderUserDataText(ctxOf(env), request) })),
);
const parsed = new Map<string, any>();
const docOf = (name: string) => {
  const r = RENDERED.find((x) => x.name === name);
  if (!r) throw new Error(`no rendered document ${name}`);
  if (!parsed.has(name)) parsed.set(name, parse(r.text));
  return parsed.get(name);
};
const fileIn = (doc: any, p: string): string => {
  const f = doc.write_files.find((w: any) => w.path === p);
  if (!f) throw new Error(`${p} is not in write_files`);
  return f.content;
};
const commands = (doc: any): string[] => doc.runcmd.map((c: string | string[]) => (Array.isArray(c) ? c.join(" ") : c));

function runChecker(files: string[]): { status: number; problems: Record<string, string[]> } {
  const r = spawnSync(PYTHON, [CHECKER, ...files], { encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`check-cloud-config.py failed: ${r.stderr}`);
  return { status: r.status, problems: JSON.parse(r.stdout) };
}

describe("every role's user-data", () => {
  const dir = tempDir("factory-userdata-");
  const files = RENDERED.map((r) => {
    const file = path.join(dir, `${r.name}.yaml`);
    writeFileSync(file, r.text);
    return file;
  });
  // documents the checker must reject, checked in the same (single) Python run
  const bad = path.join(dir, "bad.yaml");
  writeFileSync(bad, "#cloud-config\nruncmd: reboot\nrun_cmd: [reboot]\n");
  const headless = path.join(dir, "headless.yaml");
  writeFileSync(headless, "packages: [git]\n");
  let checked: ReturnType<typeof runChecker> | undefined;
  const check = () => (checked ??= runChecker([...files, bad, headless]));

  test("covers every server of the example and the maximal environment", () => {
    expect(RENDERED.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "example-jump-0",
        "example-nfs",
        "example-jenkins",
        "example-web-0",
        "example-build-host-kiwi",
        "example-build-host-dib",
        "maximal-jump-2",
        "maximal-build-host-dib-large",
      ]),
    );
  });

  test("passes cloud-init's schema, with no unknown top-level key and nothing deprecated", () => {
    const { problems } = check();
    const failing = Object.fromEntries(files.map((f) => [f, problems[f]]).filter(([, p]) => p.length > 0));
    expect(failing).toEqual({});
    expect(files.every((f) => Array.isArray(problems[f]))).toBe(true);
  });

  test("the checker rejects a wrong type, an unknown top-level key and a missing header", () => {
    const { status, problems } = check();
    expect(status).toBe(1);
    expect(problems[bad].join("\n")).toMatch(/runcmd: 'reboot' is not of type 'array'/);
    expect(problems[bad].join("\n")).toMatch(/run_cmd: unknown top-level key/);
    expect(problems[headless].join("\n")).toMatch(/#cloud-config/);
  });

  test("the `cloud-init schema` command accepts it too", () => {
    const r = spawnSync("cloud-init", ["schema", "--config-file", files[RENDERED.findIndex((x) => x.name === "maximal-jenkins")]], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Valid cloud-config/);
  });

  test("fits Nova's 65,535-byte user_data limit, as readable text", () => {
    for (const r of RENDERED) {
      expect(r.text.startsWith("#cloud-config\n")).toBe(true);
      expect({ name: r.name, fits: Buffer.byteLength(r.text) <= NOVA_USER_DATA_LIMIT }).toEqual({ name: r.name, fits: true });
    }
  });

  test("carries no private key, password or token", () => {
    for (const r of RENDERED) expect({ name: r.name, secrets: findSecrets(r.text) }).toEqual({ name: r.name, secrets: [] });
  });

  test("logs nobody in with a password, and the admins in as `factory` with their keys", () => {
    for (const r of RENDERED) {
      const doc = docOf(r.name);
      expect(doc.ssh_pwauth).toBe(false);
      expect(doc.disable_root).toBe(true);
      expect(doc.users).not.toContain("default");
      for (const user of doc.users) expect(user.lock_passwd).toBe(true);
      const admin = doc.users.find((u: any) => u.name === "factory");
      expect(admin.ssh_authorized_keys).toEqual(r.env.admin.sshPublicKeys);
      expect(admin.sudo).toBe("ALL=(ALL) NOPASSWD:ALL");
      // every step must succeed, and the marker comes last
      expect(doc.runcmd[0]).toBe("set -e");
      expect(commands(doc).at(-1)).toBe(`install -D -m 0644 /dev/null ${FIRST_BOOT_MARKER}`);
      expect(doc.package_upgrade).toBe(false);
    }
  });

  test("hardens sshd and the network stack", () => {
    const doc = docOf("example-web-0");
    const sshd = fileIn(doc, "/etc/ssh/sshd_config.d/10-factory-hardening.conf");
    for (const line of ["PermitRootLogin no", "PasswordAuthentication no", "KbdInteractiveAuthentication no"])
      expect(sshd.split("\n")).toContain(line);
    expect(sshd).not.toMatch(/cbc|sha1|md5|diffie-hellman-group1-|diffie-hellman-group14-sha1/i);
    const sysctl = fileIn(doc, "/etc/sysctl.d/60-factory-hardening.conf");
    for (const line of [
      "net.ipv4.conf.all.accept_redirects = 0",
      "net.ipv4.conf.all.send_redirects = 0",
      "net.ipv4.icmp_echo_ignore_broadcasts = 1",
      "net.ipv4.conf.all.accept_source_route = 0",
    ]) {
      expect(sysctl.split("\n")).toContain(line);
    }
    expect(commands(doc)).toContain("/usr/local/lib/factory/harden-sshd.sh");
  });

  test("installs every script it runs, byte for byte, and every script passes shellcheck", () => {
    for (const r of RENDERED) {
      const doc = docOf(r.name);
      const installed = new Map<string, any>(doc.write_files.map((w: any) => [w.path, w]));
      for (const cmd of doc.runcmd.filter(Array.isArray)) {
        if (!cmd[0].startsWith("/usr/local/lib/factory/")) continue;
        const file = installed.get(cmd[0]);
        expect({ doc: r.name, script: cmd[0], installed: Boolean(file) }).toEqual({ doc: r.name, script: cmd[0], installed: true });
        expect(file.permissions).toBe("0755");
        expect(file.content).toBe(scriptText(path.basename(cmd[0], ".sh")));
      }
    }
    // scripts called by scripts are installed next to them
    const jenkins = docOf("maximal-jenkins").write_files.map((w: any) => w.path);
    expect(jenkins).toContain("/usr/local/lib/factory/jenkins-admin-password.sh");
    expect(scriptText("jenkins-bootstrap")).toContain('"$(dirname "$0")/jenkins-admin-password.sh"');
    const scripts = scriptFiles();
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    for (const s of scripts) {
      const text = readFileSync(s, "utf8");
      expect(text.startsWith("#!/usr/bin/env bash\n")).toBe(true);
      expect(text).toMatch(/^set -euo pipefail$/m);
    }
    const r = spawnSync("shellcheck", ["--shell=bash", ...scripts], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("asks sshd only for algorithms the OpenSSH of Debian 12 knows", () => {
    const sshd = fileIn(docOf("example-jump-0"), "/etc/ssh/sshd_config.d/10-factory-hardening.conf");
    for (const [keyword, kind] of [
      ["KexAlgorithms", "kex"],
      ["Ciphers", "cipher"],
      ["MACs", "mac"],
    ]) {
      const wanted = sshd.match(new RegExp(`^${keyword} (.+)$`, "m"))![1].split(",");
      const known = spawnSync("ssh", ["-Q", kind], { encoding: "utf8" }).stdout.split("\n");
      expect({ keyword, unknown: wanted.filter((w) => !known.includes(w)) }).toEqual({ keyword, unknown: [] });
    }
  });

  test("uses mirrors and time servers when configured, the distribution's otherwise", () => {
    const example = docOf("example-jump-0");
    expect(example.apt).toBeUndefined();
    expect(example.ntp).toEqual({ enabled: true });
    const maximal = docOf("maximal-jump-0");
    expect(maximal.apt.primary).toEqual([{ arches: ["default"], uri: "https://mirror.example.org/debian" }]);
    expect(maximal.apt.security).toEqual([{ arches: ["default"], uri: "https://mirror.example.org/debian-security" }]);
    expect(maximal.ntp.servers).toEqual(["ntp1.example.org", "192.0.2.123"]);
    // zypper build hosts get no apt configuration
    expect(docOf("maximal-build-host-kiwi").apt).toBeUndefined();
  });
});

describe("Terraform tokens", () => {
  const env = load(MAXIMAL);
  const longToken = "${TfToken[TOKEN.12]}";
  const key = "${TfToken[TOKEN.7]}";

  test("reach the YAML unchanged, never folded or split", () => {
    const template = env.buildHosts.templates[0];
    const wide = `ssh-ed25519 ${"A".repeat(200)} ${key}`;
    const text = renderUserData(ctxOf(env), { role: "build-host", template, agentPublicKey: wide });
    expect(text).toContain(`- ssh-ed25519 ${"A".repeat(200)} ${key}\n`);
    const agent = parse(text).users.find((u: any) => u.name === "agent");
    expect(agent.ssh_authorized_keys).toEqual([wide]);
  });

  test("shell's own ${...} is escaped for Terraform, tokens are not", () => {
    const template = env.buildHosts.templates[0];
    const text = renderUserData(ctxOf(env), { role: "build-host", template, agentPublicKey: key });
    expect(text).toContain(`- ${key}\n`);
    expect(text).toContain('if [ "$${#kept[@]}" -eq 0 ]; then');
    expect(text).not.toMatch(/(?<!\$)\$\{(?!TfToken\[)/);
    expect(unescapeTerraform(text)).toBe(renderUserDataText(ctxOf(env), { role: "build-host", template, agentPublicKey: key }));
  });

  test("a token volume id is cut to its virtio serial by Terraform; a given serial is used as is", () => {
    const doc = parse(renderUserData(ctxOf(env), { role: "nfs", dataVolumeId: longToken, dataDiskSerial: "${TfToken[TOKEN.13]}" }));
    expect(doc.fs_setup[0].device).toBe("/dev/disk/by-id/virtio-${TfToken[TOKEN.13]}");
    expect(doc.mounts[0][0]).toBe("/dev/disk/by-id/virtio-${TfToken[TOKEN.13]}");
  });
});

// Both environments synthesized once, shared by the tests below.
let synthesized: Array<[string, string]> | undefined;
const synthesizedStacks = () => (synthesized ??= ENVIRONMENTS.flatMap((env) => [...synthEnvironment(env)]));

describe("synthesized user_data", () => {
  const all = synthesizedStacks().flatMap(([stack, json]) =>
    Object.entries<any>(JSON.parse(json).resource?.openstack_compute_instance_v2 ?? {}).map(([id, r]) => ({
      stack,
      id,
      userData: r.user_data as string,
    })),
  );

  test("is every server's, and Terraform reads only its own expressions in it", () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const { stack, id, userData } of all) {
      const expressions = userData.match(/(?<!\$)\$\{[^}]*\}/g) ?? [];
      for (const e of expressions)
        expect({
          stack,
          id,
          e,
          ok: /^\$\{(var\.[a-z_]+|substr\((data\.terraform_remote_state\.[^,]+|openstack_blockstorage_volume_v3\.[^.,]+\.id), 0, 20\))\}$/.test(
            e,
          ),
        }).toEqual({ stack, id, e, ok: true });
      expect(userData).not.toMatch(/(?<!%)%\{/);
    }
  });

  test("finds the NFS data volume by Terraform's substr of its id, and is what `factory render` shows otherwise", () => {
    const env = load(EXAMPLE);
    const nfs = all.find((i) => i.stack === "example-factory" && i.id.startsWith("nfs"))!;
    const doc = parse(unescapeTerraform(nfs.userData));
    expect(doc.fs_setup[0].device).toMatch(
      /^\/dev\/disk\/by-id\/virtio-\$\{substr\(data\.terraform_remote_state\..*nfs-data.*, 0, 20\)\}$/,
    );
    const jump = all.find((i) => i.stack === "example-factory" && i.id.startsWith("jump-hosts_jump-1"))!;
    expect(unescapeTerraform(jump.userData)).toBe(renderUserDataText(ctxOf(env), { role: "jump", index: 1 }));
  });
});

describe("roles", () => {
  test("jump hosts with egress: router run nothing but sshd", () => {
    const doc = docOf("example-jump-0");
    expect(doc.packages ?? []).toEqual([]);
    expect(commands(doc)).toContain("/usr/local/lib/factory/check-listeners.sh tcp:22");
    expect(doc.write_files.map((w: any) => w.path)).not.toContain("/etc/nftables.conf");
  });

  test("jump hosts with egress: jump masquerade the subnet and share the VIP over unicast VRRP", () => {
    const env = load(MAXIMAL);
    const { plan } = resolveFactory(env);
    const doc = docOf("maximal-jump-1");
    expect(doc.packages).toEqual(expect.arrayContaining(["nftables", "keepalived"]));
    const nft = fileIn(doc, "/etc/nftables.conf");
    expect(nft).toContain(`ip saddr ${plan.cidr.text} ip daddr != ${plan.cidr.text} masquerade`);
    expect(nft).toMatch(/type filter hook forward priority filter; policy drop;/);
    expect(fileIn(doc, "/etc/sysctl.d/61-factory-egress.conf")).toMatch(/^net\.ipv4\.ip_forward = 1$/m);
    const keepalived = fileIn(doc, "/etc/keepalived/keepalived.conf.in");
    expect(keepalived).toContain(`unicast_src_ip ${plan.jump[1]}`);
    expect(keepalived).toContain(`\t\t${plan.jump[0]}\n\t\t${plan.jump[2]}\n`);
    expect(keepalived).toContain(`${plan.egressVip}/22 dev @INTERFACE@`);
    expect(commands(doc)).toContain(`/usr/local/lib/factory/egress-gateway.sh ${plan.jump[1]}`);
    expect(() => renderUserData(ctxOf(env), { role: "jump", index: 3 })).toThrow(/index 3/);
  });

  test("with egress: jump, a jump host's own traffic leaves via the router, though DHCP's default route is the VIP (run in a network namespace)", () => {
    const { plan } = resolveFactory(load(MAXIMAL));
    const doc = docOf("maximal-jump-0");
    const route: string[] = doc.bootcmd.find((c: string[]) => c.includes("egress-route"));
    // before the packages module (it needs the network), and every boot: bootcmd
    expect(route.slice(-2)).toEqual(["egress-route", plan.router]);
    expect(fileIn(doc, "/etc/systemd/networkd.conf.d/60-factory-egress.conf")).toContain("ManageForeignRoutingPolicyRules=no");
    // The interface as Neutron's DHCP leaves it: option 121 sets the default route via the
    // subnet's gateway, the VIP. The route command runs twice, as on a second boot.
    const script = [
      "set -e",
      "ip link add eth0 type veth peer name peer0",
      `ip addr add ${plan.jump[0]}/${plan.cidr.prefix} dev eth0`,
      "ip link set eth0 up; ip link set peer0 up",
      `ip route add default via ${plan.egressVip} dev eth0`,
      'run() { "$@" >/dev/null; }',
      'run "$@"; run "$@"',
      "ip -o route get 198.51.100.1; ip -o route get " + plan.nfs + "; ip rule show",
    ].join("\n");
    const r = spawnSync("unshare", ["--net", "sh", "-c", script, "netns", ...route], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const [outbound, local, ...rules] = r.stdout.trim().split("\n");
    expect(outbound).toMatch(new RegExp(`^198\\.51\\.100\\.1 via ${plan.router.replace(/\./g, "\\.")} dev eth0 `));
    expect(local).toMatch(new RegExp(`^${plan.nfs.replace(/\./g, "\\.")} dev eth0 `)); // the subnet stays on-link
    expect(rules.filter((l) => /^100[01]:/.test(l))).toEqual([
      "1000:\tfrom all lookup main suppress_prefixlength 0",
      "1001:\tfrom all lookup 100",
    ]);
  });

  test("with egress: router, jump hosts keep the route DHCP gives (the router)", () => {
    expect((docOf("example-jump-0").bootcmd ?? []).some((c: string[]) => c.includes("egress-route"))).toBe(false);
  });

  test("with egress: jump, servers behind the jump hosts wait for the egress VIP before installing packages, once", () => {
    for (const name of ["maximal-nfs", "maximal-jenkins", "maximal-build-host-dib"]) {
      const wait = docOf(name).bootcmd.find((c: string[]) => c.includes("wait-for-egress"));
      expect(wait.slice(0, 3)).toEqual(["cloud-init-per", "instance", "wait-for-egress"]);
      expect(wait.at(-1)).toBe("10.40.0.4");
    }
    for (const name of ["example-nfs", "maximal-jump-0", "maximal-web-0"]) {
      expect((docOf(name).bootcmd ?? []).some((c: string[]) => c.includes("wait-for-egress"))).toBe(false);
    }
  });

  test("the jump hosts' nftables ruleset and keepalived configuration pass their own checkers", () => {
    const doc = docOf("maximal-jump-1");
    const dir = tempDir("factory-egress-");
    const nftFile = path.join(dir, "nftables.conf");
    writeFileSync(nftFile, fileIn(doc, "/etc/nftables.conf"));
    const nft = spawnSync("nft", ["--check", "--file", nftFile], { encoding: "utf8" });
    expect(nft.stderr).toBe("");
    expect(nft.status).toBe(0);
    // keepalived wants a real, non-loopback interface where egress-gateway.sh puts the jump host's
    const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).stdout;
    const iface = links
      .split("\n")
      .map((l) => l.split(": ")[1]?.split("@")[0])
      .find((n) => n && n !== "lo");
    expect(iface).toBeDefined();
    const kaFile = path.join(dir, "keepalived.conf");
    writeFileSync(kaFile, fileIn(doc, "/etc/keepalived/keepalived.conf.in").replace(/@INTERFACE@/g, iface!));
    const ka = spawnSync("keepalived", ["--config-test", "--use-file", kaFile], { encoding: "utf8" });
    expect(ka.stderr).toBe("");
    expect(ka.status).toBe(0);
  });

  test("the NFS server formats only a blank data volume, found by its virtio serial, and exports to the subnet only", () => {
    const doc = docOf("maximal-nfs");
    const device = `/dev/disk/by-id/virtio-${VOLUME_ID.slice(0, 20)}`;
    expect(doc.fs_setup).toEqual([{ label: "factory-data", filesystem: "ext4", device, partition: "auto", overwrite: false }]);
    expect(doc.mounts).toContainEqual([device, "/srv/factory", "ext4", expect.stringContaining("nofail"), "0", "2"]);
    expect(doc.bootcmd.some((c: string[]) => c.at(-1) === device)).toBe(true);
    const exportsFile = fileIn(doc, "/etc/exports.d/factory.exports");
    expect(exportsFile).toContain("/srv/factory/images 10.40.0.0/22(rw,sync,root_squash,no_subtree_check,sec=sys)");
    expect(exportsFile).toContain("/srv/factory/builds 10.40.0.0/22(");
    expect(exportsFile).not.toContain("/srv/factory/git ");
    expect(fileIn(doc, "/etc/nfs.conf.d/factory.conf")).toMatch(/^vers2=n\nvers3=n$/m);
    expect(commands(doc)).toContain("/usr/local/lib/factory/check-listeners.sh tcp:22 tcp:2049");
  });

  test("Jenkins installs from the configured repository with a pinned key and hands over to the jobs repository", () => {
    const env = load(MAXIMAL);
    const doc = docOf("maximal-jenkins");
    const run = commands(doc);
    expect(run).toContain(
      "/usr/local/lib/factory/trusted-apt-repo.sh jenkins https://mirror.example.org/jenkins/debian-stable binary/  https://mirror.example.org/keys/jenkins.io-2026.key 7198F4B714ABFC68",
    );
    expect(run).toContain(
      "/usr/local/lib/factory/trusted-apt-repo.sh hashicorp https://mirror.example.org/hashicorp @codename@ main https://mirror.example.org/hashicorp/gpg 798AEC654E5C15428C8E42EEAA16FCBCA621E701",
    );
    // ...and the pinned Jenkins version, so a recreated controller runs the same Jenkins.
    expect(run).toContain(
      `/usr/local/lib/factory/jenkins-bootstrap.sh ${env.jenkins.jobsRepo.url} production ${env.jenkins.pluginCli.url} ${env.jenkins.pluginCli.sha256} 2.555.3`,
    );
    const dropIn = fileIn(doc, "/etc/systemd/system/jenkins.service.d/factory.conf");
    for (const line of [
      // with ldap: the LDAP realm's file, and a JVM trust store that has the directory's CA
      'Environment="CASC_JENKINS_CONFIG=/var/lib/jenkins/factory-repo/jobs/jenkins/casc.yaml,/var/lib/jenkins/factory-repo/jobs/jenkins/security-ldap.yaml"',
      'Environment="JAVA_OPTS=-Djava.awt.headless=true -Djenkins.install.runSetupWizard=false -Djavax.net.ssl.trustStore=/var/lib/jenkins/ldap-truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit"',
      "ExecStartPre=/usr/local/lib/factory/jenkins-ldap-truststore.sh /etc/factory/ldap-ca.pem /var/lib/jenkins/ldap-truststore.p12",
      'Environment="FACTORY_LDAP_SERVER=ldaps://ldap1.example.org ldaps://ldap2.example.org:1636"',
      'Environment="FACTORY_LDAP_ROOT_DN=dc=example,dc=org"',
      'Environment="FACTORY_LDAP_USER_SEARCH=(&(objectClass=posixAccount)(uid={0})(&(objectClass=posixAccount)(!(loginShell=/usr/sbin/nologin))))"',
      // the escaped comma of the DN survives systemd's quoting
      'Environment="FACTORY_LDAP_BIND_DN=cn=Image Factory\\\\, reader,ou=services,dc=example,dc=org"',
      'Environment="FACTORY_LDAP_ADMINS=factory-admins"',
      'Environment="FACTORY_LDAP_USERS=factory-users"',
      'Environment="FACTORY_ENV=maximal"',
      'Environment="FACTORY_CLOUD=factory-prod"',
      'Environment="FACTORY_REGION=RegionOne"',
      'Environment="FACTORY_NFS=10.40.0.6"',
      `Environment="FACTORY_JOBS_REPO_URL=${env.jenkins.jobsRepo.url}"`,
      'Environment="FACTORY_JOBS_REPO_BRANCH=production"',
      // an ssh URL: the first boot's deploy key, for JCasC, the seed, library and Jenkinsfile alike
      'Environment="FACTORY_JOBS_REPO_CREDENTIALS=jobs-repo-deploy-key"',
      // jenkins.url (given without its slash) and jenkins.mail
      'Environment="FACTORY_JENKINS_URL=https://jenkins.example.org/factory/"',
      'Environment="FACTORY_ADMIN_EMAIL=Image Factory <images@example.org>"',
      'Environment="FACTORY_SMTP_HOST=smtp.example.org"',
      'Environment="FACTORY_SMTP_PORT=2587"',
      'Environment="FACTORY_SMTP_USE_TLS=true"',
      'Environment="FACTORY_SMTP_USE_SSL=false"',
      'Environment="FACTORY_SMTP_USERNAME=image-factory"',
      'Environment="FACTORY_SMTP_CREDENTIALS=smtp"',
      'Environment="FACTORY_TEAM_EMAIL=image-team@example.org"',
      "ExecStartPre=/usr/local/lib/factory/jenkins-credential-files.sh /var/lib/jenkins/secrets/factory",
    ]) {
      expect(dropIn.split("\n")).toContain(line);
    }
    expect(doc.packages).toEqual(
      expect.arrayContaining([
        "openjdk-21-jre-headless",
        "git",
        "python3-openstackclient",
        "iperf3",
        "nfs-common",
        "rsync",
        "openssh-client",
      ]),
    );
    // What the build records and the report import (jobs/stats) is there, and the tests run them with the same.
    expect(doc.packages).toEqual(expect.arrayContaining([...STATS_PACKAGES]));
    const unit = readRequirements()
      .filter((r) => r.suite === "unit")
      .map((r) => r.debianPackage);
    expect(unit).toEqual(expect.arrayContaining([...STATS_PACKAGES]));
    expect(doc.mounts).toContainEqual([
      "10.40.0.6:/srv/factory/images",
      "/srv/factory/images",
      "nfs4",
      expect.stringContaining("x-systemd.automount"),
      "0",
      "0",
    ]);
    expect(doc.mounts).toContainEqual([
      "10.40.0.6:/srv/factory/builds",
      "/srv/factory/builds",
      "nfs4",
      expect.stringContaining("_netdev"),
      "0",
      "0",
    ]);
    // Build hosts write the shares: on the controller nothing there runs or redirects a path.
    for (const dir of ["/srv/factory/images", "/srv/factory/builds"]) {
      const options = doc.mounts.find((m: string[]) => m[1] === dir)[3].split(",");
      expect(options).toEqual(expect.arrayContaining(["noexec", "nosuid", "nodev", "nosymfollow"]));
    }
    expect(fileIn(doc, "/etc/systemd/system/factory-iperf3.service")).toContain("--port 5201");
    // the home volume of the maximal environment holds JENKINS_HOME
    expect(doc.mounts).toContainEqual([
      expect.stringMatching(/^\/dev\/disk\/by-id\/virtio-/),
      "/var/lib/jenkins",
      "ext4",
      expect.any(String),
      "0",
      "2",
    ]);
    expect(doc.users.find((u: any) => u.name === "jenkins").uid).toBe(ROLES.jenkins.user.uid);
    // secrets are made on the server, at the paths JCasC reads
    const bootstrap = scriptText("jenkins-bootstrap");
    expect(bootstrap).toContain("password_file=/root/jenkins-admin-password");
    expect(bootstrap).toContain("hash_file=$home/secrets/factory-admin.bcrypt");
    expect(bootstrap).toContain("build_host_key=$ssh_dir/build-host");
    expect(bootstrap).toContain("home=/var/lib/jenkins");
    expect(bootstrap).toContain("$home/.ssh");
    // JENKINS_HOME is on its volume by default (servers.jenkins.homeVolumeGb)
    expect(docOf("example-jenkins").mounts).toContainEqual([
      `/dev/disk/by-id/virtio-${VOLUME_ID.slice(0, 20)}`,
      "/var/lib/jenkins",
      "ext4",
      expect.any(String),
      "0",
      "2",
    ]);
    const exampleDropIn = fileIn(docOf("example-jenkins"), "/etc/systemd/system/jenkins.service.d/factory.conf").split("\n");
    expect(exampleDropIn).toContain('Environment="FACTORY_JOBS_REPO_CREDENTIALS="');
    // without ldap: Jenkins' own admin, Java's own trust store
    expect(exampleDropIn).toContain(
      'Environment="CASC_JENKINS_CONFIG=/var/lib/jenkins/factory-repo/jobs/jenkins/casc.yaml,/var/lib/jenkins/factory-repo/jobs/jenkins/security-local.yaml"',
    );
    expect(exampleDropIn).toContain('Environment="JAVA_OPTS=-Djava.awt.headless=true -Djenkins.install.runSetupWizard=false"');
  });

  test("Jenkins without jenkins.mail: links through the admins' tunnel, no relay, and the first boot warns", () => {
    const doc = docOf("example-jenkins");
    const dropIn = fileIn(doc, "/etc/systemd/system/jenkins.service.d/factory.conf").split("\n");
    expect(dropIn).toContain('Environment="FACTORY_JENKINS_URL=http://localhost:8080/"');
    for (const name of ["ADMIN_EMAIL", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_CREDENTIALS", "TEAM_EMAIL"])
      expect(dropIn).toContain(`Environment="FACTORY_${name}="`);
    expect(dropIn).toContain('Environment="FACTORY_SMTP_USE_TLS=false"');
    const warning =
      "jenkins: WARNING: no SMTP relay (jenkins.mail is not set in environment example): Jenkins sends no e-mail; each build's log says so. Links point at http://localhost:8080/.";
    // after the bootstrap, so it is among the last lines of the first boot's output
    const run = commands(doc);
    expect(run.indexOf(`echo ${warning}`)).toBeGreaterThan(run.findIndex((c) => c.includes("jenkins-bootstrap.sh")));
    expect(commands(docOf("maximal-jenkins")).some((c) => c.includes("WARNING"))).toBe(false);
  });

  test("every FACTORY_* variable the JCasC files read is one the drop-in sets, and the drop-in sets nothing else", () => {
    for (const name of ["example-jenkins", "maximal-jenkins"]) {
      const dropIn = fileIn(docOf(name), "/etc/systemd/system/jenkins.service.d/factory.conf").split("\n");
      const files = /^Environment="CASC_JENKINS_CONFIG=(.*)"$/.exec(dropIn.find((l) => l.includes("CASC_JENKINS_CONFIG="))!)![1].split(",");
      expect(files.map((f) => path.basename(f))).toEqual([
        "casc.yaml",
        name.startsWith("maximal") ? "security-ldap.yaml" : "security-local.yaml",
      ]);
      const casc = files.map((f) => readFileSync(path.join(REPO, "jobs", "jenkins", path.basename(f)), "utf8")).join("\n");
      const read = new Set([...casc.matchAll(/\$\{(FACTORY_[A-Z_]+)(:-[^}]*)?\}/g)].map((m) => m[1]));
      const set = dropIn.map((l) => /^Environment="(FACTORY_[A-Z_]+)=/.exec(l)?.[1]).filter((v): v is string => v !== undefined);
      expect([name, [...set].sort()]).toEqual([name, [...read].sort()]);
    }
  });

  test("web servers serve the image tree read-only and let the publish keys rsync into it only", () => {
    const doc = docOf("maximal-web-0");
    const publish = doc.users.find((u: any) => u.name === "publish");
    expect(publish.ssh_authorized_keys).toEqual(
      load(MAXIMAL).web!.publishKeys.map((k) => `restrict,command="/usr/bin/rrsync -wo -munge /srv/www/images" ${k}`),
    );
    const site = fileIn(doc, "/etc/nginx/sites-available/factory-images");
    expect(site).toContain("server_name images.example.org;");
    expect(site).toContain("root /srv/www/images;");
    expect(site).toContain("autoindex on;");
    expect(site).toContain("gzip_types image/svg+xml;");
    expect(site).toMatch(/limit_except GET \{ deny all; \}/);
    // no publish key yet: the user exists without keys rather than an invalid empty list
    expect(docOf("example-web-0").users.find((u: any) => u.name === "publish").ssh_authorized_keys).toBeUndefined();
  });

  test("build hosts get their template's tooling and only the agent key passed at spawn time", () => {
    const kiwi = docOf("maximal-build-host-kiwi");
    expect(kiwi.packages).toEqual(
      expect.arrayContaining(["python3-kiwi", "qemu-tools", "gpg2", "md5deep", "java-21-openjdk-headless", "nfs-client"]),
    );
    const dib = docOf("maximal-build-host-dib");
    expect(dib.packages).toEqual(
      expect.arrayContaining(["python3-diskimage-builder", "qemu-utils", "gnupg", "hashdeep", "openjdk-21-jre-headless", "nfs-common"]),
    );
    expect(docOf("maximal-build-host-dib-large").packages).toContain("openjdk-21-jdk-headless");
    for (const doc of [kiwi, dib]) {
      const agent = doc.users.find((u: any) => u.name === "agent");
      expect(agent.ssh_authorized_keys).toEqual([AGENT_KEY]);
      expect(agent.uid).toBe(ROLES.buildHost.user.uid);
      expect(doc.mounts.map((m: string[]) => m[1])).toEqual(expect.arrayContaining(["/srv/factory/images", "/srv/factory/builds"]));
    }
    // scratch volume only where the template has one
    expect(kiwi.mounts.some((m: string[]) => m[1] === "/srv/scratch")).toBe(true);
    expect(dib.mounts.some((m: string[]) => m[1] === "/srv/scratch")).toBe(false);
  });
});

describe("helpers", () => {
  test("systemd Environment= lines escape quotes, backslashes and % specifiers", () => {
    expect(systemdEnvironment("URL", 'https://h/a%20b"c\\d')).toBe('Environment="URL=https://h/a%%20b\\"c\\\\d"');
    expect(() => systemdEnvironment("X", "a\nb")).toThrow(/line break/);
  });

  test("the secret scan finds private keys, passwords, hashes and tokens", () => {
    expect(findSecrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n")).toEqual(["PEM/OpenSSH private key"]);
    expect(findSecrets("users:\n  - name: x\n    passwd: $6$rounds=4096$abcdefghijklmnopqrstuv")).toContain("cloud-init password key");
    expect(findSecrets("#jbcrypt:$2a$12$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQ")).toEqual(["crypt(3) password hash"]);
    expect(findSecrets("OS_PASSWORD=hunter2hunter2")).toEqual(["password assignment"]);
    expect(findSecrets("url: https://bob:s3cret@git.example.com/r.git")).toEqual(["URL with a password"]);
    expect(
      findSecrets(
        `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky admin@example\npassword_file=/root/jenkins-admin-password`,
      ),
    ).toEqual([]);
  });

  test("trusted-apt-repo.sh trusts only the pinned primary key and writes a deb822 source", () => {
    const script = scriptFiles().find((f) => f.endsWith("trusted-apt-repo.sh"))!;
    const keys = "file:///usr/share/keyrings/debian-archive-keyring.gpg";
    const run = (pin: string) => {
      const aptDir = tempDir("factory-apt-");
      const r = spawnSync("bash", [script, "debian", "https://deb.example.org/debian", "@codename@", "main", keys, pin], {
        encoding: "utf8",
        env: { ...process.env, APT_DIR: aptDir },
      });
      return { ...r, aptDir };
    };
    const ok = run("73A4 F27B 8DD4 7936");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const sources = readFileSync(path.join(ok.aptDir, "sources.list.d", "debian.sources"), "utf8");
    expect(sources).toMatch(
      /^Types: deb\nURIs: https:\/\/deb\.example\.org\/debian\nSuites: [a-z]+\nComponents: main\nSigned-By: .*\/keyrings\/debian\.gpg\n$/,
    );
    const listed = spawnSync("gpg", ["--batch", "--with-colons", "--show-keys", path.join(ok.aptDir, "keyrings", "debian.gpg")], {
      encoding: "utf8",
      env: { ...process.env, GNUPGHOME: tempDir("factory-gnupg-") },
    });
    expect(listed.stdout.split("\n").filter((l) => l.startsWith("pub:"))).toHaveLength(1);
    expect(listed.stdout).toContain("1F89983E0081FDE018F3CC9673A4F27B8DD47936");
    // a subkey's id or an unknown key is not the pinned primary key
    for (const pin of ["0E98404D386FA1D9", "798AEC654E5C15428C8E42EEAA16FCBCA621E701"]) {
      const bad = run(pin);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/refusing to trust it/);
    }
  });

  test("harden-sshd.sh includes the drop-in, drops algorithms the local OpenSSH lacks, and checks the result", () => {
    const bin = tempDir("factory-fake-ssh-");
    const fake = (name: string, body: string) => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    // an OpenSSH without sntrup761 and umac
    fake(
      "ssh",
      'case "$2" in kex) printf "curve25519-sha256\\ncurve25519-sha256@libssh.org\\ndiffie-hellman-group16-sha512\\n";; cipher) printf "aes256-gcm@openssh.com\\naes256-ctr\\nchacha20-poly1305@openssh.com\\n";; mac) printf "hmac-sha2-512-etm@openssh.com\\nhmac-sha2-256-etm@openssh.com\\n";; esac',
    );
    fake("systemctl", "exit 0");
    const run = (effective: string) => {
      fake("sshd", `if [ "$1" = "-T" ]; then printf '${effective}'; fi`);
      const dir = tempDir("factory-ssh-");
      mkdirSync(path.join(dir, "sshd_config.d"));
      writeFileSync(path.join(dir, "sshd_config"), "Port 22\nPasswordAuthentication yes\n");
      writeFileSync(
        path.join(dir, "sshd_config.d", "10-factory-hardening.conf"),
        fileIn(docOf("example-jump-0"), "/etc/ssh/sshd_config.d/10-factory-hardening.conf"),
      );
      const script = scriptFiles().find((f) => f.endsWith("harden-sshd.sh"))!;
      const r = spawnSync("bash", [script], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SSH_DIR: dir },
      });
      return { ...r, dir };
    };
    const ok = run("permitrootlogin no\\npasswordauthentication no\\nkbdinteractiveauthentication no\\n");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(readFileSync(path.join(ok.dir, "sshd_config"), "utf8").split("\n")[0]).toBe("Include /etc/ssh/sshd_config.d/*.conf");
    const dropIn = readFileSync(path.join(ok.dir, "sshd_config.d", "10-factory-hardening.conf"), "utf8");
    expect(dropIn).toMatch(/^KexAlgorithms curve25519-sha256,curve25519-sha256@libssh\.org,diffie-hellman-group16-sha512$/m);
    expect(dropIn).toMatch(/^Ciphers chacha20-poly1305@openssh\.com,aes256-gcm@openssh\.com,aes256-ctr$/m);
    expect(dropIn).toMatch(/^MACs hmac-sha2-512-etm@openssh\.com,hmac-sha2-256-etm@openssh\.com$/m);
    // sshd must really apply the settings, or the boot fails
    const bad = run("permitrootlogin no\\npasswordauthentication yes\\nkbdinteractiveauthentication no\\n");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/sshd does not apply "passwordauthentication no"/);
  });

  test("jenkins-admin-password.sh leaves the password to root and a bcrypt hash Jenkins accepts, once", () => {
    const bin = tempDir("factory-python-");
    symlinkSync(PYTHON, path.join(bin, "python3")); // the server's python3, with python3-bcrypt
    const dir = tempDir("factory-jenkins-secrets-");
    const passwordFile = path.join(dir, "jenkins-admin-password");
    const hashFile = path.join(dir, "factory-admin.bcrypt");
    const owner = `${process.getuid!()}:${process.getgid!()}`;
    const script = scriptFiles().find((f) => f.endsWith("jenkins-admin-password.sh"))!;
    const run = () =>
      spawnSync("bash", [script, passwordFile, hashFile, owner], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
    const first = run();
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const password = readFileSync(passwordFile, "utf8");
    expect(password).toMatch(/^[A-Za-z0-9]{32}\n$/);
    expect(first.stdout).not.toContain(password.trim());
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const hash = readFileSync(hashFile, "utf8");
    expect(hash).toMatch(/^#jbcrypt:\$2a\$12\$[./A-Za-z0-9]{53}$/);
    expect(statSync(hashFile).mode & 0o777).toBe(0o400);
    const verify = spawnSync(PYTHON, [
      "-c",
      "import sys, bcrypt; sys.exit(0 if bcrypt.checkpw(sys.argv[1].encode(), sys.argv[2].encode()) else 1)",
      password.trim(),
      hash.slice("#jbcrypt:".length),
    ]);
    expect(verify.status).toBe(0);
    // a second run keeps what exists
    const second = run();
    expect(second.status).toBe(0);
    expect(readFileSync(hashFile, "utf8")).toBe(hash);
    expect(readFileSync(passwordFile, "utf8")).toBe(password);
    // Rotation: --set takes the new password on stdin, replaces the hash (the one source
    // JCasC applies at every start and reload) and removes the now invalid plaintext.
    const set = (input: string) =>
      spawnSync("bash", [script, "--set", passwordFile, hashFile, owner], {
        input,
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
    expect(set("short\n").status).toBe(1);
    expect(readFileSync(hashFile, "utf8")).toBe(hash);
    const rotated = set("a new long admin password\n");
    expect(rotated.stderr).toBe("");
    expect(rotated.status).toBe(0);
    expect(existsSync(passwordFile)).toBe(false);
    const newHash = readFileSync(hashFile, "utf8").slice("#jbcrypt:".length);
    expect(statSync(hashFile).mode & 0o777).toBe(0o400);
    const check = (pw: string) =>
      spawnSync(PYTHON, [
        "-c",
        "import sys, bcrypt; sys.exit(0 if bcrypt.checkpw(sys.argv[1].encode(), sys.argv[2].encode()) else 1)",
        pw,
        newHash,
      ]).status;
    expect(check("a new long admin password")).toBe(0);
    expect(check(password.trim())).toBe(1);
    // and a later first-boot run keeps the rotated hash, making no new plaintext
    expect(run().status).toBe(0);
    expect(existsSync(passwordFile)).toBe(false);
  });

  test("jenkins-credential-files.sh: a credential file the admin has not placed yet gets a logged placeholder, so JCasC (and Jenkins) still load", () => {
    const dir = tempDir("jenkins-credfiles-");
    const script = path.join(REPO, "userdata", "scripts", "jenkins-credential-files.sh");
    const start = (smtpUser = "") =>
      spawnSync("bash", [script, dir], { encoding: "utf8", env: { ...process.env, FACTORY_SMTP_USERNAME: smtpUser } });
    writeFileSync(path.join(dir, "web-publish-ssh"), "-----BEGIN OPENSSH PRIVATE KEY-----\n", { mode: 0o644 });
    const r = start();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`WARNING: ${dir}/image-signing-key.asc is missing: put the ASCII-armored GPG secret key`);
    expect(r.stderr).toContain(`WARNING: ${dir}/web-publish-ssh has mode 644, not 0400`);
    expect(readFileSync(path.join(dir, "image-signing-key.asc"), "utf8")).toMatch(/^MISSING: /);
    expect(statSync(path.join(dir, "image-signing-key.asc")).mode & 0o777).toBe(0o400);
    expect(readFileSync(path.join(dir, "web-publish-ssh"), "utf8")).toContain("BEGIN OPENSSH"); // a placed file is never touched
    // No SMTP login (no jenkins.mail.username): the empty password is right, and nothing is said.
    expect(readFileSync(path.join(dir, "smtp-password"), "utf8")).toBe("");
    expect(statSync(path.join(dir, "smtp-password")).mode & 0o777).toBe(0o400);
    expect(r.stderr).not.toContain("smtp-password");
    // With a login it is missed at every start until the admin fills it in.
    expect(start("image-factory").stderr).toContain(
      `WARNING: ${dir}/smtp-password is empty: put the password of SMTP user image-factory there`,
    );
    chmodSync(path.join(dir, "smtp-password"), 0o600);
    writeFileSync(path.join(dir, "smtp-password"), "relay secret");
    chmodSync(path.join(dir, "smtp-password"), 0o400);
    expect(start("image-factory").stderr).not.toContain("smtp-password");
    // Every file casc.yaml reads from that directory is one the script knows.
    const cascText = ["casc.yaml", "security-local.yaml", "security-ldap.yaml"]
      .map((f) => readFileSync(path.join(REPO, "jobs", "jenkins", f), "utf8"))
      .join("\n");
    const cascFiles = [...cascText.matchAll(/\/var\/lib\/jenkins\/secrets\/factory\/([\w.-]+)\}/g)].map((m) => m[1]);
    expect([...new Set(cascFiles)].sort()).toEqual(["image-signing-key.asc", "ldap-bind-password", "smtp-password", "web-publish-ssh"]);
    // The bind password's placeholder is empty (right with anonymous binds), missed only with a bind DN.
    expect(readFileSync(path.join(dir, "ldap-bind-password"), "utf8")).toBe("");
    expect(r.stderr).not.toContain("ldap-bind-password");
    const withBind = spawnSync("bash", [script, dir], {
      encoding: "utf8",
      env: { ...process.env, FACTORY_LDAP_BIND_DN: "cn=reader,dc=example,dc=org" },
    });
    expect(withBind.stderr).toContain(
      `WARNING: ${dir}/ldap-bind-password is empty: push the bind password of cn=reader,dc=example,dc=org (factory ldap-password)`,
    );
    for (const f of cascFiles) expect([f, statSync(path.join(dir, f)).isFile()]).toEqual([f, true]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("check-listeners.sh fails on any unexpected listener off loopback", () => {
    const bin = tempDir("factory-fake-bin-");
    const fake = (name: string, body: string) => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    fake("systemctl", "exit 1");
    const run = (listeners: string, ...allowed: string[]) => {
      fake("ss", `cat <<'EOF'\n${listeners}\nEOF`);
      return spawnSync("bash", [scriptFiles().find((f) => f.endsWith("check-listeners.sh"))!, ...allowed], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
    };
    const base = [
      "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*",
      "tcp LISTEN 0 128 [::]:22 [::]:*",
      "udp UNCONN 0 0 127.0.0.1:323 0.0.0.0:*",
      "udp UNCONN 0 0 [::1]:323 [::]:*",
      "udp UNCONN 0 0 0.0.0.0%ens3:68 0.0.0.0:*",
    ];
    expect(run(base.join("\n"), "tcp:22").status).toBe(0);
    const rpcbind = run([...base, "tcp LISTEN 0 4096 0.0.0.0:111 0.0.0.0:*"].join("\n"), "tcp:22");
    expect(rpcbind.status).toBe(1);
    expect(rpcbind.stderr).toContain("tcp 0.0.0.0:111");
    expect(run([...base, "tcp LISTEN 0 64 0.0.0.0:2049 0.0.0.0:*"].join("\n"), "tcp:22", "tcp:2049").status).toBe(0);
  });
});

describe("synthesized output", () => {
  test("carries no private key, password or token", () => {
    for (const [stack, json] of synthesizedStacks()) {
      expect({ stack, secrets: findSecrets(json) }).toEqual({ stack, secrets: [] });
    }
  });
});

// keep the temp files of the last run for people who want to read them
afterAll(() => {
  const out = path.join(tempDir("factory-userdata-sizes-"), "sizes.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(Object.fromEntries(RENDERED.map((r) => [r.name, Buffer.byteLength(r.text)])), null, 1));
});

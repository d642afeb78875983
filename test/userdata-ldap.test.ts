// LDAP logins in the user-data of every role (environment file: ldap), and the Jenkins side:
// the JCasC LDAP realm against the keys of the plugins' own sources, the JVM trust store,
// the break-glass switch. The directory itself: ldap-directory.test.ts; booted: test:boot.
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { resolveFactory } from "../config/factory-model";
import type { Environment } from "../config/schema";
import { renderUserDataText, type UserDataRequest } from "../userdata";
import { familyOf } from "../userdata/build-host";
import { APT_SSSD_PIN, BIND_PASSWORD_FILE, LDAP_CA_FILE, SSHD_LDAP_DROPIN, SSSD_CONF, SSSD_PACKAGES, SUDOERS_FILE } from "../userdata/ldap";
import { scriptFiles } from "../userdata/scripts";
import { findSecrets } from "../userdata/secret-scan";
import { EXAMPLE, maximalEnvironment, REPO, tempDir } from "./helpers";
import { parseEnvironment } from "../config/load";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky jenkins@build-host";
function requests(env: Environment): Array<[string, UserDataRequest]> {
  return [
    ["jump", { role: "jump", index: 0 }],
    ["nfs", { role: "nfs", dataVolumeId: "5f0c8b1e-93a2-4c1d-9e77-0123456789ab" }],
    ["jenkins", { role: "jenkins" }],
    ["web", { role: "web", index: 0 }],
    ...env.buildHosts.templates.map((template): [string, UserDataRequest] => [
      `build-host-${template.name}`,
      { role: "build-host", template, agentPublicKey: KEY },
    ]),
  ];
}
const docOf = (env: Environment, request: UserDataRequest) => parse(renderUserDataText(resolveFactory(env), request));
const file = (doc: any, p: string) => doc.write_files.find((w: any) => w.path === p);
const commands = (doc: any): string[] => doc.runcmd.map((c: string | string[]) => (Array.isArray(c) ? c.join(" ") : c));
const maximal = maximalEnvironment();
const example = parseEnvironment(EXAMPLE, readFileSync(EXAMPLE, "utf8")).env;

describe("LDAP logins on every server", () => {
  test("without ldap (the example) nothing changes: no sssd, no key command, no sudoers file", () => {
    for (const [name, request] of requests(example)) {
      const doc = docOf(example, request);
      expect([name, (doc.packages ?? []).filter((p: string) => p.includes("sss"))]).toEqual([name, []]);
      for (const p of [SSSD_CONF, SSHD_LDAP_DROPIN, SUDOERS_FILE]) expect([name, file(doc, p)]).toEqual([name, undefined]);
    }
  });

  test("every role gets sssd for its package family, the CA, the key command, the admins' sudo and the first-boot step", () => {
    for (const [name, request] of requests(maximal)) {
      const doc = docOf(maximal, request);
      const family = request.role === "build-host" ? familyOf(request.template) : "apt";
      expect([name, doc.packages]).toEqual([name, expect.arrayContaining([...SSSD_PACKAGES[family]])]);
      // apt: the sssd metapackage (every provider, Samba's libraries) may not come in as a recommendation
      expect([name, file(doc, APT_SSSD_PIN)?.content]).toEqual([
        name,
        family === "apt" ? expect.stringMatching(/^Package: sssd\nPin: version \*\nPin-Priority: -1\n$/m) : undefined,
      ]);
      // sssd.conf: root only, and written after the packages (Debian's sssd would start with it at installation)
      expect([name, file(doc, SSSD_CONF)]).toEqual([
        name,
        expect.objectContaining({ owner: "root:root", permissions: "0600", defer: true }),
      ]);
      expect(file(doc, LDAP_CA_FILE).content).toBe(maximal.ldap!.caCertificate.trimEnd() + "\n");
      expect(file(doc, SUDOERS_FILE)).toMatchObject({
        permissions: "0440",
        content: expect.stringContaining("%factory-admins ALL=(ALL:ALL) NOPASSWD: ALL\n"),
      });
      expect(commands(doc)).toContain(`/usr/local/lib/factory/ldap-logins.sh ${family} bind`);
      // the push command's script is on every server, and no password is anywhere
      expect(file(doc, "/usr/local/lib/factory/ldap-bind-password.sh")).toBeDefined();
      expect([name, findSecrets(renderUserDataText(resolveFactory(maximal), request))]).toEqual([name, []]);
      expect(file(doc, SSSD_CONF).content).not.toMatch(/authtok/);
      // local accounts (break-glass factory, jenkins, agent, publish) never go to the directory
      const filter = /^filter_users = (.*)$/m.exec(file(doc, SSSD_CONF).content)![1].split(", ");
      expect([name, filter]).toEqual([name, expect.arrayContaining(["root", "factory", ...doc.users.map((u: any) => u.name)])]);
    }
  });

  test("sshd asks sssd for people's keys, never for the break-glass user's", () => {
    const dropIn = file(docOf(maximal, { role: "jump", index: 0 }), SSHD_LDAP_DROPIN).content;
    expect(dropIn).toContain("AuthorizedKeysCommand /usr/bin/sss_ssh_authorizedkeys\nAuthorizedKeysCommandUser nobody\n");
    expect(dropIn).toMatch(/^Match User factory\n\tAuthorizedKeysCommand none\n$/m);
  });

  test("the sudoers file passes visudo", () => {
    const d = tempDir("factory-sudoers-");
    const f = path.join(d, "factory-ldap-admins");
    writeFileSync(f, file(docOf(maximal, { role: "web", index: 0 }), SUDOERS_FILE).content, { mode: 0o440 });
    const r = spawnSync("visudo", ["-c", "-q", "-f", f], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("anonymous binds: first boot starts sssd at once; sssd.conf names no bind DN", () => {
    const env = parseEnvironment(
      "anon.yaml",
      readFileSync(path.join(REPO, "test", "fixtures", "maximal.yaml"), "utf8").replace(/^  bind: .*\n/m, ""),
    ).env;
    const doc = docOf(env, { role: "jump", index: 0 });
    expect(commands(doc)).toContain("/usr/local/lib/factory/ldap-logins.sh apt anonymous");
    expect(file(doc, SSSD_CONF).content).not.toContain("ldap_default_bind_dn");
    expect(file(docOf(maximal, { role: "jump", index: 0 }), SSSD_CONF).content).toContain(
      `ldap_default_bind_dn = ${maximal.ldap!.bind!.dn}\n`,
    );
    expect(file(docOf(maximal, { role: "jump", index: 0 }), SSSD_CONF).content).toContain(`pushed into ${BIND_PASSWORD_FILE}`);
  });
});

describe("Jenkins with LDAP logins", () => {
  const casc = parse(readFileSync(path.join(REPO, "jobs", "jenkins", "security-ldap.yaml"), "utf8")).jenkins;
  // jobs/jenkins/casc-keys.txt: what tools/jenkins-casc-keys.py read from the plugins' sources
  const known = new Map<string, { symbols: string[]; keys: string[] }>();
  let permissions: string[] = [];
  for (const line of readFileSync(path.join(REPO, "jobs", "jenkins", "casc-keys.txt"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))) {
    const fields = Object.fromEntries(
      line
        .split(" ")
        .slice(2)
        .map((f) => f.split("=") as [string, string]),
    );
    if (fields.permissions) permissions = fields.permissions.split(",");
    else
      known.set(line.split(" ")[2], {
        symbols: fields.symbols === "-" ? [] : fields.symbols.split(","),
        keys: fields.keys === "-" ? [] : fields.keys.split(","),
      });
  }
  // JCasC's name of a describable without @Symbol: its class name less the extension point's (Configurator.normalize)
  const symbolOf = (cls: string, extensionPoint: string) => {
    const explicit = known.get(cls)!.symbols;
    if (explicit.length > 0) return explicit;
    const simple = cls
      .split(".")
      .at(-1)!
      .replace(new RegExp(`${extensionPoint}$`), "");
    return [simple === simple.toUpperCase() ? simple.toLowerCase() : simple[0].toLowerCase() + simple.slice(1)];
  };
  const keysOf = (cls: string) => known.get(cls)!.keys;
  const unknownKeys = (object: object, cls: string) => Object.keys(object).filter((k) => !keysOf(cls).includes(k));

  test("casc-keys.txt was read from the pinned plugins' sources", () => {
    const pins = new Map(
      readFileSync(path.join(REPO, "jobs", "jenkins", "plugins.txt"), "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => l.split(":") as [string, string]),
    );
    for (const line of readFileSync(path.join(REPO, "jobs", "jenkins", "casc-keys.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))) {
      const [plugin, at] = line.split(" ");
      expect([plugin, at.split("@")[0]]).toEqual([plugin, pins.get(plugin)]);
    }
    expect(known.size).toBeGreaterThanOrEqual(8);
  });

  test("the realm uses only keys the ldap plugin's classes take, by the names JCasC knows them", () => {
    const realmSymbols = symbolOf("hudson.security.LDAPSecurityRealm", "SecurityRealm");
    expect(realmSymbols).toContain("ldap");
    const realm = casc.securityRealm.ldap;
    expect(Object.keys(casc.securityRealm)).toEqual(["ldap"]);
    expect(unknownKeys(realm, "hudson.security.LDAPSecurityRealm")).toEqual([]);
    expect(unknownKeys(realm.cache, "hudson.security.LDAPSecurityRealm.CacheConfiguration")).toEqual([]);
    expect(realm.configurations).toHaveLength(1);
    const conf = realm.configurations[0];
    expect(unknownKeys(conf, "jenkins.security.plugins.ldap.LDAPConfiguration")).toEqual([]);
    expect(conf.server).toBeDefined(); // @NonNull in its constructor
    const strategy = Object.keys(conf.groupMembershipStrategy);
    expect(strategy).toEqual(
      symbolOf("jenkins.security.plugins.ldap.FromGroupSearchLDAPGroupMembershipStrategy", "LDAPGroupMembershipStrategy"),
    );
    expect(
      unknownKeys(conf.groupMembershipStrategy.fromGroupSearch, "jenkins.security.plugins.ldap.FromGroupSearchLDAPGroupMembershipStrategy"),
    ).toEqual([]);
    // CacheConfiguration clamps: size 10..1000, ttl 30..3600 s
    expect(realm.cache.size).toBeGreaterThanOrEqual(10);
    expect(realm.cache.ttl).toBeLessThanOrEqual(3600);
    // the bind password only from the credential file factory ldap-password writes
    expect(conf.managerPasswordSecret).toBe("${readFile:/var/lib/jenkins/secrets/factory/ldap-bind-password}");
  });

  test("the matrix: admins administer, users read and build, with matrix-auth's keys and permission ids", () => {
    expect(Object.keys(casc.authorizationStrategy)).toEqual(
      symbolOf("org.jenkinsci.plugins.matrixauth.integrations.casc.GlobalMatrixAuthorizationStrategyConfigurator", "Configurator"),
    );
    const matrix = casc.authorizationStrategy.globalMatrix;
    expect(unknownKeys(matrix, "org.jenkinsci.plugins.matrixauth.integrations.casc.MatrixAuthorizationStrategyConfigurator")).toEqual([]);
    const entries = matrix.entries.map((e: any) => {
      expect(unknownKeys(e, "org.jenkinsci.plugins.matrixauth.integrations.casc.DefinitionEntry")).toEqual([]);
      const [[kind, child]] = Object.entries<any>(e);
      expect(unknownKeys(child, "org.jenkinsci.plugins.matrixauth.integrations.casc.DefinitionEntry.Child")).toEqual([]);
      for (const p of child.permissions) expect([p, permissions.includes(p)]).toEqual([p, true]);
      return [kind, child.name, child.permissions];
    });
    expect(entries).toEqual([
      ["group", "${FACTORY_LDAP_ADMINS}", ["Overall/Administer"]],
      ["group", "${FACTORY_LDAP_USERS}", ["Overall/Read", "Job/Read", "Job/Build", "Job/Cancel", "View/Read"]],
    ]);
    // nobody by user name: an LDAP user called "admin" gets nothing
    expect(JSON.stringify(matrix)).not.toMatch(/"user"|admin"/);
  });

  test("jenkins-ldap-truststore.sh: Java's CAs plus every certificate of the directory's PEM", () => {
    const d = tempDir("factory-truststore-");
    const ca = path.join(d, "ca.pem");
    writeFileSync(ca, maximal.ldap!.caCertificate + maximal.ldap!.caCertificate);
    const out = path.join(d, "store.p12");
    const script = scriptFiles().find((f) => f.endsWith("jenkins-ldap-truststore.sh"))!;
    const r = spawnSync("bash", [script, ca, out], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("Java's CAs and 2 from");
    const list = spawnSync("keytool", ["-list", "-keystore", out, "-storepass", "changeit"], { encoding: "utf8" }).stdout;
    expect(list).toMatch(/^factory-ldap-ca-1, .*trustedCertEntry/m);
    expect(list.match(/trustedCertEntry/g)!.length).toBeGreaterThan(50);
    writeFileSync(ca, "no certificate\n");
    expect(spawnSync("bash", [script, ca, out], { encoding: "utf8" }).stderr).toContain("no certificate in");
  });

  test("jenkins-break-glass.sh on: the local admin's security file wins over the LDAP one; off removes it", () => {
    const bin = tempDir("factory-fake-systemctl-");
    writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> ${bin}/calls\n`);
    chmodSync(path.join(bin, "systemctl"), 0o755);
    const dropins = tempDir("factory-dropins-");
    const script = scriptFiles().find((f) => f.endsWith("jenkins-break-glass.sh"))!;
    const run = (arg: string) =>
      spawnSync("bash", [script, arg], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DROPIN_DIR: dropins },
      });
    expect(run("on").status).toBe(0);
    const dropIn = readFileSync(path.join(dropins, "zz-factory-break-glass.conf"), "utf8");
    expect(dropIn).toContain(
      'Environment="CASC_JENKINS_CONFIG=/var/lib/jenkins/factory-repo/jobs/jenkins/casc.yaml,/var/lib/jenkins/factory-repo/jobs/jenkins/security-local.yaml"',
    );
    // systemd applies drop-ins in name order, the last assignment winning: after factory.conf
    expect(["factory.conf", "zz-factory-break-glass.conf"].sort()[1]).toBe("zz-factory-break-glass.conf");
    expect(run("off").status).toBe(0);
    expect(spawnSync("ls", [dropins], { encoding: "utf8" }).stdout).toBe("");
    expect(readFileSync(path.join(bin, "calls"), "utf8")).toBe(
      "daemon-reload\nrestart jenkins.service\ndaemon-reload\nrestart jenkins.service\n",
    );
    expect(run("sideways").status).toBe(2);
  });
});

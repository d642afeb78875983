// LDAP logins against a real directory (Debian's slapd, started here on 127.0.0.1):
// the searches Jenkins' LDAP realm makes with the rendered configuration find the right
// people and groups, sssd's own check accepts the rendered sssd.conf of every role, and the
// config's offline DN and filter checks agree with OpenLDAP's.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { resolveFactory } from "../config/factory-model";
import { checkDn, checkFilter } from "../config/ldap";
import type { Environment } from "../config/schema";
import { renderUserDataText, type UserDataRequest } from "../userdata";
import { SSSD_CONF } from "../userdata/ldap";
import { ADMINS, BASE_DN, BIND_DN, type Directory, startDirectory, USER_FILTER, USERS } from "./ldap/directory";
import { environment, maximalEnvironment, REPO, tempDir } from "./helpers";

let directory: Directory;
const dir = tempDir("factory-ldap-");
beforeAll(async () => {
  directory = await startDirectory(path.join(dir, "slapd"));
}, 30_000);
afterAll(async () => directory?.stop());

/** The example environment with LDAP logins on this directory. */
const ldapEnvironment = (bind: boolean): Environment =>
  environment((d) => {
    d.ldap = {
      uris: [`ldaps://127.0.0.1:${directory.port}`],
      baseDn: BASE_DN,
      caCertificate: directory.caPem,
      userFilter: USER_FILTER,
      groups: { admins: ADMINS, users: USERS },
      ...(bind ? { bind: { dn: BIND_DN } } : {}),
    };
  });
const docOf = (env: Environment, request: UserDataRequest) => parse(renderUserDataText(resolveFactory(env), request));
const fileIn = (doc: any, p: string): string => doc.write_files.find((w: any) => w.path === p).content;
const uids = (ldif: string) => [...ldif.matchAll(/^uid: (.+)$/gm)].map((m) => m[1]).sort();
const cns = (ldif: string) => [...ldif.matchAll(/^cn: (.+)$/gm)].map((m) => m[1]).sort();

test("the directory holds what the factory needs: posix users with SSH keys (openssh-lpk), posix groups", () => {
  const r = directory.search(BASE_DN, "(uid=alice)", ["uid", "sshPublicKey", "uidNumber", "homeDirectory"]);
  expect(r.stderr).toBe("");
  expect(r.stdout).toContain(`sshPublicKey: ${directory.people.alice.publicKey}`);
  expect(cns(directory.search(BASE_DN, "(objectClass=posixGroup)", ["cn"]).stdout)).toEqual([ADMINS, USERS, "others", "staff"].sort());
});

describe("Jenkins' LDAP realm (security-ldap.yaml with the drop-in's values) finds", () => {
  const realm = () => {
    const doc = docOf(ldapEnvironment(true), { role: "jenkins" });
    const dropIn = fileIn(doc, "/etc/systemd/system/jenkins.service.d/factory.conf");
    const value = (name: string) => new RegExp(`^Environment="${name}=(.*)"$`, "m").exec(dropIn)![1].replace(/\\(.)/g, "$1");
    const casc = parse(readFileSync(path.join(REPO, "jobs", "jenkins", "security-ldap.yaml"), "utf8")).jenkins.securityRealm.ldap
      .configurations[0];
    return { value, casc, bind: { dn: value("FACTORY_LDAP_BIND_DN"), password: directory.bindPassword } };
  };

  test("each person by their login, bound as the bind DN, and nobody outside the user filter", () => {
    const { value, casc, bind } = realm();
    expect(casc.server).toBe("${FACTORY_LDAP_SERVER}");
    expect(value("FACTORY_LDAP_SERVER")).toBe(`ldaps://127.0.0.1:${directory.port}`);
    expect(value("FACTORY_LDAP_ROOT_DN")).toBe(BASE_DN);
    const userSearch = value("FACTORY_LDAP_USER_SEARCH");
    for (const uid of ["alice", "bob", "carol"])
      expect(uids(directory.search(BASE_DN, userSearch.replace("{0}", uid), ["uid"], bind).stdout)).toEqual([uid]);
    // erin's loginShell is nologin: outside ldap.userFilter, as for sssd
    const erin = directory.search(BASE_DN, userSearch.replace("{0}", "erin"), ["uid"], bind);
    expect([erin.status, erin.stdout]).toEqual([0, ""]);
    // the bind DN and its password really bind
    expect(directory.search(BASE_DN, userSearch.replace("{0}", "alice"), ["uid"], { ...bind, password: "wrong" }).stderr).toMatch(
      /Invalid credentials \(49\)/,
    );
  });

  test("each person's groups (RFC 2307 memberUid), and a group by its name", () => {
    const { casc, bind } = realm();
    const membership: string = casc.groupMembershipStrategy.fromGroupSearch.filter;
    const groupsOf = (uid: string) => cns(directory.search(BASE_DN, membership.replace("{1}", uid), ["cn"], bind).stdout);
    expect(groupsOf("alice")).toEqual([ADMINS]);
    expect(groupsOf("bob")).toEqual([USERS]);
    expect(groupsOf("carol")).toEqual(["others"]); // in Jenkins' matrix: no permission at all
    for (const group of [ADMINS, USERS])
      expect(cns(directory.search(BASE_DN, casc.groupSearchFilter.replace("{0}", group), ["cn"], bind).stdout)).toEqual([group]);
  });
});

describe("sssd's own check (sssctl config-check)", () => {
  const check = (conf: string, snippet?: string) => {
    const d = tempDir("factory-sssd-");
    mkdirSync(path.join(d, "conf.d"));
    writeFileSync(path.join(d, "sssd.conf"), conf, { mode: 0o600 });
    if (snippet) writeFileSync(path.join(d, "conf.d", "50-factory-bind-password.conf"), snippet, { mode: 0o600 });
    return spawnSync("sssctl", ["config-check", "-c", path.join(d, "sssd.conf")], { encoding: "utf8" });
  };
  // the snippet ldap-bind-password.sh writes, with a password sssd's parser must take as it is
  const snippet =
    "# Written by ldap-bind-password.sh (factory ldap-password).\n[domain/factory]\nldap_default_authtok_type = password\nldap_default_authtok = p#ss; w=rd\n";

  test("accepts the rendered sssd.conf of every role, with and without a bind DN, and with the pushed password", () => {
    const maximal = maximalEnvironment();
    const cases: Array<[string, Environment, UserDataRequest]> = [
      ["jump, anonymous", ldapEnvironment(false), { role: "jump", index: 0 }],
      ["jump, bind DN", ldapEnvironment(true), { role: "jump", index: 0 }],
      ["maximal nfs", maximal, { role: "nfs", dataVolumeId: "5f0c8b1e-93a2-4c1d-9e77-0123456789ab" }],
      ["maximal jenkins", maximal, { role: "jenkins" }],
      ["maximal web", maximal, { role: "web", index: 0 }],
      ...maximal.buildHosts.templates.map((template): [string, Environment, UserDataRequest] => [
        `maximal build host ${template.name}`,
        maximal,
        { role: "build-host", template, agentPublicKey: directory.people.alice.publicKey },
      ]),
    ];
    for (const [name, env, request] of cases) {
      const conf = fileIn(docOf(env, request), SSSD_CONF);
      const r = check(conf, env.ldap?.bind ? snippet : undefined);
      expect({ name, status: r.status, out: r.stdout + r.stderr }).toEqual({
        name,
        status: 0,
        out: expect.stringContaining("Issues identified by validators: 0"),
      });
    }
  });

  test("refuses a configuration sssd would not run (so the first boot's check can fail)", () => {
    const conf = fileIn(docOf(ldapEnvironment(false), { role: "jump", index: 0 }), SSSD_CONF);
    const r = check(conf.replace("ldap_tls_reqcert = demand", "ldap_tls_reqcert = demand\nldap_tls_recert = never"));
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/Attribute 'ldap_tls_recert' is not allowed in section 'domain\/factory'/);
  });
});

describe("the offline checks of DNs and filters agree with OpenLDAP", () => {
  // libldap parses a filter before sending it: -7 "Bad search filter"; slapd parses the base DN: 34.
  const filters = [
    "(uid=alice)",
    "(&(objectClass=posixAccount)(uid=alice))",
    "(|(uid=a*)(!(cn=*x*)))",
    "(uidNumber>=10001)",
    "(cn~=alice)",
    "(cn:dn:=Example)",
    "(cn:caseExactMatch:=Alice Example)",
    "(sn=Ex\\61mple)",
    "(2.5.4.3=Alice Example)",
    "(cn;lang-en=x)",
    "(&)",
    "(uid=alice",
    "(uid=alice))",
    "((uid=alice))",
    "(uid=a(b)",
    "(uid=\\zz)",
    "(=alice)",
    "uid=alice",
    "(uid alice)",
    "(!(a=b)(c=d))",
  ];
  test.each(filters)("filter %s", (filter) => {
    const r = directory.search(BASE_DN, filter, ["1.1"]);
    const openldap = r.stderr.includes("Bad search filter") ? "bad" : r.status === 0 ? "ok" : `status ${r.status}: ${r.stderr}`;
    // "uid=alice" without parentheses: libldap adds them; the config asks for the standard form.
    const ours = checkFilter(filter) === undefined ? "ok" : "bad";
    expect({ filter, verdict: filter === "uid=alice" ? "bad" : openldap }).toEqual({ filter, verdict: ours });
  });

  const dns = [
    BASE_DN,
    `ou=people,${BASE_DN}`,
    `cn=reader,ou=services,${BASE_DN}`,
    `cn=Smith\\, John,ou=people,${BASE_DN}`,
    `cn=a+sn=b,${BASE_DN}`,
    `cn=\\#hash,${BASE_DN}`,
    `2.5.4.3=x,${BASE_DN}`,
    `cn=x\\2Cy,${BASE_DN}`,
    "example",
    `cn=,${BASE_DN}`,
    `ou=people,,${BASE_DN}`,
    `cn=#0C024869,${BASE_DN}`,
    `cn=a"b,${BASE_DN}`,
    `cn=a<b,${BASE_DN}`,
    `1cn=x,${BASE_DN}`,
    `cn=#zz,${BASE_DN}`,
    `cn=x\\qy,${BASE_DN}`,
  ];
  test.each(dns)("DN %s", (dn) => {
    const r = directory.search(dn, "(objectClass=*)", ["1.1"]);
    // 0 found, 32 no such object: well-formed; 34 invalid DN syntax
    const openldap = r.status === 0 || r.status === 32 ? "ok" : r.status === 34 ? "bad" : `status ${r.status}: ${r.stderr}`;
    expect({ dn, verdict: openldap }).toEqual({ dn, verdict: checkDn(dn) === undefined ? "ok" : "bad" });
  });

  test("stricter than OpenLDAP on purpose: no spaces after commas (RFC 4514; OpenLDAP lets them pass)", () => {
    for (const dn of [`ou=people, ${BASE_DN}`]) {
      expect(checkDn(dn)).toBeDefined();
      expect([dn, directory.search(dn, "(objectClass=*)", ["1.1"]).status === 34]).toEqual([dn, false]);
    }
  });
});

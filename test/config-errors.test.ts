// Bad environment files fail with exit 1, one line per problem naming the file and the
// dotted path, and nothing is written.
import { existsSync, readdirSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { readFileSync as read } from "node:fs";
import { parse, stringify } from "yaml";
import { parseEnvironment } from "../config/load";
import { exampleData, EXAMPLE, REPO, runFactory, runFactoryInProcess, tempDir, writeEnvironment } from "./helpers";

interface BadCase {
  name: string;
  change?: (d: any) => void;
  raw?: string;
  where: string;
  message: RegExp;
}

function fixtureKey(name: string): string {
  return readFileSync(path.join(REPO, "test", "fixtures", name), "utf8").trim();
}

/** A valid mail block, for the cases that break one of its keys. */
const MAIL = { smtpHost: "smtp.example.com", from: "images@example.com" };

/** A valid ldap block (the maximal fixture's), for the cases that break one of its keys. */
const LDAP = () => parse(readFileSync(path.join(REPO, "test", "fixtures", "maximal.yaml"), "utf8")).ldap;
const withLdap = (d: any, change: (l: any) => void) => {
  d.ldap = LDAP();
  change(d.ldap);
};

const PRIVATE_KEY_LINE = "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA";

const cases: BadCase[] = [
  { name: "unknown top-level key", change: (d) => (d.nmae = "x"), where: "nmae", message: /unknown key/ },
  {
    name: "unknown nested key",
    change: (d) => (d.servers.jenkins.flavour = "m1.large"),
    where: "servers.jenkins.flavour",
    message: /unknown key/,
  },
  { name: "name not matching the pattern", change: (d) => (d.name = "Example_1"), where: "name", message: /\[a-z\]\[a-z0-9-\]\*/ },
  {
    name: "malformed admin CIDR",
    change: (d) => (d.admin.cidrs = ["203.0.113.0/24", "203.0.113.300/24"]),
    where: "admin.cidrs.1",
    message: /not an IPv4 or IPv6 address/,
  },
  {
    name: "CIDR with host bits",
    change: (d) => (d.network.cidr = "10.20.0.5/24"),
    where: "network.cidr",
    message: /host bits set; did you mean 10\.20\.0\.0\/24/,
  },
  {
    name: "private subnet too small for the address plan",
    change: (d) => (d.network.cidr = "10.20.0.0/27"),
    where: "network.cidr",
    message: /private subnet must be \/26 or larger/,
  },
  {
    name: "web subnet too small",
    change: (d) => (d.web.cidr = "10.30.0.0/28"),
    where: "web.cidr",
    message: /web subnet must be \/26 or larger/,
  },
  {
    name: "router SNAT off without egress: jump",
    change: (d) => (d.network.routerSnat = false),
    where: "network.routerSnat",
    message: /egress: router needs the router's SNAT/,
  },
  {
    name: "IPv6 nameserver for the IPv4 subnets",
    change: (d) => (d.network.dnsNameservers = ["9.9.9.9", "2620:fe::fe"]),
    where: "network.dnsNameservers.1",
    message: /must be an IPv4 address/,
  },
  {
    name: "IPv6 admin CIDR (the jump hosts have IPv4 floating IPs only)",
    change: (d) => d.admin.cidrs.push("2001:db8:1::/48"),
    where: "admin.cidrs.1",
    message: /must be an IPv4 CIDR: the jump hosts are reached at IPv4 floating IPs only/,
  },
  { name: "IPv6 private subnet", change: (d) => (d.network.cidr = "fd00::/64"), where: "network.cidr", message: /IPv4 CIDR/ },
  {
    name: "garbage SSH key",
    change: (d) => (d.admin.sshPublicKeys = ["ssh-ed25519 not-base64!"]),
    where: "admin.sshPublicKeys.0",
    message: /not base64/,
  },
  {
    name: "private key instead of public",
    change: (d) => d.admin.sshPublicKeys.push(PRIVATE_KEY_LINE),
    where: "admin.sshPublicKeys.1",
    message: /private key/,
  },
  {
    name: "weak DSA key type",
    change: (d) => (d.admin.sshPublicKeys = ["ssh-dss AAAAB3NzaC1kc3MAAACBAP== x@y"]),
    where: "admin.sshPublicKeys.0",
    message: /unsupported key type "ssh-dss"/,
  },
  {
    name: "RSA key below 3072 bits",
    change: (d) => (d.admin.sshPublicKeys = [fixtureKey("rsa-2048.pub")]),
    where: "admin.sshPublicKeys.0",
    message: /2048 bits; at least 3072/,
  },
  {
    name: "key type and key data disagree",
    change: (d) => (d.admin.sshPublicKeys = [fixtureKey("ecdsa-256.pub").replace(/^\S+/, "ssh-ed25519")]),
    where: "admin.sshPublicKeys.0",
    message: /key data says "ecdsa-sha2-nistp256"/,
  },
  { name: "zero jump hosts", change: (d) => (d.servers.jump.count = 0), where: "servers.jump.count", message: /at least 1/ },
  {
    name: "fractional instance count",
    change: (d) => (d.buildHosts.maxInstances = 2.5),
    where: "buildHosts.maxInstances",
    message: /whole number/,
  },
  {
    name: "string where a number belongs",
    change: (d) => (d.buildHosts.ttlHours = "24h"),
    where: "buildHosts.ttlHours",
    message: /expected number/,
  },
  {
    name: "duplicate template names",
    change: (d) => (d.buildHosts.templates[1].name = "kiwi"),
    where: "buildHosts.templates.1.name",
    message: /duplicate template name "kiwi"/,
  },
  {
    name: "unknown tooling",
    change: (d) => (d.buildHosts.templates[0].tooling = "packer"),
    where: "buildHosts.templates.0.tooling",
    message: /kiwi.*dib/,
  },
  {
    name: "missing required key",
    change: (d) => delete d.servers.nfs.dataVolumeGb,
    where: "servers.nfs.dataVolumeGb",
    message: /required/,
  },
  { name: "unknown egress mode", change: (d) => (d.network.egress = "nat"), where: "network.egress", message: /router.*jump/ },
  { name: "unknown backend type", change: (d) => (d.backend = { type: "consul" }), where: "backend.type", message: /local.*s3.*http/ },
  {
    name: "own region in uploadRegions",
    change: (d) => d.uploadRegions.push("RegionOne"),
    where: "uploadRegions.1",
    message: /factory's own region/,
  },
  {
    name: "jobs repo URL with a password",
    change: (d) => (d.jenkins.jobsRepo.url = "https://bot:s3cret@git.example.com/f.git"),
    where: "jenkins.jobsRepo.url",
    message: /must not contain a password/,
  },
  {
    name: "Jenkins URL of another scheme",
    change: (d) => (d.jenkins.url = "ftp://jenkins.example.com/"),
    where: "jenkins.url",
    message: /scheme "ftp" is not allowed/,
  },
  {
    name: "SMTP port out of range",
    change: (d) => (d.jenkins.mail = { ...MAIL, smtpPort: 70000 }),
    where: "jenkins.mail.smtpPort",
    message: /1 to 65535/,
  },
  {
    name: "SMTP host that is no host name",
    change: (d) => (d.jenkins.mail = { ...MAIL, smtpHost: "smtp relay" }),
    where: "jenkins.mail.smtpHost",
    message: /host name or IP address/,
  },
  {
    name: "sender that is no e-mail address",
    change: (d) => (d.jenkins.mail = { ...MAIL, from: "images at example.com" }),
    where: "jenkins.mail.from",
    message: /e-mail address, or a name and an address/,
  },
  {
    name: "team address without a domain",
    change: (d) => (d.jenkins.mail = { ...MAIL, teamEmail: "image-team@" }),
    where: "jenkins.mail.teamEmail",
    message: /must be an e-mail address/,
  },
  {
    name: "mail without a sender",
    change: (d) => (d.jenkins.mail = { smtpHost: "smtp.example.com" }),
    where: "jenkins.mail.from",
    message: /required/,
  },
  {
    name: "SMTP login over a plaintext connection",
    change: (d) => (d.jenkins.mail = { ...MAIL, username: "factory" }),
    where: "jenkins.mail.security",
    message: /needs security: starttls or ssl/,
  },
  {
    name: "unknown SMTP security",
    change: (d) => (d.jenkins.mail = { ...MAIL, security: "tls" }),
    where: "jenkins.mail.security",
    message: /"none", "starttls", "ssl"/,
  },
  {
    name: "SMTP password in the environment file",
    change: (d) => (d.jenkins.mail = { ...MAIL, password: "s3cret" }),
    where: "jenkins.mail.password",
    message: /unknown key/,
  },
  {
    name: "image on a missing template",
    change: (d) => (d.images[1].template = "packer"),
    where: "images.1.template",
    message: /no build-host template named "packer"/,
  },
  {
    name: "image tooling differs from its template",
    change: (d) => (d.images[0].tooling = "dib"),
    where: "images.0.tooling",
    message: /template "kiwi" has tooling kiwi, not dib/,
  },
  {
    name: "image name with a publish suffix",
    change: (d) => (d.images[0].name = "Standard_Debian_12_latest"),
    where: "images.0.name",
    message: /_latest, _prev or a date/,
  },
  {
    name: "LDAP over plaintext",
    change: (d) => withLdap(d, (l) => (l.uris = ["ldap://ldap.example.org"])),
    where: "ldap.uris.0",
    message: /plain ldap:\/\/ is not allowed: use ldaps:\/\//,
  },
  {
    name: "LDAP URI with a path",
    change: (d) => withLdap(d, (l) => (l.uris = ["ldaps://ldap.example.org/dc=example"])),
    where: "ldap.uris.0",
    message: /not a URI like ldaps:\/\/ldap\.example\.org/,
  },
  { name: "LDAP URI twice", change: (d) => withLdap(d, (l) => l.uris.push(l.uris[0])), where: "ldap.uris.2", message: /duplicate URI/ },
  { name: "no LDAP URI", change: (d) => withLdap(d, (l) => (l.uris = [])), where: "ldap.uris", message: /at least one ldaps:\/\/ URI/ },
  {
    name: "base DN with spaces after commas",
    change: (d) => withLdap(d, (l) => (l.baseDn = "dc=example, dc=org")),
    where: "ldap.baseDn",
    message: /no spaces after commas \(RFC 4514\)/,
  },
  {
    name: "base DN with an empty RDN",
    change: (d) => withLdap(d, (l) => (l.baseDn = "dc=example,,dc=org")),
    where: "ldap.baseDn",
    message: /an empty RDN at position 12/,
  },
  {
    name: "base DN that is no DN",
    change: (d) => withLdap(d, (l) => (l.baseDn = "example.org")),
    where: "ldap.baseDn",
    message: /has no "=": write attribute=value/,
  },
  {
    name: "bind DN with an unescaped quote",
    change: (d) => withLdap(d, (l) => (l.bind.dn = 'cn="reader",dc=example,dc=org')),
    where: "ldap.bind.dn",
    message: /must be escaped/,
  },
  {
    name: "bind password in the environment file",
    change: (d) => withLdap(d, (l) => (l.bind.password = "s3cret")),
    where: "ldap.bind.password",
    message: /unknown key/,
  },
  {
    name: "CA that is a server certificate",
    change: (d) => withLdap(d, (l) => (l.caCertificate = fixtureKey("not-a-ca.pem"))),
    where: "ldap.caCertificate",
    message: /"CN=ldap\.example\.org" is not a CA certificate/,
  },
  {
    name: "CA PEM that does not parse",
    change: (d) => withLdap(d, (l) => (l.caCertificate = l.caCertificate.replace(/MIIB/, "MIIC"))),
    where: "ldap.caCertificate",
    message: /does not parse as an X\.509 certificate/,
  },
  {
    name: "private key with the CA",
    change: (d) => withLdap(d, (l) => (l.caCertificate += "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")),
    where: "ldap.caCertificate",
    message: /holds a private key/,
  },
  {
    name: "user filter without parentheses",
    change: (d) => withLdap(d, (l) => (l.userFilter = "employeeType=staff")),
    where: "ldap.userFilter",
    message: /written in parentheses, e\.g\. \(employeeType=staff\)/,
  },
  {
    name: "user filter with unbalanced parentheses",
    change: (d) => withLdap(d, (l) => (l.userFilter = "(&(objectClass=posixAccount)(employeeType=staff)")),
    where: "ldap.userFilter",
    message: /unbalanced parentheses/,
  },
  {
    name: "user filter with an unescaped parenthesis in a value",
    change: (d) => withLdap(d, (l) => (l.userFilter = "(cn=a(b)")),
    where: "ldap.userFilter",
    message: /must be escaped as \\28/,
  },
  {
    name: "user filter with a placeholder",
    change: (d) => withLdap(d, (l) => (l.userFilter = "(uid={0})")),
    where: "ldap.userFilter",
    message: /must not contain \? \{ or \}/,
  },
  {
    name: "one group for admins and users",
    change: (d) => withLdap(d, (l) => (l.groups.users = l.groups.admins)),
    where: "ldap.groups.users",
    message: /different groups/,
  },
  {
    name: "group name sudoers would misread",
    change: (d) => withLdap(d, (l) => (l.groups.admins = "%admins")),
    where: "ldap.groups.admins",
    message: /must be a group name/,
  },
  { name: "ldap without groups", change: (d) => withLdap(d, (l) => delete l.groups), where: "ldap.groups", message: /required/ },
  // An unclosed bracket or quote is named where it opened, not where the parser noticed it (the end).
  {
    name: "YAML: unclosed flow sequence",
    raw: "name: example\nnetwork:\n  cidr: [10.20.0.0/24\n",
    where: "line 3, column 9",
    message: /YAML syntax error: this flow sequence \("\["\) is never closed \(noticed at line 4, column 1\)/,
  },
  {
    name: "YAML: unclosed flow map",
    raw: "name: example\nservers:\n  jenkins: { image: debian-13, flavor: m1.large\n  nfs: { image: debian-12 }\nregion: r\n",
    where: "line 3, column 12",
    message: /this flow map \("\{"\) is never closed/,
  },
  {
    name: "YAML: unclosed quote",
    raw: 'name: example\ncloud: "factory\nregion: RegionOne\nbuildHosts: {}\n',
    where: "line 2, column 8",
    message: /this double-quoted string \("""\) is never closed/,
  },
  {
    name: "YAML: other syntax errors keep their place",
    raw: "name: example\n  cloud: x\n",
    where: "line 1, column 7",
    message: /YAML syntax error: /,
  },
  { name: "not a mapping", raw: "- just\n- a list\n", where: "(root)", message: /expected a mapping/ },
];

describe.each(cases)("$name", ({ change, raw, where, message }) => {
  let file: string;
  let dir: string;
  beforeAll(() => {
    dir = tempDir("bad-config-");
    let content: unknown = raw;
    if (!raw) {
      const data = exampleData();
      change!(data);
      content = data;
    }
    file = writeEnvironment(content, "env.yaml", dir);
  });

  test("validate exits 1 with `<file>: <path>: <message>`", async () => {
    const r = await runFactoryInProcess(["validate", "--config", file]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    const line = lines.find((l) => l.startsWith(`${file}: ${where}: `));
    expect(line).toBeDefined();
    expect(line).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test("synth exits 1 and writes nothing", async () => {
    const out = path.join(dir, "out");
    const r = await runFactoryInProcess(["synth", "--config", file, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: ${where}: `);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["env.yaml"]);
  });
});

test("every problem of a file is reported, one per line", async () => {
  const data = exampleData();
  data.name = "BAD";
  data.servers.jump.count = -1;
  delete data.region;
  const file = writeEnvironment(data);
  const r = await runFactoryInProcess(["validate", "--config", file]);
  expect(r.status).toBe(1);
  expect(
    r.stderr
      .trim()
      .split("\n")
      .map((l) => l.split(": ")[1])
      .sort(),
  ).toEqual(["name", "region", "servers.jump.count"]);
});

test("a failed synth leaves an existing output directory untouched", () => {
  const dir = tempDir();
  const out = path.join(dir, "cdktf.out");
  mkdirSync(out);
  writeFileSync(path.join(out, "marker"), "previous");
  const data = exampleData();
  data.network.egress = "nat";
  const r = runFactory(["synth", "--config", writeEnvironment(data, "env.yaml", dir), "--out", out]);
  expect(r.status).toBe(1);
  expect(readFileSync(path.join(out, "marker"), "utf8")).toBe("previous");
  expect(readdirSync(dir).sort()).toEqual(["cdktf.out", "env.yaml"]);
});

test("a missing file is named", () => {
  const r = runFactory(["validate", "--config", "environments/nope.yaml"]);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe("environments/nope.yaml: (file): no such file\n");
});

test("two environments with the same name are refused", async () => {
  const dir = tempDir();
  const a = writeEnvironment(read(EXAMPLE, "utf8"), "a.yaml", dir);
  const b = writeEnvironment(read(EXAMPLE, "utf8"), "b.yaml", dir);
  const r = await runFactoryInProcess(["validate", "--config", a, "--config", b]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${b}: name: "example" is also the name of ${a}`);
});

describe("usage errors exit 2", () => {
  test.each([[["frobnicate"]], [["synth", "--bogus"]], [["validate", "extra"]], [[]]])("%j", async (args) => {
    const r = await runFactoryInProcess(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage:");
  });
});

test("accepted: several admin CIDRs, RSA-4096 and ECDSA keys, an S3 backend", async () => {
  const data = exampleData();
  data.admin.cidrs.push("198.51.100.0/24");
  data.admin.sshPublicKeys.push(fixtureKey("rsa-4096.pub"), fixtureKey("ecdsa-256.pub"));
  data.backend = { type: "s3", bucket: "tfstate", region: "RegionOne", endpoint: "https://s3.example.com" };
  const file = writeEnvironment(data);
  const r = await runFactoryInProcess(["validate", "--config", file]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`${file}: ok (example)\n`);
});

test("accepted: a mail relay with the plugins' default port of its security; the Jenkins URL gets its trailing slash", () => {
  const data = exampleData();
  data.jenkins.url = "https://jenkins.example.com/factory";
  data.jenkins.mail = {
    smtpHost: "192.0.2.25",
    security: "ssl",
    username: "factory",
    from: "Image Factory <images@example.com>",
    teamEmail: "image-team+builds@example.com",
  };
  const { env } = parseEnvironment("env.yaml", stringify(data));
  expect(env.jenkins.url).toBe("https://jenkins.example.com/factory/");
  expect(env.jenkins.mail).toEqual({ ...data.jenkins.mail, smtpPort: 465 });
  for (const [security, port] of [
    ["none", 25],
    ["starttls", 587],
  ] as const) {
    expect(
      parseEnvironment("env.yaml", stringify({ ...data, jenkins: { ...data.jenkins, mail: { ...MAIL, security } } })).env.jenkins.mail
        ?.smtpPort,
    ).toBe(port);
  }
  // Without the keys: the tunnel's URL, no mail.
  const example = parseEnvironment(EXAMPLE, read(EXAMPLE, "utf8")).env;
  expect([example.jenkins.url, example.jenkins.mail]).toEqual(["http://localhost:8080/", undefined]);
});

test("accepted: LDAP with IPv4/IPv6 URIs and ports, escaped DNs, several CAs, every filter form, anonymous binds", () => {
  const data = exampleData();
  const ca = LDAP().caCertificate;
  data.ldap = {
    uris: ["ldaps://192.0.2.10", "ldaps://[2001:db8::10]:1636", "ldaps://ldap.example.org:636/"],
    baseDn: "ou=People+l=Berlin,o=Example\\2C Inc.,dc=example,dc=org",
    caCertificate: ca + ca,
    userFilter:
      "(&(objectClass=posixAccount)(|(employeeType=staff)(cn=*Smith*))(!(loginShell=/bin/false))(uidNumber>=1000)(cn:dn:=x)(1.2.3.4;lang-en=y)(sn=a\\28b\\29))",
    groups: { admins: "factory.admins", users: "Factory_Users-2" },
  };
  const { env } = parseEnvironment("env.yaml", stringify(data));
  expect(env.ldap).toEqual(data.ldap);
  expect(env.ldap?.bind).toBeUndefined();
  expect(parseEnvironment(EXAMPLE, read(EXAMPLE, "utf8")).env.ldap).toBeUndefined();
});

test("the installed bin: exit codes and messages of a real process", () => {
  const bad = exampleData();
  bad.servers.jump.count = 0;
  const file = writeEnvironment(bad);
  const invalid = runFactory(["validate", "--config", file]);
  expect([invalid.status, invalid.stderr]).toEqual([1, `${file}: servers.jump.count: count must be at least 1\n`]);
  const usage = runFactory(["synth", "--nope"]);
  expect(usage.status).toBe(2);
  expect(runFactory(["validate", "--config", EXAMPLE]).status).toBe(0);
});

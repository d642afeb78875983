// A real directory for the tests: Debian's slapd with a small tree, started as a
// background process on 127.0.0.1 (a free port), ldaps:// only, with its own CA.
//
//   ou=people: alice (factory-admins), bob and dave (factory-users), carol (in neither:
//              group others), erin (factory-admins, but loginShell nologin: outside the
//              user filter); every one with an SSH key (openssh-lpk's sshPublicKey)
//   ou=groups: posixGroups factory-admins, factory-users, others, staff (everyone's primary)
//   ou=services: cn=reader, the bind DN (its password can be changed: rotation)
// Anonymous reads are allowed too, for environments without ldap.bind.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "../free-port";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export const BASE_DN = "dc=factory,dc=test";
export const ADMINS = "factory-admins";
export const USERS = "factory-users";
export const BIND_DN = `cn=reader,ou=services,${BASE_DN}`;
/** Users outside this filter are no users (erin). */
export const USER_FILTER = "(!(loginShell=/usr/sbin/nologin))";
const ROOT_DN = `cn=admin,${BASE_DN}`;
const SCHEMA = path.join(__dirname, "..", "..", "..", "test", "ldap", "openssh-lpk.schema");

export interface Person {
  readonly uid: string;
  readonly groups: readonly string[];
  readonly shell: string;
  /** Private key file, and the public key the directory holds. */
  readonly key: string;
  readonly publicKey: string;
}

export interface Directory {
  readonly port: number;
  readonly caFile: string;
  readonly caPem: string;
  readonly people: Record<"alice" | "bob" | "carol" | "dave" | "erin", Person>;
  /** The bind DN's current password. */
  bindPassword: string;
  /** Sets a new password for the bind DN (as the directory's root). */
  rotateBindPassword(password: string): void;
  /** ldapsearch over ldaps:// with the directory's CA; anonymous unless bind is given. */
  search(
    base: string,
    filter: string,
    attrs?: string[],
    bind?: { dn: string; password: string },
  ): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
  /** Kills slapd at once (for exit handlers, which cannot wait). */
  kill(): void;
}

function must(command: string, args: string[], input?: string): string {
  const r = spawnSync(command, args, { encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A CA, and a server certificate for localhost, 127.0.0.1 and the given addresses. */
function certificates(dir: string, addresses: readonly string[]): { ca: string; cert: string; key: string } {
  const ca = path.join(dir, "ca.pem");
  const caKey = path.join(dir, "ca.key");
  const key = path.join(dir, "server.key");
  const cert = path.join(dir, "server.pem");
  must("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    caKey,
    "-out",
    ca,
    "-days",
    "2",
    "-subj",
    "/O=Image factory tests/CN=Test directory CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const csr = path.join(dir, "server.csr");
  must("openssl", [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    "/CN=localhost",
  ]);
  const ext = path.join(dir, "server.ext");
  writeFileSync(
    ext,
    `subjectAltName = DNS:localhost, ${["127.0.0.1", ...addresses].map((a) => `IP:${a}`).join(", ")}\nextendedKeyUsage = serverAuth\nbasicConstraints = CA:FALSE\n`,
  );
  must("openssl", ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext]);
  return { ca, cert, key };
}

/** Starts slapd; `addresses` are the guest-side addresses the certificate must also name. */
export async function startDirectory(
  dir: string,
  options: { addresses?: readonly string[]; log?: (line: string) => void } = {},
): Promise<Directory> {
  mkdirSync(path.join(dir, "db"), { recursive: true });
  const { ca, cert, key } = certificates(dir, options.addresses ?? []);
  const rootPassword = `root-${Math.random().toString(36).slice(2)}`;
  let bindPassword = "reader #1; with = and spaces";
  const conf = path.join(dir, "slapd.conf");
  writeFileSync(
    conf,
    [
      ...["core", "cosine", "nis", "inetorgperson"].map((s) => `include /etc/ldap/schema/${s}.schema`),
      `include ${SCHEMA}`,
      `pidfile ${dir}/slapd.pid`,
      "modulepath /usr/lib/ldap",
      "moduleload back_mdb",
      `TLSCACertificateFile ${ca}`,
      `TLSCertificateFile ${cert}`,
      `TLSCertificateKeyFile ${key}`,
      "database mdb",
      `directory ${dir}/db`,
      `suffix "${BASE_DN}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${must("slappasswd", ["-s", rootPassword]).trim()}`,
      "access to attrs=userPassword by self write by anonymous auth by * none",
      "access to * by * read",
      "",
    ].join("\n"),
  );
  const people = {} as Directory["people"];
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Image factory tests\ndc: factory`,
    ...["people", "groups", "services"].map((ou) => `dn: ou=${ou},${BASE_DN}\nobjectClass: organizationalUnit\nou: ${ou}`),
    `dn: ${BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${must("slappasswd", ["-s", bindPassword]).trim()}`,
  ];
  const groups: Record<string, string[]> = { [ADMINS]: [], [USERS]: [], others: [], staff: [] };
  const roster: Array<[keyof Directory["people"], string, string]> = [
    ["alice", ADMINS, "/bin/bash"],
    ["bob", USERS, "/bin/bash"],
    ["carol", "others", "/bin/bash"],
    ["dave", USERS, "/bin/bash"],
    ["erin", ADMINS, "/usr/sbin/nologin"],
  ];
  roster.forEach(([uid, group, shell], i) => {
    const keyFile = path.join(dir, `${uid}.key`);
    must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${uid}@factory.test`, "-f", keyFile]);
    const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
    people[uid] = { uid, groups: [group], shell, key: keyFile, publicKey };
    groups[group].push(uid);
    entries.push(
      [
        `dn: uid=${uid},ou=people,${BASE_DN}`,
        "objectClass: inetOrgPerson",
        "objectClass: posixAccount",
        "objectClass: ldapPublicKey",
        `uid: ${uid}`,
        `cn: ${uid[0].toUpperCase()}${uid.slice(1)} Example`,
        "sn: Example",
        `mail: ${uid}@factory.test`,
        `uidNumber: ${10001 + i}`,
        "gidNumber: 30000",
        `homeDirectory: /home/${uid}`,
        `loginShell: ${shell}`,
        `sshPublicKey: ${publicKey}`,
      ].join("\n"),
    );
  });
  Object.entries(groups).forEach(([cn, members], i) => {
    entries.push(
      [
        `dn: cn=${cn},ou=groups,${BASE_DN}`,
        "objectClass: posixGroup",
        `cn: ${cn}`,
        `gidNumber: ${cn === "staff" ? 30000 : 20001 + i}`,
        ...members.map((m) => `memberUid: ${m}`),
      ].join("\n"),
    );
  });
  must("slapadd", ["-f", conf, "-b", BASE_DN], `${entries.join("\n\n")}\n`);

  const port = await freePort();
  const log = path.join(dir, "slapd.log");
  // -d: in the foreground (this process owns it); the log level keeps the log short.
  // Its log goes straight to a file: a pipe would fill while a test waits in spawnSync, and block slapd.
  const logFd = openSync(log, "a");
  const slapd: ChildProcess = spawn("slapd", ["-f", conf, "-h", `ldaps://127.0.0.1:${port}/`, "-d", "stats"], {
    stdio: ["ignore", logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  const output = () => readFileSync(log, "utf8");
  const env = { ...process.env, LDAPTLS_CACERT: ca, LDAPTLS_REQCERT: "demand" };
  const search: Directory["search"] = (base, filter, attrs = [], bind) => {
    const auth = bind ? ["-x", "-D", bind.dn, "-w", bind.password] : ["-x"];
    const r = spawnSync(
      "ldapsearch",
      ["-LLL", "-o", "ldif-wrap=no", "-H", `ldaps://127.0.0.1:${port}`, ...auth, "-b", base, filter, ...attrs],
      { encoding: "utf8", env },
    );
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const deadline = Date.now() + 20_000;
  while (search(BASE_DN, "(objectClass=dcObject)", ["dc"]).status !== 0) {
    if (slapd.exitCode !== null || Date.now() > deadline) {
      process.kill(-slapd.pid!, "SIGKILL");
      throw new Error(`slapd did not come up on 127.0.0.1:${port}:\n${output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  options.log?.(`directory: slapd on ldaps://127.0.0.1:${port}/ (pid ${slapd.pid}, log ${log})`);
  const directory: Directory = {
    port,
    caFile: ca,
    caPem: readFileSync(ca, "utf8"),
    people,
    bindPassword,
    rotateBindPassword(password) {
      const r = spawnSync(
        "ldappasswd",
        ["-H", `ldaps://127.0.0.1:${port}`, "-x", "-D", ROOT_DN, "-w", rootPassword, "-s", password, BIND_DN],
        { encoding: "utf8", env },
      );
      if (r.status !== 0) throw new Error(`ldappasswd: ${r.stderr}`);
      bindPassword = password;
      directory.bindPassword = password;
    },
    search,
    kill: () => {
      try {
        process.kill(-slapd.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (slapd.exitCode !== null) return resolve();
        slapd.once("exit", () => resolve());
        process.kill(-slapd.pid!, "SIGTERM");
        setTimeout(() => slapd.exitCode === null && process.kill(-slapd.pid!, "SIGKILL"), 5000).unref();
      }),
  };
  return directory;
}

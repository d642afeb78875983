// What the boot test boots: each role's real user-data, rendered from a real environment
// file, plus deliberately broken user-data that must make its role fail.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { AddressPlan } from "../../config/address-plan";
import { type FactoryModel, resolveFactory } from "../../config/factory-model";
import { parseEnvironment } from "../../config/load";
import { renderUserDataText, type UserDataRequest } from "../../userdata";
import { ADMINS, BASE_DN, BIND_DN, USER_FILTER, USERS } from "../ldap/directory";
import type { Suite } from "./rootfs";

const REPO = path.join(__dirname, "..", "..", "..");

/** A blank disk stands in for the NFS data volume; the renderer gets this id. */
const DATA_VOLUME_ID = "b0075e57-da7a-4a11-9e5e-000000000006";
const VIRTIO_SERIAL_LENGTH = 20;

export interface BootCase {
  readonly name: string;
  readonly role: "jump" | "nfs" | "web";
  /** The Debian release the VM runs (its machine from test/boot/rootfs.ts). */
  readonly suite: Suite;
  readonly userData: string;
  readonly address: string;
  /** The default gateway Neutron's DHCP would hand out (the VIP with `egress: jump`). */
  readonly gateway: string;
  /** Serial of the blank data disk attached to the VM, if any. */
  readonly dataDiskSerial?: string;
  readonly checkEnv: Record<string, string>;
  /**
   * Empty: every check must pass. Otherwise the case is broken on purpose and passes when
   * the guest reports each of these checks as failed (the right reason), whatever else.
   */
  readonly mustFail: readonly string[];
  /** LDAP logins against the test's directory, checked from outside over SSH (test/boot/ldap-logins.ts). */
  readonly ldap?: LdapCase;
}

/** How an LDAP case reaches the directory and what the host checks. */
export interface LdapCase {
  /** bind: the password is pushed with factory ldap-password; anonymous: nothing is pushed. */
  readonly mode: "bind" | "anonymous";
  /** The directory does not answer during first boot (it answers later in the checks). */
  readonly unreachableAtBoot: boolean;
  /** The environment file the case's user-data is rendered from (factory ldap-password reads it too). */
  readonly environmentYaml: string;
  /** The guest's address of the directory (qemu guestfwd to the test's slapd). */
  readonly directoryAddress: string;
  readonly guestAddress: string;
  readonly subnet: string;
}

/** What LDAP cases are rendered with: the test directory's CA and the test's admin key. */
export interface LdapContext {
  readonly caPem: string;
  readonly adminPublicKey: string;
}

type Loaded = FactoryModel;

function load(file: string): Loaded {
  const env = parseEnvironment(file, readFileSync(path.join(REPO, file), "utf8")).env;
  return resolveFactory(env);
}

function render(model: Loaded, request: UserDataRequest): string {
  // The text the server gets (renderUserData is escaped for Terraform, which unescapes it).
  return renderUserDataText(model, request);
}

const DATA_MOUNT = "/srv/factory";
const EXPORTS = ["/srv/factory/images", "/srv/factory/builds"];
const CLOUD_INIT_TIMEOUT = "900";

function withPrefix(plan: AddressPlan, address: string): string {
  return `${address}/${plan.cidr.prefix}`;
}

function jumpCase(name: string, loaded: Loaded): BootCase {
  const { env, plan } = loaded;
  return {
    name,
    role: "jump",
    suite: "bookworm",
    userData: render(loaded, { role: "jump", index: 0 }),
    address: withPrefix(plan, plan.jump[0]),
    gateway: plan.gateway,
    checkEnv: {
      CASE: name,
      ROLE: "jump",
      CLOUD_INIT_TIMEOUT,
      EGRESS: env.network.egress,
      PRIVATE_CIDR: plan.cidr.text,
      ...(plan.egressVip ? { EGRESS_VIP: plan.egressVip, ROUTER: plan.router } : {}),
      // sssd's configuration and state inside (the maximal fixture's too: two URIs, an escaped bind DN)
      ...(env.ldap ? { LDAP: env.ldap.bind ? "bind" : "anonymous" } : {}),
    },
    mustFail: [],
  };
}

function nfsCase(
  name: string,
  loaded: Loaded,
  userData = render(loaded, { role: "nfs", dataVolumeId: DATA_VOLUME_ID }),
  mustFail: string[] = [],
): BootCase {
  const { plan } = loaded;
  const serial = DATA_VOLUME_ID.slice(0, VIRTIO_SERIAL_LENGTH);
  return {
    name,
    role: "nfs",
    suite: "bookworm",
    userData,
    address: withPrefix(plan, plan.nfs),
    gateway: plan.gateway,
    dataDiskSerial: serial,
    checkEnv: {
      CASE: name,
      ROLE: "nfs",
      CLOUD_INIT_TIMEOUT,
      PRIVATE_CIDR: plan.cidr.text,
      DATA_MOUNT,
      DATA_DEVICE: `/dev/disk/by-id/virtio-${serial}`,
      EXPORTS: EXPORTS.join(" "),
    },
    mustFail,
  };
}

function webCase(name: string, loaded: Loaded): BootCase {
  const { plan } = loaded;
  return {
    name,
    role: "web",
    suite: "bookworm",
    userData: render(loaded, { role: "web", index: 0 }),
    // The web role does not depend on its address; any one on a subnet will do.
    address: withPrefix(plan, plan.dynamicPool.start),
    gateway: plan.gateway,
    checkEnv: { CASE: name, ROLE: "web", CLOUD_INIT_TIMEOUT, WEB_ROOT: "/srv/www/images" },
    mustFail: [],
  };
}

/**
 * The same case on Debian 13: the example runs Jenkins and the dib build host on trixie,
 * whose cloud-init (25.1) is newer than bookworm's (22.4) and exits `status --wait` with 2
 * on a recoverable error (a deprecated key, say), which the checks count as a failure.
 */
function onTrixie(c: BootCase): BootCase {
  const name = `${c.name}-debian13`;
  return { ...c, name, suite: "trixie", checkEnv: { ...c.checkEnv, CASE: name } };
}

/** The NFS user-data with every fs_setup entry pointed at a disk that does not exist. */
function withMissingFsDevice(userData: string): string {
  const config = parse(userData);
  const fsSetup: Array<Record<string, unknown>> | undefined = config?.fs_setup;
  if (!Array.isArray(fsSetup) || fsSetup.length === 0) throw new Error("nfs user-data has no fs_setup to break");
  config.fs_setup = fsSetup.map((fs) => ({ ...fs, device: "/dev/disk/by-id/virtio-no-such-disk" }));
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}

/** The directory's address as the guest sees it: on the subnet (qemu answers ARP for it), no server of the case's. */
const DIRECTORY_HOST_OCTET = 250;
/** How long the guest waits for the host's checks (guest/check.sh); a starved VM answers SSH slowly. */
const HOST_CHECKS_TIMEOUT = "1500";

/** The jump host of the example with LDAP logins on the test's directory. */
function ldapJumpCase(name: string, mode: LdapCase["mode"], unreachableAtBoot: boolean, context: LdapContext): BootCase {
  const data = parse(readFileSync(path.join(REPO, "environments/example.yaml"), "utf8"));
  const subnet: string = data.network.cidr;
  const directoryAddress = subnet.replace(/\.0\/\d+$/, `.${DIRECTORY_HOST_OCTET}`);
  data.admin.sshPublicKeys = [context.adminPublicKey];
  data.ldap = {
    uris: [`ldaps://${directoryAddress}`],
    baseDn: BASE_DN,
    caCertificate: context.caPem,
    userFilter: USER_FILTER,
    groups: { admins: ADMINS, users: USERS },
    ...(mode === "bind" ? { bind: { dn: BIND_DN } } : {}),
  };
  const environmentYaml = stringify(data, { lineWidth: 0 });
  const env = parseEnvironment(`${name}.yaml`, environmentYaml).env;
  const loaded = resolveFactory(env);
  const base = jumpCase(name, loaded);
  return {
    ...base,
    checkEnv: { ...base.checkEnv, HOST_CHECKS: HOST_CHECKS_TIMEOUT },
    ldap: { mode, unreachableAtBoot, environmentYaml, directoryAddress, guestAddress: loaded.plan.jump[0], subnet },
  };
}

/** Stand-ins for the test's CA and admin key, where only the package list matters. */
const PACKAGE_LIST_CONTEXT = (): LdapContext => ({
  caPem: parse(readFileSync(path.join(REPO, "test/fixtures/maximal.yaml"), "utf8")).ldap.caCertificate,
  adminPublicKey: parse(readFileSync(path.join(REPO, "environments/example.yaml"), "utf8")).admin.sshPublicKeys[0],
});

export function bootCases(context: LdapContext = PACKAGE_LIST_CONTEXT()): BootCase[] {
  const example = load("environments/example.yaml");
  const maximal = load("test/fixtures/maximal.yaml"); // network.egress: jump
  const nfs = nfsCase("nfs", example);
  return [
    jumpCase("jump", example),
    jumpCase("jump-egress", maximal),
    nfs,
    webCase("web", example),
    nfsCase("nfs-broken-fs-setup", example, withMissingFsDevice(nfs.userData), [`data disk mounted at ${DATA_MOUNT}`]),
    // LDAP logins: the bind password pushed and rotated with factory ldap-password; and
    // anonymous binds with the directory silent during first boot, answering later.
    ldapJumpCase("jump-ldap", "bind", false, context),
    ldapJumpCase("jump-ldap-unreachable", "anonymous", true, context),
    // The roles that boot here (Jenkins needs its package repository and update site) on Debian 13 too.
    onTrixie(jumpCase("jump", example)),
    onTrixie(nfs),
    onTrixie(webCase("web", example)),
  ];
}

/** Every package the cases' user-data asks cloud-init to install. */
export function requestedPackages(cases: readonly BootCase[]): string[] {
  const names = new Set<string>();
  for (const c of cases) {
    for (const p of parse(c.userData)?.packages ?? []) names.add(Array.isArray(p) ? String(p[0]) : String(p));
  }
  return [...names].sort();
}

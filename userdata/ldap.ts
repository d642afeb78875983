// LDAP logins on every server (environment file: `ldap`): sssd's LDAP id and auth
// providers over ldaps:// with the given CA, access for the two groups only, people's SSH
// keys from the directory (sshPublicKey, read by sshd through sss_ssh_authorizedkeys),
// sudo for the admins group. The local `factory` user stays the break-glass account: sssd
// never answers for it and sshd never asks sssd for its keys.
//
// A bind password is never in user-data: with `ldap.bind`, first boot leaves sssd off
// (no LDAP logins) until `factory ldap-password` pushes the password over SSH into
// BIND_PASSWORD_FILE and starts it (ldap-bind-password.sh). Anonymous binds need nothing.
import type { LdapSettings } from "../config/schema";
import { ADMIN } from "../config/roles";
import type { PackageFamily } from "./base";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { scriptFile, scriptPath } from "./scripts";

export const SSSD_CONF = "/etc/sssd/sssd.conf";
/** sssd's domain of the directory (users log in by their plain uid: no @domain). */
const SSSD_DOMAIN = "factory";
/** The CA that signed the directory servers' certificates: trusted for LDAP only (sssd, Jenkins' JVM). */
export const LDAP_CA_FILE = "/etc/factory/ldap-ca.pem";
/** Written by ldap-bind-password.sh (root, 0600): the only place the bind password is on a server. */
export const BIND_PASSWORD_FILE = "/etc/sssd/conf.d/50-factory-bind-password.conf";
export const SSHD_LDAP_DROPIN = "/etc/ssh/sshd_config.d/20-factory-ldap.conf";
export const SUDOERS_FILE = "/etc/sudoers.d/factory-ldap-admins";
const AUTHORIZED_KEYS_COMMAND = "/usr/bin/sss_ssh_authorizedkeys";

/** sssd with its LDAP provider, NSS and PAM modules, and sssctl (the first boot checks the configuration with it). */
export const SSSD_PACKAGES: Record<PackageFamily, readonly string[]> = {
  apt: ["sssd-ldap", "sssd-tools", "libnss-sss", "libpam-sss"],
  zypper: ["sssd", "sssd-ldap", "sssd-tools"],
};

/**
 * Debian's sss libraries recommend the `sssd` metapackage, and cloud-init installs
 * recommendations: it would bring the AD, IPA, Kerberos and proxy providers and Samba's
 * libraries (63 packages instead of 50 on the jump host, found booting it). A negative pin
 * keeps it out; apt skips a recommendation it may not install. Written before the packages.
 */
export const APT_SSSD_PIN = "/etc/apt/preferences.d/factory-sssd-ldap-only";
const APT_SSSD_PIN_CONTENT = [
  "# Image factory: sssd's LDAP provider only, not the sssd metapackage (every provider, Samba's libraries).",
  "Package: sssd",
  "Pin: version *",
  "Pin-Priority: -1",
  "",
].join("\n");

/** Adds LDAP logins to a role's cloud-config; call after the role's own users are added. */
export function addLdapLogins(config: CloudConfig, { env }: UserDataContext, family: PackageFamily): void {
  const ldap = env.ldap;
  if (!ldap) return;
  const localUsers = ["root", ...config.users.map((u) => u.name)];
  config.packages.push(...SSSD_PACKAGES[family]);
  config.write_files.push(
    ...(family === "apt" ? [{ path: APT_SSSD_PIN, content: APT_SSSD_PIN_CONTENT, owner: "root:root", permissions: "0644" }] : []),
    { path: LDAP_CA_FILE, content: ldap.caCertificate.trimEnd() + "\n", owner: "root:root", permissions: "0644" },
    // Deferred until the packages are in: Debian's sssd starts at installation when it finds
    // a configuration, and it must not run before ldap-logins.sh decides whether it may.
    { path: SSSD_CONF, content: sssdConf(ldap, localUsers), owner: "root:root", permissions: "0600", defer: true },
    { path: SSHD_LDAP_DROPIN, content: SSHD_DROPIN, owner: "root:root", permissions: "0600" },
    { path: SUDOERS_FILE, content: sudoers(ldap), owner: "root:root", permissions: "0440" },
    scriptFile("ldap-logins"),
    scriptFile("ldap-bind-password"),
  );
  config.runcmd.push([scriptPath("ldap-logins"), family, ldap.bind ? "bind" : "anonymous"]);
}

/** sssd.conf: one LDAP domain, access for the two groups, keys through the ssh responder. */
function sssdConf(ldap: LdapSettings, localUsers: readonly string[]): string {
  const filtered = [...new Set(localUsers)].join(", ");
  const userSearchBase = ldap.userFilter ? `${ldap.baseDn}?subtree?${ldap.userFilter}` : undefined;
  const lines = [
    `# Image factory: LDAP logins for the groups ${ldap.groups.admins} and ${ldap.groups.users} (environment file: ldap).`,
    `# No password is in this file${ldap.bind ? `: the bind password is pushed into ${BIND_PASSWORD_FILE} (factory ldap-password)` : ": the directory takes anonymous binds"}.`,
    "[sssd]",
    "services = nss, pam, ssh",
    `domains = ${SSSD_DOMAIN}`,
    "",
    "[nss]",
    "# Local accounts, the break-glass user among them, never wait for the directory.",
    `filter_users = ${filtered}`,
    `filter_groups = ${filtered}`,
    "",
    "[pam]",
    "",
    "[ssh]",
    "",
    `[domain/${SSSD_DOMAIN}]`,
    "id_provider = ldap",
    "auth_provider = ldap",
    "chpass_provider = none",
    "# Only members of these two groups may log in; everyone else in the directory is refused.",
    "access_provider = simple",
    `simple_allow_groups = ${ldap.groups.admins}, ${ldap.groups.users}`,
    `ldap_uri = ${ldap.uris.join(", ")}`,
    "# RFC 2307: posixAccount users, posixGroup groups listing their members' uid in memberUid.",
    "ldap_schema = rfc2307",
    `ldap_search_base = ${ldap.baseDn}`,
    ...(userSearchBase ? [`ldap_user_search_base = ${userSearchBase}`] : []),
    ...(ldap.bind ? [`ldap_default_bind_dn = ${ldap.bind.dn}`] : []),
    "ldap_tls_reqcert = demand",
    `ldap_tls_cacert = ${LDAP_CA_FILE}`,
    "ldap_user_ssh_public_key = sshPublicKey",
    "# SSH keys only: no password is ever cached.",
    "cache_credentials = false",
    "# After an outage, back online within five minutes (the default backs off to an hour).",
    "offline_timeout_max = 300",
    "",
  ];
  for (const line of lines) if (/[\n\r]/.test(line)) throw new Error(`sssd.conf: a line break in "${line}"`);
  return lines.join("\n");
}

const SSHD_DROPIN = [
  "# Image factory: people's SSH keys come from the directory (sshPublicKey, through sssd).",
  `AuthorizedKeysCommand ${AUTHORIZED_KEYS_COMMAND}`,
  "AuthorizedKeysCommandUser nobody",
  `# Break-glass: the local ${ADMIN.name} user's keys never depend on sssd or the directory.`,
  `Match User ${ADMIN.name}`,
  "\tAuthorizedKeysCommand none",
  "",
].join("\n");

function sudoers(ldap: LdapSettings): string {
  return [
    `# Image factory: the directory's ${ldap.groups.admins} group may run anything as root (they log in with SSH keys only, so no password).`,
    `%${ldap.groups.admins} ALL=(ALL:ALL) NOPASSWD: ALL`,
    "",
  ].join("\n");
}

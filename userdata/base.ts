// What every server gets on first boot (seeds 000_*): the admin user, a hardened sshd,
// hardened network sysctls, time sync, the package mirrors, and a marker that says the
// first boot finished. Role renderers add to the object this returns.
import type { AptConfig, CloudConfig, Command, WriteFile } from "./cloud-config";
import { scriptFile, scriptPath } from "./scripts";
import type { UserDataContext } from "./context";
import { ADMIN } from "../config/roles";

/** Package manager family of a server: Debian's apt, or zypper for openSUSE/SLES build hosts. */
export type PackageFamily = "apt" | "zypper";

/** Written as the very last step of a successful first boot. */
export const FIRST_BOOT_MARKER = "/var/lib/factory/first-boot-done";

// seeds 000_*: "only state-of-the-art cryptography". harden-sshd.sh drops any name the
// installed OpenSSH does not know, so an older sshd never refuses to start.
const SSHD_HARDENING = [
  "# Image factory: keys only, no root, modern cryptography only (seeds 000).",
  "# First match wins in sshd, so this file (10-) overrides later drop-ins and sshd_config.",
  "PermitRootLogin no",
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "PermitEmptyPasswords no",
  "PubkeyAuthentication yes",
  "AuthenticationMethods publickey",
  "X11Forwarding no",
  "AllowAgentForwarding no",
  "MaxAuthTries 3",
  "LoginGraceTime 30",
  "ClientAliveInterval 300",
  "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256",
  "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr",
  "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256",
  "",
].join("\n");

// seeds 000_*: "redirects and other potentially risky network settings (e.g. icmp
// broadcasts) are disabled". A leading "-" lets systemd-sysctl skip a key the kernel lacks.
const SYSCTL_HARDENING = [
  "# Image factory network hardening (seeds 000).",
  "net.ipv4.conf.all.accept_redirects = 0",
  "net.ipv4.conf.default.accept_redirects = 0",
  "net.ipv4.conf.all.secure_redirects = 0",
  "net.ipv4.conf.default.secure_redirects = 0",
  "net.ipv4.conf.all.send_redirects = 0",
  "net.ipv4.conf.default.send_redirects = 0",
  "net.ipv4.conf.all.accept_source_route = 0",
  "net.ipv4.conf.default.accept_source_route = 0",
  "net.ipv4.conf.all.rp_filter = 1",
  "net.ipv4.conf.default.rp_filter = 1",
  "net.ipv4.conf.all.log_martians = 1",
  "net.ipv4.icmp_echo_ignore_broadcasts = 1",
  "net.ipv4.icmp_ignore_bogus_error_responses = 1",
  "net.ipv4.tcp_syncookies = 1",
  "-net.ipv6.conf.all.accept_redirects = 0",
  "-net.ipv6.conf.default.accept_redirects = 0",
  "-net.ipv6.conf.all.accept_source_route = 0",
  "-net.ipv6.conf.default.accept_source_route = 0",
  "kernel.kptr_restrict = 2",
  "kernel.dmesg_restrict = 1",
  "fs.protected_hardlinks = 1",
  "fs.protected_symlinks = 1",
  "",
].join("\n");

export interface BaseOptions {
  readonly family: PackageFamily;
}

/** The base cloud-config of every role. Add role parts, then call finish(). */
export function baseConfig(ctx: UserDataContext, { family }: BaseOptions): CloudConfig {
  const { env } = ctx;
  const files: WriteFile[] = [
    { path: "/etc/ssh/sshd_config.d/10-factory-hardening.conf", content: SSHD_HARDENING, owner: "root:root", permissions: "0600" },
    { path: "/etc/sysctl.d/60-factory-hardening.conf", content: SYSCTL_HARDENING, owner: "root:root", permissions: "0644" },
    scriptFile("harden-sshd"),
  ];
  const apt = family === "apt" ? aptMirrors(ctx) : undefined;
  return {
    users: [
      {
        name: ADMIN.name,
        gecos: "Image factory admin",
        shell: "/bin/bash",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        lock_passwd: true,
        ssh_authorized_keys: [...env.admin.sshPublicKeys],
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
    ssh_genkeytypes: ["ed25519", "ecdsa", "rsa"],
    // sudo looks up the server's own name on every call: without it in /etc/hosts each sudo
    // asks DNS, which may not know the name ("unable to resolve host", after a DNS timeout).
    manage_etc_hosts: "localhost",
    ...(apt ? { apt } : {}),
    ntp: env.timeServers.length > 0 ? { enabled: true, servers: [...env.timeServers] } : { enabled: true },
    // No upgrade on first boot: the images are fresh, and first boot must not depend on a
    // reachable mirror for packages that are already installed.
    package_update: false,
    package_upgrade: false,
    packages: [],
    bootcmd: apt?.sources_list ? [DISABLE_DEB822_DEBIAN_SOURCES] : [],
    mounts: [],
    write_files: files,
    // cloud-init runs these lines as one sh script; `set -e` makes any failing step fail
    // the first boot (cloud-init status: error) instead of being skipped silently.
    runcmd: [RUNCMD_STRICT, ["systemctl", "restart", "systemd-sysctl.service"], [scriptPath("harden-sshd")]],
  };
}

/** Appends the final marker; call after every role part is added. */
export function finish(config: CloudConfig): CloudConfig {
  return {
    ...config,
    runcmd: [...config.runcmd, ["install", "-D", "-m", "0644", "/dev/null", FIRST_BOOT_MARKER]],
  };
}

/** `set -e` as the first line of cloud-init's runcmd script (argv entries are quoted, this one is not). */
const RUNCMD_STRICT = "set -e";

// The apt module writes sources.list from this template; Debian 12+ images also carry the
// deb822 debian.sources, which would keep the distribution's servers in use.
function aptMirrors({ env }: UserDataContext): AptConfig | undefined {
  const { debian, debianSecurity } = env.mirrors;
  if (!debian && !debianSecurity) return undefined;
  return {
    preserve_sources_list: false,
    ...(debian ? { primary: [{ arches: ["default"], uri: debian }] } : {}),
    ...(debianSecurity ? { security: [{ arches: ["default"], uri: debianSecurity }] } : {}),
    sources_list: ["deb $PRIMARY $RELEASE main", "deb $PRIMARY $RELEASE-updates main", "deb $SECURITY $RELEASE-security main", ""].join(
      "\n",
    ),
  };
}

const DISABLE_DEB822_DEBIAN_SOURCES: Command = [
  "sh",
  "-c",
  'f=/etc/apt/sources.list.d/debian.sources; if [ -f "$f" ]; then mv "$f" "$f.disabled-by-factory"; fi',
];

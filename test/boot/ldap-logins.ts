// The LDAP cases of the boot test, checked from outside: the test's real directory (Debian's
// slapd, test/ldap/directory.ts) reached by the jump host through qemu's user network, and
// people logging in over SSH with their own keys, as they would on a deployed factory.
//
//   guest ldaps://<subnet>.250:636 --guestfwd--> forward-directory (socat) --> slapd on 127.0.0.1
//   ssh -p <port> 127.0.0.1        --hostfwd---> the jump host's sshd
//
// The guest's checks (guest/check.sh) stop after the role's checks and wait for the host:
// the host runs the checks below, then says it is done by creating the guest's host-done
// file (as the factory user, with sudo), and the guest finishes and powers off.
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { BootCase, LdapCase, LdapContext } from "./cases";
import { run, type RunResult } from "./proc";
import type { CheckResult } from "./verdict";
import { freePort } from "../free-port";
import { ADMINS, type Directory, type Person, startDirectory, USERS } from "../ldap/directory";

const REPO = path.join(__dirname, "..", "..", "..");
const FACTORY_CLI = path.join(REPO, "bin", "factory.js");
/** The guest's port of the directory: ldaps://ADDRESS, no port given, is 636. */
const LDAPS_PORT = 636;
/** Created in the guest when the host's checks are done (guest/check.sh waits for it). */
const GUEST_HOST_DONE = "/run/factory-boot-check/host-done";
/** How long sssd may take to notice the directory is back (sssd.conf: offline_timeout_max 300, plus its random offset). */
const BACK_ONLINE_SECONDS = 420;
/** A starved VM (TCG on a busy machine: the guest's kernel logs RCU stalls) can take minutes to answer. */
const SSH_SECONDS = 300;
const SSH_CONNECT_SECONDS = 120;
const SSH_FIRST_ANSWER_SECONDS = 600;

/** The directory and the break-glass key every LDAP case shares. */
export interface LdapBoot {
  readonly directory: Directory;
  readonly context: LdapContext;
  /** Private key of the factory user (the environment's admin.sshPublicKeys). */
  readonly adminKey: string;
  /** Kills slapd at once (the boot test's exit handler cannot wait). */
  kill(): void;
}

/** Starts the test's directory, with a certificate for the guests' directory addresses too. */
export async function startLdapBoot(dir: string, directoryAddresses: readonly string[], log: (line: string) => void): Promise<LdapBoot> {
  const directory = await startDirectory(path.join(dir, "slapd"), { addresses: directoryAddresses, log });
  const adminKey = path.join(dir, "factory.key");
  const keygen = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "factory@boot-test", "-f", adminKey], {
    timeoutSeconds: 30,
  });
  if (keygen.status !== 0) throw new Error(`ssh-keygen: ${keygen.output}`);
  return {
    directory,
    context: { caPem: directory.caPem, adminPublicKey: readFileSync(`${adminKey}.pub`, "utf8").trim() },
    adminKey,
    kill: () => directory.kill(),
  };
}

/** One case's way in (SSH) and the directory's way out of the VM, with a switch for the latter. */
export interface GuestLink {
  readonly sshPort: number;
  /** More options of qemu's user network. */
  readonly netdevOptions: readonly string[];
  /** Whether the directory answers the guest: off, each connection is closed at once (as with nothing listening). */
  setReachable(reachable: boolean): void;
  readonly knownHosts: string;
}

export async function linkGuest(ldap: LdapCase, dir: string, directory: Directory): Promise<GuestLink> {
  const sshPort = await freePort();
  const flag = path.join(dir, "directory-reachable");
  const forwarder = path.join(dir, "forward-directory");
  // qemu runs this for every connection the guest opens to the directory's address, with
  // the connection on stdin and stdout.
  writeFileSync(forwarder, `#!/bin/sh\n[ -e '${flag}' ] || exit 0\nexec socat STDIO TCP:127.0.0.1:${directory.port}\n`);
  chmodSync(forwarder, 0o755);
  const setReachable = (reachable: boolean) => (reachable ? writeFileSync(flag, "") : rmSync(flag, { force: true }));
  setReachable(!ldap.unreachableAtBoot);
  for (const p of [dir, forwarder]) if (p.includes(",")) throw new Error(`${p}: qemu's option syntax has no room for a comma`);
  return {
    sshPort,
    netdevOptions: [
      `net=${ldap.subnet}`,
      `hostfwd=tcp:127.0.0.1:${sshPort}-${ldap.guestAddress}:22`,
      `guestfwd=tcp:${ldap.directoryAddress}:${LDAPS_PORT}-cmd:${forwarder}`,
    ],
    setReachable,
    knownHosts: path.join(dir, "known_hosts"),
  };
}

interface Login {
  readonly user: string;
  readonly key: string;
}

/** Runs the case's checks from outside; always tells the guest it is done, whatever happened. */
export async function hostChecks(c: BootCase, link: GuestLink, boot: LdapBoot, dir: string): Promise<CheckResult[]> {
  const ldap = c.ldap!;
  const { directory } = boot;
  const results: CheckResult[] = [];
  const factory: Login = { user: "factory", key: boot.adminKey };
  const person = (p: Person): Login => ({ user: p.uid, key: p.key });
  const { alice, bob, carol, dave, erin } = directory.people;

  const ssh = (who: Login, command: string, timeoutSeconds = SSH_SECONDS): Promise<RunResult> =>
    run("ssh", [...sshOptions(link), "-i", who.key, "-p", String(link.sshPort), `${who.user}@127.0.0.1`, command], {
      timeoutSeconds,
      env: sshEnv(),
    });
  const check = (name: string, ok: boolean, detail: string) => results.push({ name: `host: ${name}`, ok, detail: oneLine(detail) });
  const asRoot = (command: string) => ssh(factory, `sudo -n sh -c '${command}'`);

  /** Logs in (into a home directory of their own) and tries `sudo -n`; says whether login and sudo worked. */
  const loginAndSudo = async (who: Login) => {
    const r = await ssh(
      who,
      `id -un; id -Gn; [ "$(pwd)" = "$HOME" ] && [ -O "$HOME" ] && echo HOME-OK; if sudo -n id -u; then echo SUDO-OK; else echo SUDO-REFUSED; fi`,
    );
    const lines = r.output.trim().split("\n");
    return {
      loggedIn: r.status === 0 && lines[0] === who.user && r.output.includes("HOME-OK"),
      sudo: r.output.includes("SUDO-OK"),
      groups: lines[1] ?? "",
      said: r.output,
    };
  };
  const admin = async (p: Person, when = "") => {
    const r = await loginAndSudo(person(p));
    check(
      `${p.uid} (${ADMINS}) logs in with her own key and may sudo${when}`,
      r.loggedIn && r.sudo && r.groups.split(" ").includes(ADMINS),
      r.said,
    );
  };
  const user = async (p: Person) => {
    const r = await loginAndSudo(person(p));
    const rules = await asRoot(`sudo -l -U ${p.uid}`);
    check(
      `${p.uid} (${USERS}) logs in and may not sudo`,
      r.loggedIn && !r.sudo && rules.output.includes(`User ${p.uid} is not allowed to run sudo`),
      `${r.said} / ${rules.output}`,
    );
  };
  /**
   * With keyVisible, the refusal must be sssd's access control: sshd gets the person's key
   * from the directory, and PAM's account phase (pam_sss, access_provider simple) says no.
   * Without, the person is no user here at all (no key, no account).
   */
  const refused = async (p: Person, why: string, keyVisible: boolean) => {
    const r = await ssh(person(p), "id -un");
    const keys = await asRoot(`sss_ssh_authorizedkeys ${p.uid}`);
    const sawKey = keys.output.includes(p.publicKey);
    const denied = keyVisible
      ? await asRoot(`journalctl -b -u ssh.service --no-pager -o cat | grep -F "Access denied for user ${p.uid}" | tail -n 2`)
      : undefined;
    const byAccessControl = !denied || denied.output.includes(`Access denied for user ${p.uid}`);
    check(
      `${p.uid} (${why}) is refused${keyVisible ? ", by sssd's access control: the directory gives sshd her key" : ""}`,
      r.status === 255 && sawKey === keyVisible && byAccessControl,
      `ssh exit ${r.status}: ${r.output || "(nothing)"} / sss_ssh_authorizedkeys: ${keys.output || "(nothing)"}${denied ? ` / sshd: ${denied.output || "(no access denial logged)"}` : ""}`,
    );
  };
  const factoryLogsIn = async (when: string) => {
    const r = await loginAndSudo(factory);
    // sudo finds the server's own name locally (manage_etc_hosts), not by a DNS timeout.
    check(
      `factory logs in with the admin key and may sudo${when}`,
      r.loggedIn && r.sudo && !r.said.includes("unable to resolve host"),
      r.said,
    );
  };
  // factory ldap-password as an admin runs it, the jump host being 127.0.0.1 on the forwarded port.
  const sshConfigFile = path.join(dir, "ssh_config");
  writeFileSync(sshConfigFile, sshConfig(link, boot.adminKey));
  const environmentFile = path.join(dir, "environment.yaml");
  writeFileSync(environmentFile, ldap.environmentYaml);
  const ldapPassword = (stdin: string) =>
    run(
      process.execPath,
      [
        FACTORY_CLI,
        "ldap-password",
        "--config",
        environmentFile,
        "--jump",
        "127.0.0.1",
        "--only",
        "jump-0",
        "--ssh-config",
        sshConfigFile,
        "--connect-timeout",
        String(SSH_CONNECT_SECONDS),
      ],
      { timeoutSeconds: 600, input: stdin, env: sshEnv() },
    );
  const pushPassword = async (password: string, what: string) => {
    const r = await ldapPassword(`${password}\n`);
    check(`factory ldap-password ${what}`, r.status === 0 && r.output.includes("1 of 1 servers have the bind password"), r.output);
  };

  try {
    // The guest's sshd may be slow to answer the first time; later checks then have it warm.
    const started = Date.now();
    let first = await ssh(factory, "true");
    while (first.status !== 0 && Date.now() - started < SSH_FIRST_ANSWER_SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      first = await ssh(factory, "true");
    }
    if (first.status !== 0) throw new Error(`sshd did not answer factory in ${SSH_FIRST_ANSWER_SECONDS} s: ${first.output.trim()}`);
    if (ldap.mode === "bind") {
      await factoryLogsIn(" (no bind password yet)");
      await refused(alice, "no bind password pushed yet: sssd is off", false);
      await pushPassword(directory.bindPassword, "pushes the bind password");
      await admin(alice);
      await user(bob);
      await refused(carol, "in neither group", true);
      await refused(erin, `in ${ADMINS} but outside ldap.userFilter`, false);
      // A password sssd's parser would change (a trailing blank) is refused on the server; the one in place stays.
      const bad = await ldapPassword("trailing blank \n");
      const still = await loginAndSudo(person(alice));
      check(
        "a password with a trailing blank is refused by the server, and the one in place still binds",
        bad.status === 1 && bad.output.includes("the password must not start or end with a blank") && still.loggedIn,
        `${bad.output} / ${still.said}`,
      );
      // Rotation: a new password in the directory (the old one no longer binds), then pushed.
      directory.rotateBindPassword(`rotated ${Date.now()} =;# x`);
      await pushPassword(directory.bindPassword, "rotates it (a new password set in the directory)");
      const dave1 = await loginAndSudo(person(dave));
      check(`${dave.uid} (${USERS}), looked up only after the rotation, logs in`, dave1.loggedIn && !dave1.sudo, dave1.said);
      await factoryLogsIn(" (at the end)");
    } else {
      await factoryLogsIn(" (the directory unreachable since first boot)");
      await refused(alice, "the directory unreachable, nothing cached", false);
      link.setReachable(true);
      const started = Date.now();
      let r = await loginAndSudo(person(alice));
      while (!r.loggedIn && Date.now() - started < BACK_ONLINE_SECONDS * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        r = await loginAndSudo(person(alice));
      }
      const waited = Math.round((Date.now() - started) / 1000);
      check(
        `the directory back, ${alice.uid} (${ADMINS}) logs in with her own key and may sudo (after ${waited} s)`,
        r.loggedIn && r.sudo,
        r.said,
      );
      await user(bob);
      await refused(carol, "in neither group", true);
      await factoryLogsIn(" (at the end)");
    }
  } catch (e) {
    check("host checks ran to the end", false, e instanceof Error ? e.message : String(e));
  } finally {
    const done = await asRoot(`touch ${GUEST_HOST_DONE}`);
    if (done.status !== 0) check("told the guest the host checks are done", false, done.output);
  }
  return results;
}

function sshOptions(link: GuestLink): string[] {
  return [
    "-F",
    "/dev/null",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${SSH_CONNECT_SECONDS}`,
    "-o",
    `UserKnownHostsFile=${link.knownHosts}`,
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "LogLevel=ERROR",
  ];
}

/** What `factory ldap-password --ssh-config` gets: the jump host is 127.0.0.1 on the case's forwarded port. */
function sshConfig(link: GuestLink, key: string): string {
  return [
    "Host 127.0.0.1",
    `  Port ${link.sshPort}`,
    `  IdentityFile ${key}`,
    "  IdentitiesOnly yes",
    `  UserKnownHostsFile ${link.knownHosts}`,
    "  StrictHostKeyChecking accept-new",
    "  LogLevel ERROR",
    "",
  ].join("\n");
}

/** No agent: only the key given may be offered. */
function sshEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SSH_AUTH_SOCK;
  return env;
}

function oneLine(text: string): string {
  return text
    .trim()
    .replace(/\s*\n\s*/g, " | ")
    .slice(0, 400);
}

/** The LDAP cases' directory addresses (the certificate must name them). */
export function directoryAddresses(cases: readonly BootCase[]): string[] {
  return [...new Set(cases.flatMap((c) => (c.ldap ? [c.ldap.directoryAddress] : [])))];
}

// factory ldap-password --jump ADDRESS[,ADDRESS...] [--web ADDRESS,...] [--config FILE]
//                       [--only NAME,...] [--ssh-config FILE] [--connect-timeout SECONDS]  < password
// Pushes the directory's bind password (ldap.bind.dn) to the running servers over SSH, as
// the factory user: the jump hosts directly, NFS, Jenkins and the web servers through the
// first jump host. Each server's ldap-bind-password.sh puts it where sssd reads it and
// restarts sssd; on Jenkins also into the credential file of the LDAP realm. Rotating is
// running it again with the new password (after changing it in the directory). The
// password never goes into a file here, an argument list or Terraform: only ssh's stdin.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolveFactory } from "../config/factory-model";
import { loadEnvironments } from "../config/load";
import { ADMIN } from "../config/roles";
import { LDAP_BIND_PASSWORD_FILE } from "../userdata/jenkins";
import { scriptPath } from "../userdata/scripts";
import { configFiles } from "./config-files";
import { CliError, EXIT_FAILURE, EXIT_OK, UsageError } from "./errors";
import type { Command } from "./factory";

interface Target {
  readonly name: string;
  readonly address: string;
  /** Reached through the first jump host. */
  readonly viaJump: boolean;
  readonly args: readonly string[];
}

/** Seconds ssh waits for a server to connect and greet (ssh's ConnectTimeout); each server's whole push may take three minutes more. */
const DEFAULT_CONNECT_TIMEOUT = 30;
const MAX_CONNECT_TIMEOUT = 600;
const PUSH_SECONDS = 180;

const list = (value: unknown): string[] =>
  typeof value === "string"
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

export const ldapPasswordCommand: Command = {
  options: {
    config: { type: "string", multiple: true, short: "c" },
    jump: { type: "string" },
    web: { type: "string" },
    only: { type: "string" },
    "ssh-config": { type: "string", short: "F" },
    "connect-timeout": { type: "string" },
  },
  run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (the password comes on stdin)`);
    const loaded = loadEnvironments(configFiles(values.config as string[] | undefined));
    if (loaded.length > 1)
      throw new UsageError(`${loaded.length} environments (${loaded.map((l) => l.file).join(", ")}): pick one with --config FILE`);
    const { env, file } = loaded[0];
    if (!env.ldap) throw new CliError(`${file}: ldap: not set: this factory has no LDAP logins`);
    if (!env.ldap.bind)
      throw new CliError(`${file}: ldap.bind: not set: the directory takes anonymous binds, so there is no password to push`);
    const jumps = list(values.jump);
    if (jumps.length === 0)
      throw new UsageError("--jump ADDRESS[,ADDRESS...]: the jump hosts' addresses (the factory stack's output jump_addresses)");
    const webs = list(values.web);
    const timeoutText = (values["connect-timeout"] as string | undefined) ?? String(DEFAULT_CONNECT_TIMEOUT);
    const connectTimeout = Number(timeoutText);
    if (!/^\d+$/.test(timeoutText) || connectTimeout < 1 || connectTimeout > MAX_CONNECT_TIMEOUT) {
      throw new UsageError(`--connect-timeout: "${timeoutText}" is not a number of seconds from 1 to ${MAX_CONNECT_TIMEOUT}`);
    }
    const { roles } = resolveFactory(env);

    const all: Target[] = [
      ...roles.jump.hosts.map((_, i) => ({ name: `jump-${i}`, address: jumps[i] ?? "", viaJump: false, args: [] })),
      { name: "nfs", address: roles.nfs.host.address ?? "", viaJump: true, args: [] },
      {
        name: "jenkins",
        address: roles.jenkins.host.address ?? "",
        viaJump: true,
        args: ["--jenkins-credential", LDAP_BIND_PASSWORD_FILE],
      },
      ...roles.web.hosts.map((_, i) => ({ name: `web-${i}`, address: webs[i] ?? "", viaJump: true, args: [] })),
    ];
    const only = list(values.only);
    const unknown = only.filter((n) => !all.some((t) => t.name === n));
    if (unknown.length > 0) throw new UsageError(`--only: no server ${unknown.join(", ")} (servers: ${all.map((t) => t.name).join(", ")})`);
    const targets = only.length > 0 ? all.filter((t) => only.includes(t.name)) : all;
    const missing = targets.filter((t) => t.address === "");
    if (missing.length > 0) {
      throw new UsageError(
        `no address for ${missing.map((t) => t.name).join(", ")}: give every jump host in --jump and every web server in --web (the outputs jump_addresses and web_addresses), or leave them out with --only`,
      );
    }

    if (process.stdin.isTTY) throw new UsageError("give the password on stdin, e.g.: pass show ldap/reader | factory ldap-password ...");
    const password = readFileSync(0, "utf8").replace(/\r?\n$/, "");
    if (password === "" || /[\n\r]/.test(password)) throw new CliError("stdin: the bind password must be one non-empty line");

    const sshConfig = values["ssh-config"] as string | undefined;
    const base = [...(sshConfig ? ["-F", sshConfig] : []), "-o", "BatchMode=yes", "-o", `ConnectTimeout=${connectTimeout}`];
    let failed = 0;
    for (const t of targets) {
      const hop = t.viaJump ? ["-J", `${ADMIN.name}@${jumps[0]}`] : [];
      const remote = ["sudo", "-n", scriptPath("ldap-bind-password"), ...t.args].join(" ");
      const r = spawnSync("ssh", [...base, ...hop, `${ADMIN.name}@${t.address}`, remote], {
        input: `${password}\n`,
        encoding: "utf8",
        timeout: (connectTimeout + PUSH_SECONDS) * 1000,
      });
      // The script's last word: on success its summary (stdout), else why it failed (stderr).
      const lastLine = (text: string | null) => (text ?? "").trim().split("\n").filter(Boolean).at(-1);
      if (r.status === 0) {
        const said = lastLine(r.stdout);
        process.stdout.write(`${t.name} ${t.address}: ok${said ? ` (${said})` : ""}\n`);
      } else {
        failed++;
        const said = lastLine(r.stderr) ?? lastLine(r.stdout) ?? r.error?.message ?? "no output";
        process.stderr.write(`${t.name} ${t.address}: FAILED (ssh exit ${r.status ?? r.signal}): ${said}\n`);
      }
    }
    if (targets.some((t) => t.name === "jenkins") && failed === 0)
      process.stdout.write("jenkins: run the job factory-config-reload (or restart Jenkins) for the LDAP realm to use it\n");
    process.stdout.write(`${targets.length - failed} of ${targets.length} servers have the bind password\n`);
    return failed === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};

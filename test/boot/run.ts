// `npm run test:boot`: boots the jump, NFS and web user-data in a local VM and checks the
// result (see README, "Boot test"); the LDAP cases against the test's own slapd, with
// logins over SSH from outside (ldap-logins.ts). Long (minutes per role), so not part of `npm test`.
//
//   node dist/test/boot/run.js [--only CASE,...] [--parallel N] [--cache-dir DIR] [--keep-logs DIR]
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type BootCase, bootCases, requestedPackages } from "./cases";
import { directoryAddresses, hostChecks, type LdapBoot, linkGuest, startLdapBoot } from "./ldap-logins";
import { killAll, tail } from "./proc";
import { bootInQemu } from "./qemu";
import { buildMachine, configuredMirror, type Machine, type Suite } from "./rootfs";
import { withVmSlot } from "../vm-slots";
import { writeSeedIso } from "./seed";
import { type CheckResult, judge, readGuestReport } from "./verdict";

const TOOLS = ["debootstrap", "systemd-nspawn", "dpkg-scanpackages", "mkfs.ext4", "genisoimage", "qemu-img", "qemu-system-x86_64"];
// A backstop, not a speed target: on a busy 2-core machine (other VMs, an OpenStack) a
// first boot under TCG takes five times as long as idle; jump-egress needed over 20 min.
const CASE_TIMEOUT_SECONDS = 2400;
/** An LDAP case's VM also waits while the host logs in and out (guest/check.sh: HOST_CHECKS). */
const HOST_CHECKS_EXTRA_SECONDS = 1500;

interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly reason: string;
  readonly seconds: number;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function minutes(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Unmounts anything left mounted below dir (deepest first), then removes it. */
function removeWorkDir(dir: string): void {
  if (!existsSync(dir)) return;
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync("umount", ["-l", m]);
  const left = readFileSync("/proc/self/mounts", "utf8").includes(` ${dir}/`);
  if (left) {
    process.stderr.write(`boot test: something is still mounted under ${dir}; left in place\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

function checkPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return "must run as root (debootstrap, systemd-nspawn)";
  const missing = TOOLS.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status !== 0);
  if (missing.length > 0)
    return `missing tools: ${missing.join(", ")} (apt packages: debootstrap systemd-container dpkg-dev genisoimage qemu-utils qemu-system-x86)`;
  return undefined;
}

/** Boots one case and prints its checks and verdict in one block. */
async function bootCase(
  c: BootCase,
  i: number,
  o: { workDir: string; machine: Machine; cpus: number; keepLogs?: string; ldap?: LdapBoot },
): Promise<CaseResult> {
  const dir = path.join(o.workDir, "cases", c.name);
  mkdirSync(dir, { recursive: true });
  const mac = `52:54:00:fa:c7:${(i + 1).toString(16).padStart(2, "0")}`;
  say(
    `boot test: ${c.name}: booting (${c.role}${c.mustFail.length ? ", broken on purpose" : ""}${c.ldap ? `, LDAP ${c.ldap.mode}${c.ldap.unreachableAtBoot ? ", directory unreachable at first boot" : ""}` : ""})`,
  );
  const seedIso = await writeSeedIso(
    { caseName: c.name, userData: c.userData, mac, address: c.address, gateway: c.gateway, checkEnv: c.checkEnv },
    dir,
  );
  const ldap = c.ldap ? o.ldap : undefined;
  const link = c.ldap && ldap ? await linkGuest(c.ldap, dir, ldap.directory) : undefined;
  let fromHost: Promise<CheckResult[]> | undefined;
  const ready = `BOOT-HOST-CHECKS-READY ${c.name}`;
  const timeoutSeconds = CASE_TIMEOUT_SECONDS + (link ? HOST_CHECKS_EXTRA_SECONDS : 0);
  const outcome = await withVmSlot(
    c.name,
    (line) => say(`boot test: ${line}`),
    () =>
      bootInQemu(c, o.machine, {
        dir,
        seedIso,
        mac,
        timeoutSeconds,
        cpus: o.cpus,
        netdevOptions: link?.netdevOptions,
        onLine: (line) => {
          if (link && ldap && !fromHost && line.includes(ready)) {
            say(`boot test: ${c.name}: first boot checked inside; logging in from outside (ssh 127.0.0.1:${link.sshPort})`);
            const t0 = Date.now();
            fromHost = hostChecks(c, link, ldap, dir).then((checks) => {
              say(`boot test: ${c.name}: checks from outside done in ${minutes((Date.now() - t0) / 1000)}`);
              return checks;
            });
          }
        },
      }),
  );
  const guest = readGuestReport(c.name, outcome.console);
  const host = link
    ? ((await fromHost) ?? [
        { name: "host: the guest got ready for the checks from outside", ok: false, detail: `no "${ready}" on the console` },
      ])
    : [];
  const report = { ...guest, checks: [...guest.checks, ...host] };
  const verdict = judge(report, c.mustFail);
  const reason = outcome.timedOut && !report.complete ? `timed out after ${timeoutSeconds} s; ${verdict.reason}` : verdict.reason;
  const lines = report.checks.map((check) => `  ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  if (!verdict.passed) {
    lines.push(...report.diagnostics.map((d) => `  | ${d}`));
    if (!report.complete) lines.push(tail(outcome.console, 60).replace(/^/gm, "  console| "));
  }
  lines.push(`boot test: ${verdict.passed ? "PASS" : "FAIL"} ${c.name} (${minutes(outcome.seconds)}): ${reason}`);
  say(lines.join("\n"));
  if (o.keepLogs) {
    mkdirSync(o.keepLogs, { recursive: true });
    copyFileSync(path.join(dir, "console.log"), path.join(o.keepLogs, `${c.name}.console.log`));
  }
  return { name: c.name, passed: verdict.passed, reason, seconds: outcome.seconds };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, "cache-dir": { type: "string" }, "keep-logs": { type: "string" }, parallel: { type: "string" } },
  });
  const problem = checkPrerequisites();
  if (problem) {
    process.stderr.write(`boot test: ${problem}\n`);
    return 2;
  }
  const started = Date.now();
  let cases: BootCase[] = bootCases();
  if (values.only) {
    const wanted = values.only.split(",");
    const unknown = wanted.filter((w) => !cases.some((c) => c.name === w));
    if (unknown.length > 0) {
      process.stderr.write(`boot test: unknown case(s) ${unknown.join(", ")}; cases: ${cases.map((c) => c.name).join(", ")}\n`);
      return 2;
    }
    cases = cases.filter((c) => wanted.includes(c.name));
  }

  const workDir = mkdtempSync(path.join(tmpdir(), "factory-boot-"));
  let ldap: LdapBoot | undefined;
  const cleanUp = () => {
    killAll();
    ldap?.kill();
    removeWorkDir(workDir);
  };
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`boot test: ${signal}, cleaning up\n`);
      cleanUp();
      process.exit(1);
    });
  }

  // Built from every case, so a package a role adds later is offline at boot too.
  const packages = requestedPackages(bootCases());
  say(`boot test: ${cases.length} case(s): ${cases.map((c) => c.name).join(", ")}; user-data packages: ${packages.join(" ") || "(none)"}`);
  // One machine per Debian release, built side by side; a case waits only for its own
  // (the trixie cases come last, so their machine is built while bookworm's cases boot).
  const mirror = configuredMirror();
  const machineSeconds = new Map<Suite, number>();
  const machines = new Map<Suite, Promise<Machine>>();
  for (const suite of new Set(cases.map((c) => c.suite))) {
    const t0 = Date.now();
    const built = buildMachine({
      suite,
      offlinePackages: packages,
      workDir: path.join(workDir, "machines", suite),
      cacheDir: values["cache-dir"] ? path.resolve(values["cache-dir"]) : undefined,
      mirror,
      log: (line) => say(`boot test: ${suite} ${line}`),
    }).then((machine) => {
      machineSeconds.set(suite, (Date.now() - t0) / 1000);
      say(`boot test: ${suite} machine ready in ${minutes(machineSeconds.get(suite) ?? 0)}`);
      return machine;
    });
    built.catch(() => undefined); // reported by the cases that needed it
    machines.set(suite, built);
  }

  // The LDAP cases are rendered again with the directory's CA and the test's admin key.
  const addresses = directoryAddresses(cases);
  if (addresses.length > 0) {
    ldap = await startLdapBoot(path.join(workDir, "ldap"), addresses, (line) => say(`boot test: ${line}`));
    const names = cases.map((c) => c.name);
    cases = bootCases(ldap.context).filter((c) => names.includes(c.name));
  }

  // TCG is CPU-bound and a first boot mostly runs one thing at a time (dpkg, cloud-init):
  // one single-CPU VM per core gets through the cases faster than one VM with every core.
  const requested = values.parallel === undefined ? availableParallelism() : Number(values.parallel);
  if (!Number.isInteger(requested) || requested < 1) {
    process.stderr.write(`boot test: --parallel must be a whole number of VMs, got ${values.parallel}\n`);
    return 2;
  }
  const parallel = Math.min(requested, cases.length);
  const cpus = Math.max(1, Math.floor(availableParallelism() / parallel));
  say(`boot test: ${parallel} VM(s) at a time, ${cpus} CPU(s) each`);
  const results: CaseResult[] = [];
  const queue = [...cases.entries()];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [i, c] = next;
      let machine: Machine;
      try {
        machine = await (machines.get(c.suite) as Promise<Machine>);
      } catch (e) {
        const reason = `its ${c.suite} machine was not built: ${e instanceof Error ? e.message : String(e)}`;
        say(`boot test: FAIL ${c.name}: ${reason}`);
        results.push({ name: c.name, passed: false, reason, seconds: 0 });
        continue;
      }
      results.push(await bootCase(c, i, { workDir, machine, cpus, keepLogs: values["keep-logs"], ldap }));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  results.sort((a, b) => cases.findIndex((c) => c.name === a.name) - cases.findIndex((c) => c.name === b.name));
  if (ldap && values["keep-logs"])
    copyFileSync(path.join(workDir, "ldap", "slapd", "slapd.log"), path.join(values["keep-logs"], "slapd.log"));

  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const machineTimes = [...machineSeconds].map(([suite, seconds]) => `machine ${suite} ${minutes(seconds)}`);
  say(
    `boot test: timings: ${[...machineTimes, ...results.map((r) => `${r.name} ${minutes(r.seconds)}`)].join(", ")}, total ${minutes((Date.now() - started) / 1000)}`,
  );
  say(`boot test: ${passed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`boot test: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

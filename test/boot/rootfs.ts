// The boot test's Debian machines (bookworm, and trixie for the roles on Debian 13), each
// built once per run: debootstrap, the packages a Debian cloud image has, and every package the rendered user-data asks for, kept in a
// local apt repository inside the image. Nothing can be downloaded at boot, so cloud-init's
// `packages:` installs from that repository, exactly as it would from a mirror: a role gets
// only its own packages and their services (the jump host must not find nginx listening).
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Document, YAMLSeq } from "yaml";
import { mustRun } from "./proc";

/** The Debian releases the boot test boots, by suite: the example's servers run both. */
const SUITES = { bookworm: "Debian 12", trixie: "Debian 13" } as const;
export type Suite = keyof typeof SUITES;
/** This machine's own release: its apt sources name the mirror every suite comes from. */
const HOST_SUITE: Suite = "bookworm";

/** What a Debian cloud image brings before any user-data (plus the kernel we boot). */
const BASE_PACKAGES = [
  "systemd-sysv",
  "udev",
  "dbus",
  "kmod",
  "iproute2",
  "iputils-ping",
  "procps",
  "less",
  "sudo",
  "locales",
  "ca-certificates",
  "netbase",
  "linux-image-amd64",
  "cloud-init",
  "cloud-guest-utils",
  "openssh-server",
  "curl",
  "fdisk",
  "gdisk",
  "e2fsprogs",
  "systemd-timesyncd",
];

/**
 * Offered offline even when no rendered user-data lists them yet, so that a role relying
 * on them (or cloud-init's ntp module choosing chrony) still finds them.
 */
const ALWAYS_OFFLINE = ["nfs-kernel-server", "nginx", "nftables", "keepalived", "rsync", "chrony"];

/** Where the image keeps the offline packages (a flat apt repository). */
const GUEST_REPO = "/var/lib/factory-boot-test/repo";
const GUEST_DIR = path.join(__dirname, "..", "..", "..", "test", "boot", "guest");

export interface Machine {
  readonly baseImage: string;
  readonly kernel: string;
  readonly initrd: string;
}

export interface RootfsOptions {
  readonly suite: Suite;
  /** Extra packages to keep offline (from the rendered user-data's `packages:`). */
  readonly offlinePackages: readonly string[];
  readonly workDir: string;
  /** When set, a finished machine is kept here under a key of everything it is built from. */
  readonly cacheDir?: string;
  readonly mirror: string;
  readonly log: (line: string) => void;
}

/** The Debian mirror this machine's apt uses (BOOT_TEST_MIRROR overrides). */
export function configuredMirror(): string {
  if (process.env.BOOT_TEST_MIRROR) return process.env.BOOT_TEST_MIRROR;
  const candidates: string[] = [];
  const dir = "/etc/apt/sources.list.d";
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sources")) : []) {
    for (const stanza of readFileSync(path.join(dir, file), "utf8").split(/\n\s*\n/)) {
      const field = (name: string) =>
        stanza
          .match(new RegExp(`^${name}:\\s*(.+)$`, "mi"))?.[1]
          .trim()
          .split(/\s+/) ?? [];
      if (field("Suites").includes(HOST_SUITE) && !field("Enabled").includes("no")) candidates.push(...field("URIs"));
    }
  }
  if (existsSync("/etc/apt/sources.list")) {
    for (const m of readFileSync("/etc/apt/sources.list", "utf8").matchAll(
      new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${HOST_SUITE}\\s`, "gm"),
    )) {
      candidates.push(m[1]);
    }
  }
  return candidates.find((u) => /^https?:/.test(u)) ?? "http://deb.debian.org/debian";
}

/** Builds the machine (or takes it from the cache); returns its files. */
export async function buildMachine(options: RootfsOptions): Promise<Machine> {
  mkdirSync(options.workDir, { recursive: true });
  const offline = [...new Set([...ALWAYS_OFFLINE, ...options.offlinePackages])].sort();
  const key = cacheKey(options.suite, offline, options.mirror);
  if (options.cacheDir) {
    const cached = path.join(options.cacheDir, key);
    const machine = machineIn(cached);
    if (existsSync(machine.baseImage) && existsSync(machine.kernel) && existsSync(machine.initrd)) {
      options.log(`machine: cached ${cached}`);
      return machine;
    }
    mkdirSync(options.cacheDir, { recursive: true });
    const partial = `${cached}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    try {
      await build(offline, partial, options);
      renameSync(partial, cached);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    return machineIn(cached);
  }
  const out = path.join(options.workDir, "machine");
  await build(offline, out, options);
  return machineIn(out);
}

function machineIn(dir: string): Machine {
  return { baseImage: path.join(dir, "base.raw"), kernel: path.join(dir, "vmlinuz"), initrd: path.join(dir, "initrd.img") };
}

/** Everything that shapes the image: the package lists, the mirror, the guest files, this builder. */
function cacheKey(suite: Suite, offline: readonly string[], mirror: string): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ suite, BASE_PACKAGES, offline, mirror }));
  h.update(readFileSync(__filename));
  for (const f of ["factory-boot-check", "factory-boot-check.service"]) h.update(readFileSync(path.join(GUEST_DIR, f)));
  return `${suite}-${h.digest("hex").slice(0, 16)}`;
}

async function build(offline: readonly string[], out: string, { suite, workDir, mirror, log }: RootfsOptions): Promise<void> {
  mkdirSync(out, { recursive: true });
  const rootfs = path.join(workDir, "rootfs");
  const logFile = path.join(workDir, "build.log");
  const step = async (what: string, command: string, args: string[], timeoutSeconds: number) => {
    log(`machine: ${what}`);
    const r = await mustRun(command, args, { timeoutSeconds, logFile });
    log(`machine: ${what}: ${r.seconds.toFixed(0)} s`);
  };
  // Commands inside the new root: nspawn mounts /proc, /sys and /dev there and takes them
  // down again itself, so a failed build leaves no mounts under the temp dir.
  const inRoot = (what: string, script: string, timeoutSeconds: number) =>
    step(
      what,
      "systemd-nspawn",
      ["--quiet", "--register=no", "--keep-unit", "-D", rootfs, "--setenv=DEBIAN_FRONTEND=noninteractive", "/bin/sh", "-euc", script],
      timeoutSeconds,
    );

  await step(`debootstrap ${suite} (${SUITES[suite]}) from ${mirror}`, "debootstrap", ["--variant=minbase", suite, rootfs, mirror], 1200);
  writeFileSync(path.join(rootfs, "etc/apt/sources.list"), `deb ${mirror} ${suite} main\ndeb ${mirror} ${suite}-updates main\n`);
  await inRoot(
    `install ${BASE_PACKAGES.length} base packages`,
    `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${BASE_PACKAGES.join(" ")} >/dev/null`,
    1800,
  );
  // With Recommends, as cloud-init's `packages:` installs them.
  await inRoot(
    `download ${offline.length} offline packages (${offline.join(" ")})`,
    `apt-get install -y -qq --download-only ${offline.join(" ")} >/dev/null && mkdir -p ${GUEST_REPO} && mv /var/cache/apt/archives/*.deb ${GUEST_REPO}/`,
    1200,
  );
  const repo = path.join(rootfs, GUEST_REPO);
  log(`machine: ${readdirSync(repo).length} .deb files offline`);
  const index = await mustRun("dpkg-scanpackages", ["--multiversion", "."], { timeoutSeconds: 300, cwd: repo });
  writeFileSync(
    path.join(repo, "Packages"),
    index.output
      .split("\n")
      .filter((l) => !l.startsWith("dpkg-scanpackages:"))
      .join("\n"),
  );
  writeFileSync(
    path.join(rootfs, "etc/apt/sources.list.d/factory-boot-test.list"),
    `# The boot test's offline packages (nothing is downloadable at boot).\ndeb [trusted=yes] file:${GUEST_REPO} ./\n`,
  );

  configureGuest(rootfs);
  await inRoot(
    "configure (locale, units, apt lists)",
    [
      "sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen",
      "locale-gen >/dev/null",
      "update-locale LANG=en_US.UTF-8",
      "systemctl mask systemd-networkd-wait-online.service",
      "systemctl enable systemd-networkd.service factory-boot-check.service",
      // apt knows the offline repository only: a mirror entry would make it try the
      // network first for every package (and the guest has none).
      ": > /etc/apt/sources.list",
      "rm -rf /var/lib/apt/lists/*",
      "apt-get update -qq",
      ": > /etc/machine-id",
    ].join(" && "),
    300,
  );

  const boot = path.join(rootfs, "boot");
  const kernel = readdirSync(boot).find((f) => /^vmlinuz-/.test(f));
  const initrd = readdirSync(boot).find((f) => /^initrd\.img-\S+-amd64$/.test(f));
  if (!kernel || !initrd) throw new Error(`no kernel/initrd in ${boot}: ${readdirSync(boot).join(" ")}`);
  copyFileSync(path.join(boot, kernel), path.join(out, "vmlinuz"));
  copyFileSync(path.join(boot, initrd), path.join(out, "initrd.img"));
  // No loop devices here: mkfs copies the tree into the image file itself.
  await step(
    "mkfs.ext4 -d rootfs base.raw 3G",
    "mkfs.ext4",
    ["-q", "-F", "-L", "factory-root", "-d", rootfs, path.join(out, "base.raw"), "3G"],
    600,
  );
  rmSync(rootfs, { recursive: true, force: true });
}

/** Files the boot test adds to the image: cloud-init's data sources and the check unit. */
function configureGuest(rootfs: string): void {
  writeFileSync(
    path.join(rootfs, "etc/cloud/cloud.cfg.d/90-factory-boot-test.cfg"),
    `# The boot test's seed is a NoCloud one; nothing else is there to probe.\n${dataSourceList(["NoCloud", "None"])}`,
  );
  writeFileSync(path.join(rootfs, "etc/fstab"), "# root comes from the kernel command line; cloud-init adds the rest\n");
  copyFileSync(path.join(GUEST_DIR, "factory-boot-check"), path.join(rootfs, "usr/local/sbin/factory-boot-check"));
  chmodSync(path.join(rootfs, "usr/local/sbin/factory-boot-check"), 0o755);
  copyFileSync(path.join(GUEST_DIR, "factory-boot-check.service"), path.join(rootfs, "etc/systemd/system/factory-boot-check.service"));
}

// ds-identify reads datasource_list with a line parser: the list must be in flow style.
function dataSourceList(sources: string[]): string {
  const doc = new Document({ datasource_list: sources });
  (doc.get("datasource_list", true) as YAMLSeq).flow = true;
  return doc.toString();
}

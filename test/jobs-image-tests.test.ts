// The image test suite (jobs/image-tests/run.sh) against root filesystem directories: a
// hardened one passes, and each way of breaking a requirement of seeds 000/002 fails
// with the check that names it.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";
import { JOBS, run } from "./jobs-support";

const RUN = path.join(JOBS, "image-tests", "run.sh");
const SYSCTL = `net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.default.accept_redirects = 0
net.ipv6.conf.all.accept_redirects = 0
net.ipv6.conf.default.accept_redirects = 0
net.ipv4.conf.all.secure_redirects = 0
net.ipv4.conf.default.secure_redirects = 0
net.ipv4.conf.all.send_redirects = 0
net.ipv4.conf.default.send_redirects = 0
net.ipv4.conf.all.accept_source_route = 0
net.ipv4.conf.default.accept_source_route = 0
net.ipv4.icmp_echo_ignore_broadcasts = 1
net.ipv4.icmp_ignore_bogus_error_responses = 1
net.ipv4.tcp_syncookies = 1
net.ipv4.conf.all.log_martians = 1
`;

// What the factory's images allow (jobs/images/dib/debian-12, factory-hardening).
const CRYPTO = `KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,diffie-hellman-group16-sha512
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com
`;

/** A hardened Debian-like root filesystem; `files` adds, replaces (string) or removes (null) files. */
function rootfs(files: Record<string, string | null> = {}, extraLinks: Record<string, string> = {}): string {
  const dir = tempDir("jobs-rootfs-");
  const all: Record<string, string | null> = {
    // Debian's layout: drop-ins included first; the first value of a setting wins.
    "etc/ssh/sshd_config":
      "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\n",
    "etc/ssh/sshd_config.d/10-factory-hardening.conf": `PermitRootLogin no\nPasswordAuthentication no\n${CRYPTO}`,
    "usr/bin/cloud-init": "#!/bin/sh\n",
    "etc/cloud/cloud.cfg": "cloud_init_modules:\n  - seed_random\n  - growpart\n  - resizefs\n  - ssh\ncloud_config_modules: [runcmd]\n",
    "etc/cloud/cloud.cfg.d/90-factory.cfg": "growpart:\n  mode: auto\n  devices: ['/']\nresize_rootfs: true\n",
    "etc/udev/rules.d/70-persistent-net.rules": "",
    "etc/network/interfaces": "auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n",
    "etc/default/grub": 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="console=tty0 console=ttyS0,115200n8 net.ifnames=0"\n',
    "boot/grub/grub.cfg": "menuentry 'Debian' {\n  linux /boot/vmlinuz root=UUID=1 ro console=tty0 console=ttyS0,115200n8\n}\n",
    "usr/lib/sysctl.d/50-default.conf": "net.ipv4.conf.all.accept_source_route = 1\nnet.ipv4.tcp_syncookies = 0\n",
    "etc/sysctl.d/90-factory-hardening.conf": SYSCTL,
    "etc/chrony/chrony.conf": "pool 2.debian.pool.ntp.org iburst\n",
    "usr/sbin/rngd": "#!/bin/sh\n",
    "etc/apt/sources.list.d/debian.list": "deb http://deb.debian.org/debian bookworm main\n",
    "etc/apt/apt.conf.d/70debconf": 'DPkg::Pre-Install-Pkgs {"/usr/sbin/dpkg-preconfigure --apt || true";};\n',
    ...files,
  };
  for (const [file, content] of Object.entries(all)) {
    if (content === null) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  chmodSync(path.join(dir, "usr/bin/cloud-init"), 0o755);
  if (files["usr/sbin/rngd"] !== null) chmodSync(path.join(dir, "usr/sbin/rngd"), 0o755);
  // Enabled services are symlinks into the (absent) vendor unit directory.
  const links: Record<string, string> = {
    "etc/systemd/system/cloud-init.target.wants/cloud-init.service": "/lib/systemd/system/cloud-init.service",
    "etc/systemd/system/multi-user.target.wants/chrony.service": "/lib/systemd/system/chrony.service",
    "etc/systemd/system/multi-user.target.wants/rng-tools5.service": "/lib/systemd/system/rng-tools5.service",
    ...Object.fromEntries(Object.entries(extraLinks)),
  };
  for (const [link, target] of Object.entries(links)) {
    if (files[link] === null) continue;
    mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
    symlinkSync(target, path.join(dir, link));
  }
  return dir;
}

function suite(dir: string, args: string[] = []) {
  const r = run(RUN, ["--root", dir, ...args], {});
  rmSync(dir, { recursive: true, force: true });
  return { ...r, failures: r.stdout.split("\n").filter((l) => l.startsWith("not ok")) };
}

test("a hardened root filesystem passes, and the checks that need a live system say so", () => {
  const r = suite(rootfs());
  expect(r.failures).toEqual([]);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("ok 1 - key login (configuration only: PubkeyAuthentication yes; live login skipped)");
  expect(r.stdout).toMatch(/^ok \d+ - only sshd listens on non-loopback addresses # SKIP needs a running system$/m);
  for (const check of ["default user: .*", "network throughput \\(iperf3\\)", "reboot"])
    expect(r.stdout).toMatch(new RegExp(`^ok \\d+ - ${check} # SKIP`, "m"));
  expect(r.stdout).toContain("- no firewall enabled (configuration: systemd units)\n");
  expect(r.stdout).toContain("- entropy: rngd installed and enabled (configuration: rng-tools5.service)\n");
  expect(r.stdout).toContain("- sshd offers current cryptography only (Ciphers, MACs, KexAlgorithms)\n");
  expect(r.stdout).toMatch(/^1\.\.18$/m);
  expect(r.stdout.match(/^ok /gm)).toHaveLength(18);
});

test("--only runs the named checks (and the key login)", () => {
  const r = suite(rootfs(), ["--only", "sysctl,firewall"]);
  expect(
    r.stdout
      .split("\n")
      .filter((l) => /^(not )?ok/.test(l))
      .map((l) => l.replace(/ \(.*$/, "")),
  ).toEqual(["ok 1 - key login", "ok 2 - network sysctl hardening", "ok 3 - no firewall enabled"]);
  expect(r.stdout).toMatch(/^1\.\.3$/m);
  expect(run(RUN, ["--root", "/", "--only", "sysctl,nonsense"], {}).status).toBe(2);
});

test.each<[string, Record<string, string | null>, RegExp]>([
  [
    "password logins (the main file's value, without the drop-in)",
    { "etc/ssh/sshd_config.d/10-factory-hardening.conf": `PermitRootLogin no\n${CRYPTO}` },
    /^not ok \d+ - PasswordAuthentication no\n#   PasswordAuthentication is yes$/m,
  ],
  [
    "keyboard-interactive logins",
    { "etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n" },
    /^not ok \d+ - KbdInteractiveAuthentication no\n#   KbdInteractiveAuthentication is unset \(default yes\)$/m,
  ],
  [
    "root logins",
    { "etc/ssh/sshd_config.d/10-factory-hardening.conf": `PermitRootLogin prohibit-password\nPasswordAuthentication no\n${CRYPTO}` },
    /^not ok \d+ - PermitRootLogin no\n#   PermitRootLogin is prohibit-password$/m,
  ],
  [
    "a disabled cloud-init",
    { "etc/cloud/cloud-init.disabled": "" },
    /^not ok \d+ - cloud-init installed and enabled.*\n#   \/etc\/cloud\/cloud-init.disabled exists$/m,
  ],
  [
    "cloud-init not enabled",
    { "etc/systemd/system/cloud-init.target.wants/cloud-init.service": null },
    /^not ok \d+ - cloud-init installed and enabled.*\n#   cloud-init services not enabled$/m,
  ],
  [
    "growpart switched off",
    { "etc/cloud/cloud.cfg.d/99-off.cfg": "growpart:\n  mode: 'off'\n" },
    /^not ok \d+ - root filesystem grows to the disk.*\n#   growpart mode is off$/m,
  ],
  [
    "no resizefs module",
    { "etc/cloud/cloud.cfg": "cloud_init_modules: [growpart, ssh]\n" },
    /^not ok \d+ - root filesystem grows.*\n#   module resizefs not run$/m,
  ],
  [
    "MAC-bound udev rules",
    { "etc/udev/rules.d/70-persistent-net.rules": 'SUBSYSTEM=="net", ATTR{address}=="fa:16:3e:00:00:01", NAME="eth0"\n' },
    /^not ok \d+ - no persistent MAC-bound network rules\n#   MAC addresses bound in: ?\/etc\/udev\/rules.d\/70-persistent-net.rules$/m,
  ],
  [
    "a HWADDR in an ifcfg file",
    { "etc/sysconfig/network-scripts/ifcfg-eth0": "DEVICE=eth0\nHWADDR=fa:16:3e:00:00:01\n" },
    /^not ok \d+ - no persistent MAC-bound network rules\n#   MAC addresses bound in: ?\/etc\/sysconfig\/network-scripts\/ifcfg-eth0$/m,
  ],
  [
    "no serial console",
    { "etc/default/grub": 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' },
    /^not ok \d+ - console=ttyS0 on the kernel command line.*\n#   GRUB_CMDLINE_LINUX in \/etc\/default\/grub has no console=ttyS0$/m,
  ],
  [
    "a grub.cfg that boots without the serial console",
    { "boot/grub/grub.cfg": "menuentry 'Debian' {\n  linux /boot/vmlinuz root=UUID=1 ro quiet\n}\n" },
    /^not ok \d+ - console=ttyS0.*\n#   \/boot\/grub\/grub.cfg boots without console=ttyS0$/m,
  ],
  [
    "sysctl hardening overridden by a later file",
    { "etc/sysctl.d/99-local.conf": "net.ipv4.conf.all.send_redirects = 1\n" },
    /^not ok \d+ - network sysctl hardening.*\n#   wrong or unset: net.ipv4.conf.all.send_redirects=1$/m,
  ],
  [
    "no sysctl hardening (vendor defaults win)",
    { "etc/sysctl.d/90-factory-hardening.conf": null },
    /^#   wrong or unset:.* net.ipv4.conf.all.accept_source_route=1 .*net.ipv4.tcp_syncookies=0/m,
  ],
  [
    "no time synchronisation service",
    { "etc/systemd/system/multi-user.target.wants/chrony.service": null },
    /^not ok \d+ - time synchronisation configured\n#   no time synchronisation service enabled$/m,
  ],
  [
    "chrony without sources",
    { "etc/chrony/chrony.conf": "driftfile /var/lib/chrony/drift\n" },
    /^not ok \d+ - time synchronisation configured \(chrony.service\)\n#   chrony has no server or pool configured$/m,
  ],
  [
    "SHA-1 MACs allowed (a drop-in read first)",
    { "etc/ssh/sshd_config.d/01-legacy.conf": "MACs hmac-sha2-256,hmac-sha1\n" },
    /^not ok \d+ - sshd offers current cryptography only.*\n#   macs: hmac-sha1$/m,
  ],
  [
    "OpenSSH's default algorithms",
    { "etc/ssh/sshd_config.d/10-factory-hardening.conf": "PermitRootLogin no\nPasswordAuthentication no\n" },
    /^#   ciphers not set \(OpenSSH's defaults include SHA-1\); macs not set .*; kexalgorithms not set/m,
  ],
  ["no rngd", { "usr/sbin/rngd": null }, /^not ok \d+ - entropy: .*\n#   rngd \(rng-tools\) not installed$/m],
  [
    "apt accepting unsigned repositories",
    { "etc/apt/apt.conf.d/99insecure": 'Acquire::AllowInsecureRepositories "true";\n' },
    /^not ok \d+ - package updates: .*\n#   signature checks relaxed: Acquire::AllowInsecureRepositories "true";$/m,
  ],
  [
    "a source marked trusted",
    { "etc/apt/sources.list.d/debian.list": "deb [trusted=yes] http://deb.debian.org/debian bookworm main\n" },
    /^#   signature checks relaxed: deb \[trusted=yes\]/m,
  ],
])("fails on %s", (_name, change, expected) => {
  const r = suite(rootfs(change));
  expect(r.stdout).toMatch(expected);
  expect(r.failures).toHaveLength(1);
  expect(r.status).toBe(1);
});

test("fails on an enabled firewall service", () => {
  const r = suite(rootfs({}, { "etc/systemd/system/multi-user.target.wants/nftables.service": "/lib/systemd/system/nftables.service" }));
  expect(r.stdout).toMatch(/^not ok \d+ - no firewall enabled \(configuration: systemd units\)\n#   enabled: nftables.service $/m);
  expect(r.failures).toHaveLength(1);
});

test("bad usage exits 2", () => {
  expect(run(RUN, [], {}).status).toBe(2);
  expect(run(RUN, ["--host", "10.0.0.1"], {}).status).toBe(2);
  expect(run(RUN, ["--root", "/nonexistent-rootfs"], {}).status).toBe(2);
});

describe("against a running server (ssh stand-in answering as the server would)", () => {
  // The stand-in plays the server: it answers the suite's remote commands from canned
  // outputs, and serves files (for tar) from a root filesystem directory.
  const GOOD: Record<string, string> = {
    sshd: `port 22\npermitrootlogin no\npubkeyauthentication yes\npasswordauthentication no\nkbdinteractiveauthentication no\n${CRYPTO.toLowerCase().trim()}`,
    offered: "publickey",
    cloudinit: "status: done\nextended_status: done\nerrors: []",
    cloudinitRc: "0",
    sizes: "21253914624 21474836480",
    cmdline: "BOOT_IMAGE=/boot/vmlinuz root=UUID=1 ro console=tty0 console=ttyS0,115200n8 net.ifnames=0",
    ss: [
      'udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:* users:(("dhclient",pid=500,fd=7))',
      'udp UNCONN 0 0 127.0.0.1:323 0.0.0.0:* users:(("chronyd",pid=600,fd=5))',
      'udp UNCONN 0 0 [::1]:323 [::]:* users:(("chronyd",pid=600,fd=6))',
      'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=700,fd=3))',
      'tcp LISTEN 0 128 [::]:22 [::]:* users:(("sshd",pid=700,fd=4))',
      'tcp LISTEN 0 4096 127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=400,fd=14))',
    ].join("\n"),
    sysctl: SYSCTL.trim(),
    timesync: "inactive\nactive\ninactive\ninactive\ninactive",
    offeredToUser: "publickey",
    user: "linux:/bin/bash\nsudo=yes\npasswordauthentication no\nkbdinteractiveauthentication no",
    firewall: "inspected",
    entropy: "avail=256\nready=yes\nrngd=running\nhwrng=virtio_rng.0",
    update: [
      "update-rc=0",
      "site: http://deb.debian.org/debian",
      "site: http://deb.debian.org/debian-security",
      "unsigned-rc=100",
      "unsigned: refused as not signed",
    ].join("\n"),
    iperf3: JSON.stringify({ end: { sum_received: { bits_per_second: 941_500_000 } } }),
    hostKeysAfterReboot: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBootOneKey root@test",
    semAfterReboot: "config_ssh 1700000000\nconfig_users_groups 1700000000",
  };

  function server(answers: Record<string, string>, fs: string) {
    const dir = tempDir("jobs-server-");
    const file = (name: string) => path.join(dir, name);
    for (const [name, text] of Object.entries(answers)) writeFileSync(file(name), text + "\n");
    mkdirSync(file("bin"));
    writeFileSync(
      file("bin/ssh"),
      `#!/usr/bin/env bash
# Options, then the destination, then the remote command.
dest="" nokey=""; while [ $# -gt 0 ]; do case "$1" in -o) [ "$2" = PubkeyAuthentication=no ] && nokey=1; shift 2 ;; -i|-p|-O) shift 2 ;; -*) shift ;; *) dest="$1"; shift; break ;; esac; done
cmd="$*"; d=${JSON.stringify(dir)}
case "$cmd" in
  "true") if [ -n "$nokey" ]; then
      # A busy server's first greetings may time out (slowGreetings: how many).
      n="$(cat $d/slowGreetings 2>/dev/null || echo 0)"
      if [ "$n" -gt 0 ]; then echo $((n - 1)) > $d/slowGreetings; echo "Connection timed out during banner exchange" >&2; exit 255; fi
      if [ "\${dest%@*}" = nobody ]; then offered="$(cat $d/offered)"; else offered="$(cat $d/offeredToUser)"; fi
      echo "\${dest}: Permission denied ($offered)." >&2; exit 255
    fi; exit 0 ;;
  *"getent passwd"*) cat $d/user ;;
  "sudo -n sh -s") cat >/dev/null; cat $d/firewall ;;
  *entropy_avail*) cat $d/entropy ;;
  "sudo -n bash -s") cat >/dev/null; cat $d/update ;;
  "command -v iperf3"*) exit 0 ;;
  "iperf3 --client"*) n="$(cat $d/busyIperf3 2>/dev/null || echo 0)"
    if [ "$n" -gt 0 ]; then echo $((n - 1)) > $d/busyIperf3; echo '{"start": {}, "end": {}, "error": "the server is busy running a test. try again later"}'; exit 1; fi
    cat $d/iperf3 ;;
  "sudo -n systemctl --no-block reboot") touch $d/rebooted ;;
  "cat /proc/sys/kernel/random/boot_id;"*) if [ -e $d/rebooted ]; then echo boot-2; cat $d/semAfterReboot; else echo boot-1; printf 'config_ssh 1700000000\nconfig_users_groups 1700000000\n'; fi ;;
  "sudo -n sshd -T") cat $d/sshd ;;
  "cloud-init status --wait --long") cat $d/cloudinit; exit "$(cat $d/cloudinitRc)" ;;
  "cloud-init status --wait") exit 0 ;;
  "cat /etc/ssh/ssh_host_*_key.pub") if [ -e $d/rebooted ]; then cat $d/hostKeysAfterReboot; else echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBootOneKey root@test"; fi ;;
  *"df -B1"*) cat $d/sizes ;;
  "cat /proc/cmdline") cat $d/cmdline ;;
  "sudo -n ss -Htulnp") cat $d/ss ;;
  *" sysctl "*) sed 's/=/ = /' $d/sysctl ;;
  "cat /sys/class/net/*/address") echo 52:54:00:12:34:56; echo 00:00:00:00:00:00 ;;
  "systemctl is-active"*) cat $d/timesync; exit 3 ;;
  "cd / && sudo -n tar"*) cd ${JSON.stringify(fs)} && eval "\${cmd#cd / && sudo -n }" ;;
  "sudo -n cat "*) exit 0 ;;
  *) echo "unexpected remote command: $cmd" >&2; exit 127 ;;
esac
`,
    );
    chmodSync(file("bin/ssh"), 0o755);

    return dir;
  }

  function suiteOnServer(change: Record<string, string> = {}, files: Record<string, string> = {}) {
    const fs = rootfs(files);
    const dir = server({ ...GOOD, ...change }, fs);
    const r = run(
      RUN,
      [
        "--host",
        "10.20.0.77",
        "--user",
        "linux",
        "--key",
        "/dev/null",
        "--iperf3",
        "10.20.0.5",
        "--mirror",
        "http://deb.debian.org/debian",
      ],
      { IPERF3_BUSY_PAUSE: "0", SSH_RETRY_PAUSE: "0" },
      path.join(dir, "bin"),
    );
    rmSync(dir, { recursive: true, force: true });
    rmSync(fs, { recursive: true, force: true });
    return { ...r, failures: r.stdout.split("\n").filter((l) => l.startsWith("not ok")) };
  }

  test("a good server passes every check, live", () => {
    const r = suiteOnServer();
    expect(r.stderr).not.toContain("unexpected remote command");
    expect(r.failures).toEqual([]);
    expect(r.stdout).toContain("ok 1 - key login as linux\n");
    expect(r.stdout).toContain("- server offers only publickey authentication\n");
    expect(r.stdout).toContain("- root filesystem grew to the disk (21253914624 of 21474836480 bytes)\n");
    expect(r.stdout).toContain("- only sshd listens on non-loopback addresses\n");
    expect(r.stdout).toContain("- default user linux: exists, passwordless sudo, no password login over SSH\n");
    expect(r.stdout).toContain("- no firewall active\n");
    expect(r.stdout).toContain("- entropy: random pool ready (entropy_avail 256), rngd feeding it (hwrng virtio_rng.0)\n");
    expect(r.stdout).toContain(
      "- package updates: apt refreshes from http://deb.debian.org/debian http://deb.debian.org/debian-security with signature checks, refuses an unsigned repository\n",
    );
    expect(r.stdout).toContain("- network throughput to 10.20.0.5:5201: 941.5 Mbit/s (at least 100)\n");
    expect(r.stdout).toMatch(/ok 19 - reboot: back in time, no per-instance cloud-init module re-ran, same SSH host keys\n1\.\.19\n$/);
    expect(r.stdout).not.toContain("SKIP");
    expect(r.status).toBe(0);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    [
      "a server that offers passwords",
      { offered: "publickey,password" },
      /^not ok \d+ - server offers only publickey authentication\n#   offered: publickey,password$/m,
    ],
    [
      "cloud-init errors (degraded, exit 2)",
      { cloudinit: 'status: done\nerrors: ["module x failed"]', cloudinitRc: "2" },
      /^not ok \d+ - cloud-init finished without errors\n#   cloud-init status \(exit 2\)/m,
    ],
    [
      "a root filesystem that did not grow",
      { sizes: "3900000000 21474836480" },
      /^not ok \d+ - root filesystem grew to the disk \(3900000000 of 21474836480 bytes\)/m,
    ],
    [
      "no serial console on the booted kernel",
      { cmdline: "BOOT_IMAGE=/boot/vmlinuz root=UUID=1 ro quiet" },
      /^not ok \d+ - console=ttyS0 on the kernel command line\n/m,
    ],
    [
      "another service listening",
      { ss: GOOD.ss + '\ntcp LISTEN 0 4096 0.0.0.0:111 0.0.0.0:* users:(("rpcbind",pid=1,fd=4))' },
      /^not ok \d+ - only sshd listens on non-loopback addresses\n#   tcp 0.0.0.0:111 users:\(\("rpcbind",pid=1,fd=4\)\)$/m,
    ],
    [
      "no time synchronisation running",
      { timesync: "inactive\ninactive\ninactive\ninactive\ninactive" },
      /^not ok \d+ - time synchronisation running\n/m,
    ],
    [
      "a server offering a CBC cipher",
      { sshd: GOOD.sshd.replace("aes128-ctr", "aes128-ctr,aes256-cbc") },
      /^not ok \d+ - sshd offers current cryptography only .*\n#   ciphers: aes256-cbc$/m,
    ],
    [
      "a live sysctl that differs",
      { sysctl: SYSCTL.trim().replace("net.ipv4.tcp_syncookies = 1", "net.ipv4.tcp_syncookies = 0") },
      /^#   wrong or unset: net.ipv4.tcp_syncookies=0$/m,
    ],
    [
      "a Match block that lets the default user log in with a password",
      { user: GOOD.user.replace("passwordauthentication no", "passwordauthentication yes"), offeredToUser: "publickey,password" },
      /^not ok \d+ - default user linux: .*\n#   passwordauthentication for linux is yes; offered to linux: publickey,password$/m,
    ],
    [
      "a default user without passwordless sudo",
      { user: "linux:/bin/bash\npasswordauthentication no\nkbdinteractiveauthentication no" },
      /^#   linux may not sudo without a password$/m,
    ],
    [
      "an nftables filter chain",
      { firewall: "nftables base chains: type filter hook input priority filter\ninspected" },
      /^not ok \d+ - no firewall active\n#   nftables base chains: type filter hook input priority filter$/m,
    ],
    [
      "rngd not running",
      { entropy: "avail=256\nready=yes\nhwrng=none" },
      /^not ok \d+ - entropy: .*\n#   rngd \(rng-tools\) is not running$/m,
    ],
    [
      "an unsigned repository accepted",
      {
        update: GOOD.update.replace(
          "unsigned-rc=100\nunsigned: refused as not signed",
          'insecure: Acquire::AllowInsecureRepositories "true";\nunsigned-rc=0',
        ),
      },
      /^#   insecure: Acquire::AllowInsecureRepositories "true";; an unsigned repository was accepted$/m,
    ],
    [
      "sources that are not the configured mirror",
      { update: GOOD.update.replace(/deb\.debian\.org/g, "ftp.example.org") },
      /^#   http:\/\/deb.debian.org\/debian is not among the sources/m,
    ],
    [
      "too little throughput",
      { iperf3: JSON.stringify({ end: { sum_received: { bits_per_second: 12_000_000 } } }) },
      /^not ok \d+ - network throughput to 10.20.0.5:5201: 12\.0 Mbit\/s \(at least 100\)\n#   only 12\.0 Mbit\/s$/m,
    ],
    [
      "no iperf3 server",
      { iperf3: JSON.stringify({ start: {}, end: {}, error: "unable to connect to server: Connection refused" }) },
      /^#   no measurement: unable to connect to server: Connection refused$/m,
    ],
    [
      "new SSH host keys after a reboot",
      { hostKeysAfterReboot: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINewKey root@test" },
      /^not ok 19 - reboot: .*\n#   the SSH host keys changed$/m,
    ],
    [
      "cloud-init per-instance modules re-run after a reboot",
      { semAfterReboot: "config_ssh 1700000500\nconfig_users_groups 1700000000" },
      /^#   per-instance steps ran again: config_ssh$/m,
    ],
  ])("fails on %s", (_name, change, expected) => {
    const r = suiteOnServer(change);
    expect(r.stdout).toMatch(expected);
    expect(r.failures).toHaveLength(1);
    expect(r.status).toBe(1);
  });

  test("a server slow to greet a new connection once: the next try's method list counts", () => {
    const r = suiteOnServer({ slowGreetings: "1" });
    expect(r.stdout).toMatch(/^ok \d+ - server offers only publickey authentication$/m);
    expect(r.failures).toEqual([]);
  });

  test("an iperf3 server busy with another build's test: measured once it is free", () => {
    const r = suiteOnServer({ busyIperf3: "2" });
    expect(r.stdout).toContain("- network throughput to 10.20.0.5:5201: 941.5 Mbit/s (at least 100)\n");
    expect(r.failures).toEqual([]);
  });

  test("a server that never greets a new connection: the check fails with what ssh said", () => {
    const r = suiteOnServer({ slowGreetings: "6" });
    expect(r.stdout).toMatch(
      /^not ok \d+ - server offers only publickey authentication\n#   offered: ssh: Connection timed out during banner exchange$/m,
    );
  });

  test("a rule naming the server's own NIC (cloud-init's eni renderer at first boot) passes live", () => {
    const rule = 'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n';
    const r = suiteOnServer({}, { "etc/udev/rules.d/70-persistent-net.rules": rule });
    expect(r.stdout).toMatch(/^ok \d+ - no persistent MAC-bound network rules$/m);
    expect(r.failures).toEqual([]);
    // The same rule in an image directory is the build's: it fails.
    const image = suite(rootfs({ "etc/udev/rules.d/70-persistent-net.rules": rule }));
    expect(image.failures).toEqual(["not ok 8 - no persistent MAC-bound network rules"]);
  });

  test("reads the server's own files: a MAC-bound ifcfg fails", () => {
    const r = suiteOnServer({}, { "etc/sysconfig/network-scripts/ifcfg-eth0": "DEVICE=eth0\nHWADDR=fa:16:3e:00:00:01\n" });
    expect(r.stdout).toMatch(
      /^not ok \d+ - no persistent MAC-bound network rules\n#   MAC addresses bound in: ?\/etc\/sysconfig\/network-scripts\/ifcfg-eth0$/m,
    );
    expect(r.failures).toHaveLength(1);
  });
});

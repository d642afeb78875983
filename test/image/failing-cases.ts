// Each check the suite gained for the seeds, made to fail for real: after the whole suite
// has passed, the running server is broken in exactly that respect and the suite, run
// with `--only <check>`, must fail that check and nothing else. Run in this order: the
// reboot case comes last, because it makes the server a new instance.
import type { RunResult } from "../boot/proc";
import type { Vm } from "./vm";

export interface Guest {
  readonly vm: Vm;
  /** Runs a command on the server as the default user (which may sudo). */
  ssh(command: string, timeoutSeconds?: number): Promise<RunResult>;
}

export interface FailingCase {
  readonly check: string;
  readonly how: string;
  readonly breakIt: (guest: Guest) => Promise<void>;
  readonly suiteArgs?: readonly string[];
  /** The one `not ok` line the suite must print. */
  readonly failure: RegExp;
}

async function sudo(guest: Guest, script: string, timeoutSeconds = 300): Promise<void> {
  const r = await guest.ssh(`sudo -n sh -euc '${script.replace(/'/g, "'\\''")}'`, timeoutSeconds);
  if (r.status !== 0) throw new Error(`on the server: ${script}: exit ${r.status}: ${r.output.trim().split("\n").slice(-5).join(" | ")}`);
}

export const failingCases: readonly FailingCase[] = [
  {
    check: "crypto",
    how: "a drop-in read before the factory's allows SHA-1 MACs",
    breakIt: (g) =>
      sudo(g, "echo 'MACs hmac-sha2-256,hmac-sha1' >/etc/ssh/sshd_config.d/01-legacy.conf && sshd -t && systemctl reload ssh"),
    failure: /^not ok \d+ - sshd offers current cryptography only /,
  },
  {
    check: "user",
    how: "sshd allows the default user password logins in a Match block (the global settings stay hardened)",
    breakIt: (g) =>
      sudo(g, "printf 'Match User linux\\n  PasswordAuthentication yes\\n' >>/etc/ssh/sshd_config && sshd -t && systemctl reload ssh"),
    failure: /^not ok \d+ - default user linux: /,
  },
  {
    check: "firewall",
    how: "an nftables filter chain is loaded",
    breakIt: (g) =>
      sudo(
        g,
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nftables >/dev/null && nft add table inet imagetest && nft 'add chain inet imagetest input { type filter hook input priority 0; policy accept; }' && nft add rule inet imagetest input tcp dport 9 drop",
        600,
      ),
    failure: /^not ok \d+ - no firewall active$/,
  },
  {
    check: "entropy",
    how: "rngd is stopped",
    breakIt: (g) =>
      sudo(
        g,
        "for u in $(systemctl list-units --all --plain --no-legend 'rng*' | cut -d' ' -f1); do systemctl stop \"$u\"; done; pkill -x rngd || true; sleep 1; ! pgrep -x rngd",
      ),
    failure: /^not ok \d+ - entropy: /,
  },
  {
    check: "update",
    how: "apt is configured to accept unsigned repositories",
    breakIt: (g) => sudo(g, "echo 'Acquire::AllowInsecureRepositories \"true\";' >/etc/apt/apt.conf.d/99imagetest-insecure"),
    failure: /^not ok \d+ - package updates: /,
  },
  {
    check: "network",
    how: "the throughput threshold is above what the path carries",
    breakIt: async () => {},
    suiteArgs: ["--min-mbits", "1000000"],
    failure: /^not ok \d+ - network throughput to 10\.0\.2\.2:\d+: [\d.]+ Mbit\/s \(at least 1000000\)$/,
  },
  {
    check: "rootfs",
    how: "the disk grows by 2 GiB under the running server (the root filesystem no longer fills it)",
    breakIt: async (g) => {
      const size = await g.ssh("lsblk -bdno SIZE /dev/vda");
      if (size.status !== 0) throw new Error(`lsblk: ${size.output}`);
      await g.vm.resizeDisk(Number(size.output.trim()) + 2 * 1024 ** 3);
    },
    failure: /^not ok \d+ - root filesystem grew to the disk /,
  },
  {
    check: "reboot",
    how: "cloud-init's instance state is deleted, so the next boot is a new instance's first boot",
    breakIt: (g) => sudo(g, "rm -rf /var/lib/cloud/instance /var/lib/cloud/instances /var/lib/cloud/data"),
    failure: /^not ok \d+ - reboot: /,
  },
];

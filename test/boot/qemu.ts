// Boots one case in qemu (TCG: /dev/kvm does not work here) and returns what its serial
// console said. The NIC's backend is qemu's user network with restrict=on: the guest's
// network configuration is real, but no packet leaves qemu except by the forwarding rules
// an LDAP case adds (SSH in from 127.0.0.1, the directory's address out to the test's slapd).
import * as path from "node:path";
import type { BootCase } from "./cases";
import type { Machine } from "./rootfs";
import { mustRun, run } from "./proc";

export interface BootOutcome {
  readonly console: string;
  readonly seconds: number;
  readonly timedOut: boolean;
}

/** Once the guest has printed its end line, it powers off; this is how long we allow that. */
const POWEROFF_GRACE_SECONDS = 90;

export async function bootInQemu(
  bootCase: BootCase,
  machine: Machine,
  options: {
    readonly dir: string;
    readonly seedIso: string;
    readonly mac: string;
    readonly timeoutSeconds: number;
    readonly cpus: number;
    /** More of the user network's options (net=, hostfwd=, guestfwd=: the LDAP cases). */
    readonly netdevOptions?: readonly string[];
    /** Each console line, as it comes. */
    readonly onLine?: (line: string) => void;
  },
): Promise<BootOutcome> {
  const { dir } = options;
  const overlay = path.join(dir, "root.qcow2");
  await mustRun("qemu-img", ["create", "-q", "-f", "qcow2", "-b", path.resolve(machine.baseImage), "-F", "raw", overlay], {
    timeoutSeconds: 60,
  });
  const drives = [
    "-drive",
    `file=${overlay},if=none,id=root,format=qcow2`,
    "-device",
    "virtio-blk-pci,drive=root,addr=0x4",
    "-drive",
    `file=${options.seedIso},if=none,id=seed,format=raw,readonly=on`,
    "-device",
    "virtio-blk-pci,drive=seed,addr=0x6",
  ];
  if (bootCase.dataDiskSerial) {
    const data = path.join(dir, "data.qcow2");
    await mustRun("qemu-img", ["create", "-q", "-f", "qcow2", data, "8G"], { timeoutSeconds: 60 });
    // The serial is what Cinder's virtio volume shows: /dev/disk/by-id/virtio-<serial>.
    drives.push(
      "-drive",
      `file=${data},if=none,id=data,format=qcow2`,
      "-device",
      `virtio-blk-pci,drive=data,serial=${bootCase.dataDiskSerial},addr=0x5`,
    );
  }
  const args = [
    "-accel",
    "tcg,thread=multi",
    "-cpu",
    "max",
    "-smp",
    String(options.cpus),
    "-m",
    "2048",
    "-nodefaults",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-monitor",
    "none",
    "-no-reboot",
    "-kernel",
    machine.kernel,
    "-initrd",
    machine.initrd,
    "-append",
    "root=/dev/vda rw console=ttyS0 panic=-1 loglevel=4",
    ...drives,
    // PCI slot 3 gives the NIC the name it has on OpenStack (ens3).
    "-netdev",
    ["user", "id=n0", "restrict=on", ...(options.netdevOptions ?? [])].join(","),
    "-device",
    `virtio-net-pci,netdev=n0,mac=${options.mac},addr=0x3,romfile=`,
  ];
  let kill: () => void = () => {};
  let grace: NodeJS.Timeout | undefined;
  const endLine = `BOOT-CHECK-END ${bootCase.name} `;
  const result = await run("qemu-system-x86_64", args, {
    timeoutSeconds: options.timeoutSeconds,
    logFile: path.join(dir, "console.log"),
    onStart: (k) => (kill = k),
    onLine: (line) => {
      options.onLine?.(line);
      if (!grace && line.includes(endLine)) grace = setTimeout(() => kill(), POWEROFF_GRACE_SECONDS * 1000);
    },
  });
  if (grace) clearTimeout(grace);
  return { console: result.output, seconds: result.seconds, timedOut: result.timedOut };
}

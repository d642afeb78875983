// A server booted from the built image, as Nova boots one: the image's own bootloader
// from a virtio disk (a qcow2 overlay, larger than the image, as a flavor's disk is), a
// config drive, a virtio NIC and a virtio RNG. qemu runs with TCG (no usable KVM here).
// Its user network forwards 127.0.0.1:<sshPort> to the guest's port 22 and lets the guest
// reach the host as 10.0.2.2 (the iperf3 server) and the Debian mirror (apt).
import { createConnection } from "node:net";
import * as path from "node:path";
import { mustRun, run } from "../boot/proc";
import { withVmSlot } from "../vm-slots";

export interface Vm {
  readonly name: string;
  readonly sshPort: number;
  readonly consoleLog: string;
  /** Resolves when qemu has exited. */
  readonly exited: Promise<void>;
  /** Grows the virtual disk while the guest runs (QMP block_resize). */
  resizeDisk(bytes: number): Promise<void>;
  stop(): void;
}

export interface VmOptions {
  readonly name: string;
  readonly image: string;
  readonly dir: string;
  readonly configDriveIso: string;
  readonly diskBytes: number;
  readonly sshPort: number;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Hears that the VM waits for a VM slot (test/vm-slots.ts). */
  readonly log: (line: string) => void;
}

/** Starts the VM once a VM slot is free (which it holds until qemu exits); resolves when qemu runs. */
export async function startVm(o: VmOptions): Promise<Vm> {
  const disk = path.join(o.dir, `${o.name}-disk.qcow2`);
  await mustRun("qemu-img", ["create", "-q", "-f", "qcow2", "-b", path.resolve(o.image), "-F", "qcow2", disk, String(o.diskBytes)], {
    timeoutSeconds: 60,
  });
  const qmp = path.join(o.dir, `${o.name}.qmp`);
  const consoleLog = path.join(o.dir, `${o.name}-console.log`);
  const args = [
    "-accel",
    "tcg,thread=multi",
    "-cpu",
    "max",
    "-smp",
    String(o.cpus),
    "-m",
    String(o.memoryMb),
    "-nodefaults",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-monitor",
    "none",
    "-qmp",
    `unix:${qmp},server=on,wait=off`,
    // Booted by the image's bootloader: SeaBIOS → GRUB in the MBR → the image's kernel.
    "-drive",
    `file=${disk},if=none,id=root,format=qcow2,discard=unmap`,
    "-device",
    "virtio-blk-pci,drive=root,bootindex=0",
    "-drive",
    `file=${o.configDriveIso},if=none,id=config,media=cdrom,readonly=on`,
    "-device",
    "ide-cd,drive=config,bus=ide.1",
    "-netdev",
    `user,id=n0,hostfwd=tcp:127.0.0.1:${o.sshPort}-:22`,
    "-device",
    "virtio-net-pci,netdev=n0,romfile=",
    "-object",
    "rng-random,id=rng0,filename=/dev/urandom",
    "-device",
    "virtio-rng-pci,rng=rng0",
  ];
  let kill: () => void = () => {};
  let running: () => void = () => {};
  const started = new Promise<void>((resolve) => (running = resolve));
  const exited = withVmSlot(o.name, o.log, () => {
    const qemu = run("qemu-system-x86_64", args, { timeoutSeconds: o.timeoutSeconds, logFile: consoleLog, onStart: (k) => (kill = k) });
    running();
    return qemu;
  }).then(() => undefined);
  await started;
  return {
    name: o.name,
    sshPort: o.sshPort,
    consoleLog,
    exited,
    resizeDisk: (bytes) => qmpCommands(qmp, [{ execute: "block_resize", arguments: { device: "root", size: bytes } }]),
    stop: () => kill(),
  };
}

/** Sends QMP commands (after the capabilities handshake); rejects on an error reply. */
function qmpCommands(socket: string, commands: object[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    const pending = [{ execute: "qmp_capabilities" }, ...commands];
    let buffer = "";
    let greeted = false;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error("QMP: no answer in 30 s"));
    }, 30_000);
    const next = () => {
      const command = pending.shift();
      if (!command) {
        clearTimeout(timer);
        conn.end();
        resolve();
        return;
      }
      conn.write(`${JSON.stringify(command)}\n`);
    };
    conn.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const message = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (message.QMP && !greeted) {
          greeted = true;
          next();
        } else if (message.error) {
          clearTimeout(timer);
          conn.destroy();
          reject(new Error(`QMP: ${message.error.desc}`));
        } else if ("return" in message) {
          next();
        }
      }
    });
    conn.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

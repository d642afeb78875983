// A machine-wide limit on the test VMs running at once. qemu here is TCG (no KVM): a VM
// is a CPU-bound process, and the boot and image tests run side by side (test:all's
// lanes). With both tests' VMs at once (five vCPUs on two cores) guests starved: DHCP and
// sshd took over 15 minutes and the image test's broken VM timed out. Each VM holds a
// slot (a lock file naming its process) while qemu runs; a suite waits for a free one, and
// its own timeouts start when its VM starts. Waiters are served first come, first served
// (a ticket each): without that, the boot test's lanes took every slot the moment their
// last VM freed it, and the image test's VMs waited for all ten boot cases.
import { availableParallelism } from "node:os";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";

/** Shared by every suite on the machine (not under a suite's temp dir, on purpose). */
const slotsDir = () => process.env.FACTORY_VM_SLOTS_DIR ?? "/run/factory-vm-slots";
const POLL_MS = 1000;

/** How many VMs may run at once: FACTORY_VM_SLOTS, else one per core. */
function slotCount(): number {
  const configured = Number(process.env.FACTORY_VM_SLOTS);
  return Number.isInteger(configured) && configured > 0 ? configured : availableParallelism();
}

const held = new Set<string>();
process.on("exit", () => {
  for (const file of held) release(file);
});

const queueDir = () => path.join(slotsDir(), "queue");
let tickets = 0;

/** A place in the queue: its name sorts by the time it was taken. */
function takeTicket(name: string): string {
  mkdirSync(queueDir(), { recursive: true });
  const file = path.join(queueDir(), `${String(Date.now()).padStart(15, "0")}-${process.pid}-${tickets++}`);
  writeFileSync(file, `${process.pid} ${name}\n`);
  held.add(file);
  return file;
}

/** Whether a ticket is the oldest one of a living process (tickets of dead ones are removed). */
function firstInQueue(ticket: string): boolean {
  for (const entry of readdirSync(queueDir()).sort()) {
    const file = path.join(queueDir(), entry);
    if (file === ticket) return true;
    const pid = Number(entry.split("-")[1]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      try {
        unlinkSync(file);
      } catch {
        // removed by another waiter
      }
      continue;
    }
    return false;
  }
  return true; // not listed: served (cannot happen while we hold it)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function release(file: string): void {
  held.delete(file);
  try {
    if (readFileSync(file, "utf8").startsWith(`${process.pid} `)) unlinkSync(file);
  } catch {
    // already gone
  }
}

/** Takes a free slot, or the slot of a process that died; undefined if all are held. */
function tryTake(name: string, count: number): string | undefined {
  mkdirSync(slotsDir(), { recursive: true });
  for (let i = 0; i < count; i++) {
    const file = path.join(slotsDir(), `slot-${i}`);
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${process.pid} ${name}\n`);
      closeSync(fd);
      held.add(file);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner: string;
      try {
        owner = readFileSync(file, "utf8");
      } catch {
        continue; // released meanwhile: the next round takes it
      }
      const pid = Number(owner.split(" ")[0]);
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        try {
          unlinkSync(file); // a suite that was killed
          i--; // and take it now
        } catch {
          // another waiter took it first
        }
      }
    }
  }
  return undefined;
}

/** The VMs holding the slots now, for a waiting suite's message. */
function holders(count: number): string {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    try {
      names.push(
        readFileSync(path.join(slotsDir(), `slot-${i}`), "utf8")
          .trim()
          .replace(/^\d+ /, ""),
      );
    } catch {
      // free
    }
  }
  return names.join(", ");
}

/**
 * Waits for a slot, runs `start` (which resolves when the VM is gone), then frees it.
 * `log` hears once that the VM waits, and for whom.
 */
export async function withVmSlot<T>(name: string, log: (line: string) => void, start: () => Promise<T>): Promise<T> {
  const count = slotCount();
  const ticket = takeTicket(name);
  const take = () => (firstInQueue(ticket) ? tryTake(name, count) : undefined);
  let file: string | undefined;
  try {
    file = take();
    if (!file) {
      const since = Date.now();
      log(`${name}: waiting for one of ${count} VM slots (held by ${holders(count)})`);
      while (!file) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        file = take();
      }
      log(`${name}: got a VM slot after ${Math.round((Date.now() - since) / 1000)} s`);
    }
  } finally {
    release(ticket);
  }
  try {
    return await start();
  } finally {
    release(file);
  }
}

// The machine-wide VM limit the boot and image tests share: no more VMs at once than
// slots, a waiting VM starts when one ends, and a slot of a killed suite is taken over.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { withVmSlot } from "./vm-slots";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "vm-slots-"));
  process.env.FACTORY_VM_SLOTS_DIR = dir;
  process.env.FACTORY_VM_SLOTS = "2";
});
afterEach(() => {
  delete process.env.FACTORY_VM_SLOTS_DIR;
  delete process.env.FACTORY_VM_SLOTS;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("three VMs on two slots: never more than two at once, the third starts when one ends, slots freed", async () => {
  let running = 0;
  let most = 0;
  const lines: string[] = [];
  const vm = (name: string, ms: number) =>
    withVmSlot(
      name,
      (l) => lines.push(l),
      async () => {
        running++;
        most = Math.max(most, running);
        await sleep(ms);
        running--;
        return name;
      },
    );
  const order = await Promise.all([vm("a", 1500), vm("b", 300), vm("c", 100)]);
  expect(order).toEqual(["a", "b", "c"]);
  expect(most).toBe(2);
  expect(lines[0]).toMatch(/^c: waiting for one of 2 VM slots \(held by (a, b|b, a)\)$/);
  expect(lines[1]).toMatch(/^c: got a VM slot after \d+ s$/);
  expect(readdirSync(dir).filter((f) => f !== "queue")).toEqual([]);
});

test("a slot held by a process that is gone is taken over", async () => {
  const dead = spawnSync("true").pid as number; // a pid that has exited
  writeFileSync(path.join(dir, "slot-0"), `${dead} killed-suite\n`);
  writeFileSync(path.join(dir, "slot-1"), `${dead} killed-suite\n`);
  const lines: string[] = [];
  await expect(
    withVmSlot(
      "vm",
      (l) => lines.push(l),
      async () => readdirSync(dir).length,
    ),
  ).resolves.toBeGreaterThan(0);
  expect(lines.join("\n")).not.toMatch(/waiting/);
});

test("a slot whose VM fails is freed all the same", async () => {
  await expect(
    withVmSlot(
      "broken",
      () => undefined,
      async () => Promise.reject(new Error("qemu exited")),
    ),
  ).rejects.toThrow("qemu exited");
  expect(readdirSync(dir).filter((f) => f !== "queue")).toEqual([]);
});

test("first come, first served: a suite that asks again the moment its VM ends does not jump the queue", async () => {
  process.env.FACTORY_VM_SLOTS = "1";
  const started: string[] = [];
  const vm = (name: string, ms: number) =>
    withVmSlot(
      name,
      () => undefined,
      async () => {
        started.push(name);
        await sleep(ms);
      },
    );
  // The boot test's lane: one case after the other, each asking as soon as the last ends.
  const lane = (async () => {
    await vm("boot-1", 1200);
    await vm("boot-2", 10);
  })();
  await sleep(200);
  const image = vm("image", 10); // asked while boot-1 ran
  await Promise.all([lane, image]);
  expect(started).toEqual(["boot-1", "image", "boot-2"]);
  expect(readdirSync(dir)).toEqual(["queue"]);
  expect(readdirSync(path.join(dir, "queue"))).toEqual([]);
});

test("a ticket of a process that is gone does not hold up the queue", async () => {
  const dead = spawnSync("true").pid as number;
  mkdirSync(path.join(dir, "queue"));
  writeFileSync(path.join(dir, "queue", `000000000000001-${dead}-0`), `${dead} killed-suite\n`);
  const lines: string[] = [];
  await withVmSlot(
    "vm",
    (l) => lines.push(l),
    async () => undefined,
  );
  expect(lines).toEqual([]);
  expect(readdirSync(path.join(dir, "queue"))).toEqual([]);
});

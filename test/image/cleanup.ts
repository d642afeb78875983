// What an interrupted image build can leave behind below the test's work directory —
// mounts (DIB's chroot, bootable-disk.sh's partition) and loop devices — released before
// the directory is removed. The tools clean up after themselves when they end normally
// or on SIGTERM; this is the net for SIGKILL and crashes.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

function mountsBelow(dir: string): string[] {
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Loop devices whose backing file lies below dir. */
function loopDevicesBelow(dir: string): string[] {
  const r = spawnSync("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"], { encoding: "utf8" });
  if (r.status !== 0 || !r.stdout.trim()) return [];
  const devices: Array<{ name: string; "back-file": string | null }> = JSON.parse(r.stdout).loopdevices ?? [];
  return devices.filter((d) => (d["back-file"] ?? "").startsWith(`${dir}/`)).map((d) => d.name);
}

/** Unmounts, detaches and removes; says what it could not release instead of removing it. */
export function releaseWorkDir(dir: string, say: (line: string) => void): void {
  if (!existsSync(dir)) return;
  // Loop devices first: once the tmpfs holding a backing file is unmounted, the file's
  // path no longer shows below dir.
  const attached = loopDevicesBelow(dir);
  for (const m of mountsBelow(dir)) spawnSync("umount", ["-l", m]);
  for (const d of attached) spawnSync("losetup", ["-d", d]);
  const mounts = mountsBelow(dir);
  const loops = [
    ...new Set([...loopDevicesBelow(dir), ...attached.filter((d) => spawnSync("losetup", [d], { stdio: "ignore" }).status === 0)]),
  ];
  if (mounts.length > 0 || loops.length > 0) {
    say(`could not release ${[...mounts, ...loops].join(", ")}; ${dir} left in place`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

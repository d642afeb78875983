// What the readiness check makes of `cloud-init status --wait`'s exit code: since
// cloud-init 23.4 (Debian 13's) 2 means "done, with recoverable errors". It passes only
// when the first boot's last step ran. The command runs in sh here, as remote-exec runs it;
// cloud-init cannot report a finished first boot on this machine, so a script stands in for
// its exit code (the boot test meets the real one).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readinessCommand } from "../constructs/readiness-check";
import { FIRST_BOOT_MARKER } from "../userdata/base";
import { tempDir } from "./helpers";

function check(waitExit: number, markerWritten: boolean): { status: number | null; stdout: string } {
  const dir = tempDir("readiness-");
  try {
    const bin = path.join(dir, "bin");
    const marker = path.join(dir, "first-boot-done");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "sudo"), '#!/bin/sh\nexec "$@"\n');
    writeFileSync(
      path.join(bin, "cloud-init"),
      `#!/bin/sh\ncase "$*" in "status --wait") exit ${waitExit} ;; *) echo "status: degraded done" ;; esac\n`,
    );
    for (const f of ["sudo", "cloud-init"]) chmodSync(path.join(bin, f), 0o755);
    if (markerWritten) writeFileSync(marker, "");
    const command = readinessCommand(60).split(FIRST_BOOT_MARKER).join(marker);
    const r = spawnSync("sh", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    return { status: r.status, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each([
  [0, true, 0],
  [0, false, 0], // done is done (the marker is ours; cloud-init decides)
  [1, true, 1], // an error: a module failed
  [2, true, 0], // recoverable errors, and every step of the first boot ran: passes, with the warnings shown
  [2, false, 2], // recoverable errors, but the first boot did not get to its end
  [124, false, 124], // timed out
])("cloud-init status --wait exits %i, marker written: %s: the check exits %i", (waitExit, marker, expected) => {
  const r = check(waitExit, marker);
  expect(r.status).toBe(expected);
  expect(r.stdout).toContain("status: degraded done"); // the long status is always printed
  if (waitExit === 2 && marker) expect(r.stdout).toContain("recoverable errors (above): accepted");
});

// A case's NoCloud seed: the role's user-data, meta-data, a network-config giving the NIC
// the role's static address, and the checks the guest runs (test/boot/guest), as the
// `cidata` ISO qemu attaches.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { mustRun } from "./proc";

const GUEST_DIR = path.join(__dirname, "..", "..", "..", "test", "boot", "guest");

export interface Seed {
  readonly caseName: string;
  readonly userData: string;
  readonly mac: string;
  /** The guest's address with prefix length, e.g. 10.20.0.6/24. */
  readonly address: string;
  readonly gateway: string;
  /** Variables for the guest's checks (case.env). */
  readonly checkEnv: Record<string, string>;
}

// case.env is sourced by bash: only values that need no quoting at all go in.
const PLAIN = /^[A-Za-z0-9_.,:/@ -]*$/;

export function caseEnv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(k) || !PLAIN.test(v)) throw new Error(`case.env: unsafe ${k}=${JSON.stringify(v)}`);
      return `${k}='${v}'\n`;
    })
    .join("");
}

/** Writes the seed's files into dir/seed and returns the path of the ISO built from them. */
export async function writeSeedIso(seed: Seed, dir: string): Promise<string> {
  const files = path.join(dir, "seed");
  mkdirSync(files, { recursive: true });
  writeFileSync(path.join(files, "user-data"), seed.userData);
  writeFileSync(path.join(files, "meta-data"), stringify({ "instance-id": `boot-test-${seed.caseName}`, "local-hostname": seed.caseName }));
  writeFileSync(
    path.join(files, "network-config"),
    stringify({
      version: 2,
      ethernets: {
        nic0: { match: { macaddress: seed.mac }, addresses: [seed.address], routes: [{ to: "0.0.0.0/0", via: seed.gateway }] },
      },
    }),
  );
  const checks = path.join(files, "boot-check");
  mkdirSync(checks, { recursive: true });
  cpSync(path.join(GUEST_DIR, "check.sh"), path.join(checks, "check.sh"));
  cpSync(path.join(GUEST_DIR, "roles"), path.join(checks, "roles"), { recursive: true });
  writeFileSync(path.join(checks, "case.env"), caseEnv(seed.checkEnv));
  const iso = path.join(dir, "seed.iso");
  await mustRun("genisoimage", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", files], { timeoutSeconds: 60 });
  return iso;
}

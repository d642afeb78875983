// The config drive Nova gives a server (ISO 9660, label config-2): the image's cloud-init
// finds it with its ConfigDrive data source, as on OpenStack. It carries the instance id,
// the host name and the key pair; no user-data, so what the suite sees is the image's own
// configuration, not ours.
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { mustRun } from "../boot/proc";

export interface ConfigDrive {
  readonly iso: string;
  readonly instanceId: string;
}

export async function writeConfigDrive(dir: string, o: { readonly hostname: string; readonly publicKey: string }): Promise<ConfigDrive> {
  const files = path.join(dir, "config-drive");
  const latest = path.join(files, "openstack", "latest");
  mkdirSync(latest, { recursive: true });
  const instanceId = randomUUID();
  writeFileSync(
    path.join(latest, "meta_data.json"),
    JSON.stringify({
      uuid: instanceId,
      hostname: o.hostname,
      name: o.hostname,
      availability_zone: "nova",
      launch_index: 0,
      public_keys: { "image-test": o.publicKey.trim() },
      keys: [{ name: "image-test", type: "ssh", data: o.publicKey.trim() }],
    }),
  );
  const iso = path.join(dir, "config-drive.iso");
  await mustRun("genisoimage", ["-quiet", "-output", iso, "-volid", "config-2", "-joliet", "-rock", files], { timeoutSeconds: 60 });
  return { iso, instanceId };
}

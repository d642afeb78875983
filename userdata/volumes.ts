// Attached Cinder volumes: found by their stable virtio serial, formatted once, mounted.
import { Fn, Token } from "cdktf";
import type { CloudConfig, Command, FsSetup, MountEntry } from "./cloud-config";

/** virtio-blk carries at most 20 bytes of the volume id as the disk serial. */
const VIRTIO_SERIAL_LENGTH = 20;

/**
 * The serial of a volume: the given one, else the first 20 characters of its id — cut
 * here for a literal id, by Terraform (`substr(id, 0, 20)`) for a token.
 */
export function diskSerial(volumeId: string, serial: string | undefined, what: string): string {
  if (serial !== undefined) return serial;
  if (Token.isUnresolved(volumeId)) return Fn.substr(volumeId, 0, VIRTIO_SERIAL_LENGTH);
  if (volumeId.trim() === "") throw new Error(`${what}: empty volume id`);
  return volumeId.slice(0, VIRTIO_SERIAL_LENGTH);
}

function diskById(serial: string): string {
  return `/dev/disk/by-id/virtio-${serial}`;
}

export interface VolumeMount {
  readonly serial: string;
  readonly label: string;
  readonly mountPoint: string;
}

// Terraform attaches a volume after the server is created, so cloud-init may start first:
// wait for the disk before disk_setup looks for it. bootcmd runs before write_files, hence
// inline; the path is passed as $1, never parsed as shell.
const WAIT_SECONDS = 600;
function waitForDisk(device: string): Command {
  return [
    "sh",
    "-c",
    `i=0; until [ -e "$1" ]; do i=$((i+1)); if [ "$i" -gt ${WAIT_SECONDS} ]; then echo "$1: volume not attached after ${WAIT_SECONDS} s" >&2; exit 1; fi; sleep 1; done`,
    "wait-for-volume",
    device,
  ];
}

/**
 * Adds a volume holding one ext4 file system (no partition table) to a config. partition
 * "auto" reuses a file system with this label, so data survives a recreated server; only
 * a blank disk is formatted.
 */
export function addVolume(config: CloudConfig, { serial, label, mountPoint }: VolumeMount): void {
  const device = diskById(serial);
  const fs: FsSetup = { label, filesystem: "ext4", device, partition: "auto", overwrite: false };
  const mount: MountEntry = [device, mountPoint, "ext4", "defaults,nofail,x-systemd.device-timeout=600", "0", "2"];
  config.bootcmd.push(waitForDisk(device));
  config.fs_setup = [...(config.fs_setup ?? []), fs];
  config.mounts.push(mount);
}

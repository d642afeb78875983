#!/usr/bin/env bash
# Makes a partitioned, BIOS-bootable disk image from a root filesystem image that
# diskimage-builder built without partitions, on a kernel without device-mapper or loop
# partition scanning (so no kpartx: DIB's own partitioned build cannot run there).
# Called by 07-build-image.sh; runs as root.
#
#   bootable-disk.sh FS_IMAGE DISK_IMAGE DISK_BYTES
#
# DISK_IMAGE: raw, DISK_BYTES long, an MBR with one bootable Linux partition from 1 MiB
# (what DIB's block-device-mbr makes) holding FS_IMAGE's filesystem byte for byte (same
# UUID and label, so the image's fstab and grub.cfg hold), and the image's own GRUB in
# the MBR and the gap after it: `grub-install` run inside the image, against a loop
# device of the whole disk, with the partition mounted from a loop device at its offset.
# Everything it attaches or mounts is released on exit, also on failure and SIGTERM.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 FS_IMAGE DISK_IMAGE DISK_BYTES" >&2 && exit 2; }
fs_image="$1" disk="$2" disk_bytes="$3"
offset=$((1024 * 1024))
fs_bytes="$(stat -c %s "$fs_image")"
[ $((offset + fs_bytes)) -le "$disk_bytes" ] || { echo "$0: a $fs_bytes-byte filesystem does not fit a $disk_bytes-byte disk" >&2 && exit 1; }

mnt="$(mktemp -d)"
whole="" part=""
release() {
  local rc=$?
  for m in dev/pts dev proc sys ""; do
    if mountpoint -q "$mnt/$m"; then umount "$mnt/$m" || umount -l "$mnt/$m"; fi
  done
  if [ -n "$part" ]; then losetup -d "$part" || true; fi
  if [ -n "$whole" ]; then losetup -d "$whole" || true; fi
  rmdir "$mnt" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then rm -f "$disk"; fi
  exit "$rc"
}
trap release EXIT
trap 'exit 143' TERM INT

rm -f "$disk"
truncate -s "$disk_bytes" "$disk"
echo "start=$((offset / 512)), size=$((fs_bytes / 512)), type=83, bootable" | sfdisk --quiet --label dos "$disk"
dd if="$fs_image" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none

whole="$(losetup --find --show "$disk")"
part="$(losetup --find --show --offset "$offset" --sizelimit "$fs_bytes" "$disk")"
mount "$part" "$mnt"
mount --bind /dev "$mnt/dev"
mount --bind /dev/pts "$mnt/dev/pts"
mount -t proc proc "$mnt/proc"
mount -t sysfs sys "$mnt/sys"
# The partition map and filesystem modules go into core.img: GRUB reads the MBR itself at
# boot and finds its root by the filesystem's UUID (the partition is another loop device
# here, so grub-install cannot name it as a partition of the disk).
chroot "$mnt" grub-install --target=i386-pc --modules="biosdisk part_msdos ext2 search_fs_uuid" "$whole" >&2

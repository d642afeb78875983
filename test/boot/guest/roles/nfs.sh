# NFS server checks (sourced by check.sh): the data volume formatted and mounted by
# cloud-init, the shares exported to the private subnet only, the server running.
# shellcheck shell=bash
data_disk_mounted() {
  local source
  source=$(findmnt -n -o SOURCE --mountpoint "${DATA_MOUNT:?}") || { echo "nothing mounted at $DATA_MOUNT"; ls -l /dev/disk/by-id/; return 1; }
  [ -e "${DATA_DEVICE:?}" ] || { echo "$DATA_DEVICE does not exist"; return 1; }
  # The file system may sit on the disk itself or on a partition of it.
  local disk parent
  disk=$(realpath "$DATA_DEVICE")
  parent=/dev/$(lsblk -n -d -o PKNAME "$source" 2>/dev/null)
  if [ "$(realpath "$source")" != "$disk" ] && [ "$parent" != "$disk" ]; then
    echo "$DATA_MOUNT is on $source, not on the data disk $DATA_DEVICE ($disk)"
    return 1
  fi
  echo "$DATA_MOUNT: $(findmnt -n -o SOURCE,FSTYPE,OPTIONS --mountpoint "$DATA_MOUNT") from $DATA_DEVICE"
}
expect "data disk mounted at $DATA_MOUNT" data_disk_mounted
# cloud-init's mounts module marks its fstab lines; a mount from anywhere else lacks it.
expect "mount is cloud-init's (fstab)" sh -c "findmnt --fstab -n -o SOURCE,TARGET,OPTIONS --target '$DATA_MOUNT' | grep -F cloudconfig"
expect "nfs-server active" systemctl is-active nfs-server.service

exports_private_only() {
  local table dir missing=0
  table=$(exportfs -s 2>&1) || { echo "$table"; return 1; }
  echo "$table"
  for dir in ${EXPORTS:?}; do
    if ! grep -qE "^${dir}[[:space:]]+${PRIVATE_CIDR//./\\.}\(" <<<"$table"; then echo "missing: $dir to $PRIVATE_CIDR"; missing=1; fi
  done
  # Any client other than the private subnet is a leak.
  if grep -vE "[[:space:]]${PRIVATE_CIDR//./\\.}\(" <<<"$table" | grep -q .; then echo "exported beyond $PRIVATE_CIDR"; return 1; fi
  return "$missing"
}
expect "exports to $PRIVATE_CIDR only" exports_private_only
on_data_disk() { for dir in $EXPORTS; do [ "$(findmnt -n -o TARGET --target "$dir")" = "$DATA_MOUNT" ] || { echo "$dir is not on $DATA_MOUNT"; return 1; }; done; echo "exports live on $DATA_MOUNT"; }
expect "exported directories are on the data disk" on_data_disk

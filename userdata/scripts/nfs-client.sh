#!/usr/bin/env bash
# Starts the automounts of the factory's NFS shares (fstab entries written by cloud-init
# before the NFS client was installed). The shares mount on first access; a late NFS
# server delays that access, never the boot.
# usage: nfs-client.sh <mount point>...
set -euo pipefail

[ "$#" -gt 0 ] || { echo "usage: nfs-client.sh <mount point>..." >&2; exit 2; }

# NFSv4 clients need neither rpcbind (pulled in by nfs-common) nor statd: no port 111.
for unit in rpcbind.socket rpcbind.service rpc-statd.service; do
  systemctl mask --now "$unit" >/dev/null 2>&1 || true
done

systemctl daemon-reload
for dir in "$@"; do
  unit=$(systemd-escape --path --suffix=automount "$dir")
  systemctl start "$unit"
  echo "nfs-client: $dir mounts on demand ($unit)"
done

#!/usr/bin/env bash
# Prepares the data volume and starts the NFSv4-only server. Shared directories belong to
# the uid Jenkins and the build hosts' agent share; private ones to root.
# usage: nfs-server.sh <data root> <shared uid> <shared dir>... -- <private dir>...
set -euo pipefail

root=${1:?usage: nfs-server.sh <data root> <uid> <shared dir>... -- <private dir>...}
uid=${2:?missing uid}
shift 2

if ! mountpoint -q "$root"; then
  echo "nfs-server: $root is not mounted: the data volume is missing or unformatted" >&2
  exit 1
fi

shared=true
for dir in "$@"; do
  if [ "$dir" = "--" ]; then shared=false; continue; fi
  if $shared; then
    install -d -o "$uid" -g "$uid" -m 2775 "$dir"
  else
    install -d -o root -g root -m 0755 "$dir"
  fi
done

# NFSv4 needs neither rpcbind nor statd; masked they cannot open ports either.
for unit in rpcbind.socket rpcbind.service rpc-statd.service; do
  systemctl mask --now "$unit" >/dev/null 2>&1 || true
done

systemctl daemon-reload
systemctl enable nfs-server.service
systemctl restart nfs-server.service
exportfs -ra
exportfs -v

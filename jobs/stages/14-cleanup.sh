#!/usr/bin/env bash
# Stage 14 — Perform clean-up on the build host: stops the gpg-agent and deletes this
# build's local working space, the signing keyring above all (a kept build host must not
# keep the key). Safe to run twice, and after a failed build.
#
# Inputs (env):
#   FACTORY_BUILD_ID   see lib.sh
#   FACTORY_SCRATCH   see lib.sh (local disk)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

require FACTORY_BUILD_ID
work="$FACTORY_SCRATCH/$FACTORY_BUILD_ID"
if [ -d "$work/gnupg" ]; then
  GNUPGHOME="$work/gnupg" gpgconf --kill all || true
  find "$work/gnupg" -type f -exec shred -u {} + 2>/dev/null || true
fi
# Image builds leave root-owned trees (chroots, mounts already gone by now).
if [ -e "$work" ]; then
  rm -rf "$work" 2>/dev/null || sudo -n rm -rf --one-file-system "$work"
fi
[ ! -e "$work" ] || die "could not remove $work"
log "removed $work"

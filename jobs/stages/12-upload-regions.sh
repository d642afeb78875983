#!/usr/bin/env bash
# Stage 12 — Upload to the other regions: the image's regions (catalogue `regions`,
# default `uploadRegions`, or the job's REGIONS override) get a private copy. Runs on the
# controller; a thin wrapper around jobs/publish/upload-regions.sh.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR), OS_CLOUD   see lib.sh
#   FACTORY_REPO     repository snapshot (default $FACTORY_LOCAL_DIR/repo)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_LOCAL_DIR/repo}"
name="$(entry name)"
regions="$(entry regions)"
if [ -z "$regions" ]; then
  log "no other regions for $name; nothing to upload"
  exit 0
fi
image="$FACTORY_IMAGES_ROOT/$name/$FACTORY_BUILD_ID/$name.qcow2"
[ -f "$image" ] || die "no image $image (stage 11)"
[ -f "$FACTORY_LOCAL_DIR/META.json" ] || die "no $FACTORY_LOCAL_DIR/META.json (stage 8 writes it)"
"$FACTORY_REPO/jobs/publish/upload-regions.sh" --image "$image" --name "$name" --build-id "$FACTORY_BUILD_ID" \
  --regions "$regions" --meta "$FACTORY_LOCAL_DIR/META.json" >&2
log "uploaded $name to $regions"

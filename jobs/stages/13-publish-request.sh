#!/usr/bin/env bash
# Stage 13 — Set the publish request. Always writes the marker
# $FACTORY_BUILD_DIR/publish-request.json (what was built, for which regions, by whom);
# with PUBLISH=true it also publishes right away through jobs/publish/publish.sh
# (rotation of <name>_latest / _prev in every region, dated images older than
# imageRetentionMonths deleted). Runs on the controller.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR), OS_CLOUD   see lib.sh
#   FACTORY_REGION   the factory's own region (published first)
#   PUBLISH          true|false (default: what stage 1 recorded)
#   BUILD_USER_ID    who asked (Jenkins; optional)
#   FACTORY_REPO     repository snapshot (default $FACTORY_LOCAL_DIR/repo)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
require FACTORY_REGION
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_LOCAL_DIR/repo}"
PUBLISH="${PUBLISH:-$(build_env PUBLISH)}"
name="$(entry name)"
other_regions="$(entry regions)"
regions="$FACTORY_REGION${other_regions:+ $other_regions}"
# write_request STATUS — the marker, locally and (a new file) on NFS: "requested" until a
# publication succeeded, then "published" (an operator publishing a public image by hand
# starts from a request that says it is not published yet).
write_request() {
  NAME="$name" REGIONS_LIST="$regions" STATUS="$1" python3 - "$FACTORY_LOCAL_DIR/publish-request.json" <<'PY'
import json, os, sys
json.dump({
    "name": os.environ["NAME"],
    "buildId": os.environ["FACTORY_BUILD_ID"],
    "imageId": open(os.environ["FACTORY_LOCAL_DIR"] + "/image-id").read().strip(),
    "regions": os.environ["REGIONS_LIST"].split(),
    "requestedBy": os.environ.get("BUILD_USER_ID", ""),
    "status": os.environ["STATUS"],
}, open(sys.argv[1], "w"), indent=2, sort_keys=True)
PY
  cp --remove-destination "$FACTORY_LOCAL_DIR/publish-request.json" "$FACTORY_BUILD_DIR/"
}
write_request requested

if is_true "$PUBLISH"; then
  "$FACTORY_REPO/jobs/publish/publish.sh" --name "$name" --build-id "$FACTORY_BUILD_ID" --regions "$regions" \
    --retention-months "$(entry factory.imageRetentionMonths)" >&2
  write_request published
  log "published $name ($FACTORY_BUILD_ID) in $regions"
else
  log "publish request for $name ($FACTORY_BUILD_ID) in $regions written; PUBLISH=false, not published"
fi

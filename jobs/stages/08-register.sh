#!/usr/bin/env bash
# Stage 8 — Register as private image, in the factory's own region. Runs on the controller
# (it holds the cloud credentials); a thin wrapper around jobs/publish/register.sh.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR, FACTORY_LOCAL_DIR), OS_CLOUD   see lib.sh
#   FACTORY_REGION   the factory's region (Jenkins' environment)
#   FACTORY_REPO     repository snapshot (default $FACTORY_LOCAL_DIR/repo)
# Effect: META.json (what jobs/publish/*.sh register: the catalogue entry's image facts and
# the build's, written here from the controller's own entry.json and build.env, never from
# anything a build host wrote) and the image's UUID (image-id) in $FACTORY_LOCAL_DIR; the
# UUID is printed on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
require FACTORY_REGION
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_LOCAL_DIR/repo}"
name="$(entry name)"
image="$FACTORY_BUILD_DIR/output/$name.qcow2"
[ -f "$image" ] || die "no image $image (stage 7)"

# The build's start is the SCS build date: every update published before it is in the image.
python3 "$STAGES_DIR/catalogue.py" meta --entry "$FACTORY_LOCAL_DIR/entry.json" \
  --build-id "$FACTORY_BUILD_ID" --git-commit "$(build_env GIT_COMMIT)" --date "$(build_env STARTED_AT)" \
  --base-url "$(entry factory.webBaseUrl)" >"$FACTORY_LOCAL_DIR/META.json"

id="$("$FACTORY_REPO/jobs/publish/register.sh" --image "$image" --name "$name" --build-id "$FACTORY_BUILD_ID" \
  --region "$FACTORY_REGION" --meta "$FACTORY_LOCAL_DIR/META.json" | tail -n 1)"
[[ "$id" =~ ^[0-9a-fA-F-]{32,36}$ ]] || die "register.sh printed '$id', not an image UUID"
echo "$id" >"$FACTORY_LOCAL_DIR/image-id"
log "registered $name as private image $id in $FACTORY_REGION"
echo "$id"

#!/usr/bin/env bash
# Stage 15 — Destroy the build host: `terraform destroy` in the build's state directory,
# unless the requester keeps the host (then the reaper spares it too: keep=true). Runs on
# the controller, also from the pipeline's post { always } when a stage failed earlier.
# Nothing to do when stage 2 never got as far as Terraform.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_LOCAL_DIR), OS_CLOUD   see lib.sh
#   KEEP_BUILD_HOST         true: leave the host (default: what stage 1 recorded)
#   AGENT_PUBLIC_KEY_FILE   default: the model's build-host key (roles.jenkins.paths.buildHostKey) + .pub
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
KEEP_BUILD_HOST="${KEEP_BUILD_HOST:-$(build_env KEEP_BUILD_HOST)}"
tf_dir="$FACTORY_LOCAL_DIR/terraform"
if [ ! -f "$tf_dir/terraform.tfstate" ]; then
  log "no Terraform state in $tf_dir; no build host to destroy"
  exit 0
fi
if is_true "$KEEP_BUILD_HOST"; then
  log "KEEP_BUILD_HOST=true: keeping $FACTORY_ENV-build-$FACTORY_BUILD_ID; destroy it with 'terraform destroy' in $tf_dir when done"
  exit 0
fi
terraform_vars
cd "$tf_dir"
# Under the build-host lock, as stage 2's init and apply and the reaper are: another build's
# `terraform init` rewrites the shared provider cache (TF_PLUGIN_CACHE_DIR), and took the
# provider from under a running destroy (seen in test:pipeline).
take_build_host_lock || die "the build-host lock $BUILD_HOST_LOCK stayed busy (a spawn, or the reaper); the reaper destroys this host after its expires-at"
terraform destroy -auto-approve -input=false -no-color "${TF_VARS[@]}" >&2
release_build_host_lock
log "destroyed the build host of $FACTORY_BUILD_ID"

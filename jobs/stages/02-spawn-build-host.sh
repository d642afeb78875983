#!/usr/bin/env bash
# Stage 2 — Spawn the build host. Runs on the controller (Terraform, `openstack`, clouds.yaml).
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR), FACTORY_ENV, OS_CLOUD   see lib.sh
#   KEEP_BUILD_HOST          true: the template marks the host keep=true (the reaper spares it)
#   AGENT_PUBLIC_KEY_FILE    default: the model's build-host key (see lib.sh), .pub
#   FACTORY_REPO             repository snapshot (default $FACTORY_LOCAL_DIR/repo)
#   SPAWN_WAIT_MINUTES       how long to wait for a free slot under maxInstances (default 60;
#                            0: no wait — the pipeline waits between tries, holding no executor)
#   SPAWN_POLL_SECONDS       between two looks (default 60)
#   BUILD_HOST_LOCK_WAIT     how long to wait for the spawn lock, in seconds (default 900)
#   TF_PLUGIN_CACHE_DIR      optional provider cache, shared by all builds
# The template is the synthesized jobs/build-hosts/<env>/<template>/cdk.tf.json. Its working
# directory and state are the controller's $FACTORY_LOCAL_DIR/terraform, where stage 15 and
# the reaper find it (never NFS, which build hosts write).
# Effect: the build host exists; $FACTORY_LOCAL_DIR/build-host.json holds its outputs
# (address, server_id, name). Output: the address on stdout.
# Exit 75 (EX_TEMPFAIL): no free slot, or the lock stayed busy, within the waits; nothing
# was created: try again later.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

require FACTORY_ENV
use_local_dir
use_build_dir
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_LOCAL_DIR/repo}"
template="$(entry template)"
max="$(entry factory.maxInstances)"
template_dir="$FACTORY_REPO/jobs/build-hosts/$FACTORY_ENV/$template"
[ -f "$template_dir/cdk.tf.json" ] || die "no build-host template $template_dir/cdk.tf.json (run 'npx factory synth' and commit jobs/build-hosts/)"
tf_dir="$FACTORY_LOCAL_DIR/terraform"
mkdir -p "$tf_dir"
cp -R "$template_dir/." "$tf_dir/"
terraform_vars

# Count and create under one lock, so two builds cannot both take the last slot. A build
# that finds no slot waits (outside the lock) for one to free up.
deadline=$(($(date +%s) + ${SPAWN_WAIT_MINUTES:-60} * 60))
while :; do
  take_build_host_lock || { log "the spawn lock $BUILD_HOST_LOCK stayed busy (another spawn, or the reaper)" && exit 75; }
  running="$(openstack server list --long -f json | python3 "$JOBS_DIR/reaper/build_hosts.py" count --env "$FACTORY_ENV")"
  if [ "$running" -lt "$max" ]; then
    log "$running of $max build hosts in use; spawning $FACTORY_ENV-build-$FACTORY_BUILD_ID from template $template"
    break
  fi
  release_build_host_lock
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "buildHosts.maxInstances ($max) build hosts are running; none freed up within ${SPAWN_WAIT_MINUTES:-60} minutes"
    exit 75
  fi
  log "$running of $max build hosts in use; waiting for a free slot"
  sleep "${SPAWN_POLL_SECONDS:-60}"
done

cd "$tf_dir"
# init under the lock too: Terraform's provider cache is not safe for two inits at once.
if [ -n "${TF_PLUGIN_CACHE_DIR:-}" ]; then mkdir -p "$TF_PLUGIN_CACHE_DIR"; fi
terraform init -input=false -no-color >&2
terraform apply -auto-approve -input=false -no-color "${TF_VARS[@]}" >&2
release_build_host_lock
terraform output -json >"$FACTORY_LOCAL_DIR/build-host.json"

address="$(json "$FACTORY_LOCAL_DIR/build-host.json" address.value)" || die "the template's outputs have no address"
log "build host $(json "$FACTORY_LOCAL_DIR/build-host.json" name.value) is up at $address"
echo "$address"

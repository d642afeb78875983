#!/usr/bin/env bash
# Stage 2 — Spawn the build host. Runs on the controller (Terraform, `openstack`, clouds.yaml).
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR), FACTORY_ENV, OS_CLOUD   see lib.sh
#   KEEP_BUILD_HOST          true: the template marks the host keep=true (the reaper spares it)
#   AGENT_PUBLIC_KEY_FILE    default /var/lib/jenkins/.ssh/build-host.pub
#   FACTORY_REPO             repository snapshot (default $FACTORY_BUILD_DIR/repo)
#   SPAWN_WAIT_MINUTES       how long to wait for a free slot under maxInstances (default 60)
#   SPAWN_POLL_SECONDS       between two looks (default 60)
#   TF_PLUGIN_CACHE_DIR      optional provider cache, shared by all builds
# The template is the synthesized jobs/build-hosts/<env>/<template>/cdk.tf.json. Its state
# stays in $FACTORY_BUILD_DIR/terraform (NFS), where stage 15 and the reaper find it.
# Effect: the build host exists; $FACTORY_BUILD_DIR/build-host.json holds its outputs
# (address, server_id, name). Output: the address on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

require FACTORY_ENV
use_build_dir
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_BUILD_DIR/repo}"
template="$(entry template)"
max="$(entry factory.maxInstances)"
template_dir="$FACTORY_REPO/jobs/build-hosts/$FACTORY_ENV/$template"
[ -f "$template_dir/cdk.tf.json" ] || die "no build-host template $template_dir/cdk.tf.json (run 'npx factory synth' and commit jobs/build-hosts/)"
tf_dir="$FACTORY_BUILD_DIR/terraform"
mkdir -p "$tf_dir"
cp -R "$template_dir/." "$tf_dir/"
terraform_vars

# Count and create under one lock, so two builds cannot both take the last slot. A build
# that finds no slot waits (outside the lock) for one to free up.
deadline=$(($(date +%s) + ${SPAWN_WAIT_MINUTES:-60} * 60))
while :; do
  take_build_host_lock
  running="$(openstack server list --long -f json | python3 "$JOBS_DIR/reaper/build_hosts.py" count --env "$FACTORY_ENV")"
  if [ "$running" -lt "$max" ]; then
    log "$running of $max build hosts in use; spawning $FACTORY_ENV-build-$FACTORY_BUILD_ID from template $template"
    break
  fi
  release_build_host_lock
  [ "$(date +%s)" -lt "$deadline" ] || die "buildHosts.maxInstances ($max) build hosts are running; none freed up within ${SPAWN_WAIT_MINUTES:-60} minutes"
  log "$running of $max build hosts in use; waiting for a free slot"
  sleep "${SPAWN_POLL_SECONDS:-60}"
done

cd "$tf_dir"
if [ -n "${TF_PLUGIN_CACHE_DIR:-}" ]; then mkdir -p "$TF_PLUGIN_CACHE_DIR"; fi
terraform init -input=false -no-color >&2
terraform apply -auto-approve -input=false -no-color "${TF_VARS[@]}" >&2
release_build_host_lock
terraform output -json >"$FACTORY_BUILD_DIR/build-host.json"

address="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["address"]["value"])' <"$FACTORY_BUILD_DIR/build-host.json")" ||
  die "the template's outputs have no address"
log "build host $(python3 -c 'import json,sys; print(json.load(sys.stdin)["name"]["value"])' <"$FACTORY_BUILD_DIR/build-host.json") is up at $address"
echo "$address"

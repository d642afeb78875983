#!/usr/bin/env bash
# The build-host reaper (job build-host-reaper, hourly). Deletes the factory's build hosts
# (and stage-9 test servers) whose expires-at has passed and that are not kept, with their
# port and scratch volume; then the ports and scratch volumes of build hosts whose server is
# gone (a host deleted by hand, or a destroy or reap that stopped halfway: they carry the
# build's tags and metadata); and names the Jenkins nodes to remove: every `<env>-build-*`
# node whose server is gone (reaped now, destroyed by hand, or never cleaned up — an SSH
# agent with RetentionStrategy.Always retries forever otherwise). Runs on the controller.
#
# Inputs (env):
#   FACTORY_ENV, OS_CLOUD      which factory, which cloud
#   FACTORY_LOCAL_ROOT         the controller's per-build directories, with each build host's
#                              Terraform state (default: the model's roles.jenkins.paths.localBuilds)
#   NODES_FILE                 optional: the controller's Jenkins node names, one a line
#                              (the reaper job writes it from Jenkins itself)
#   AGENT_PUBLIC_KEY_FILE      for terraform destroy's variables (default: the model's
#                              roles.jenkins.paths.buildHostKey, + .pub)
#   FACTORY_MODEL              the model file (default jobs/build-hosts/$FACTORY_ENV/factory.json)
#   REAPER_NOW                 RFC 3339 time to judge expiry by (default: now)
#   DRY_RUN                    true: only say what would be deleted
#
# Output: one line per Jenkins node to remove, on stdout (the job removes them).
#
# Safe next to running builds: it holds the spawn lock, so a host being created is never
# half-seen; selection (build_hosts.py) never picks an unexpired or kept host; every delete
# tolerates the resource having disappeared meanwhile. A host with Terraform state is
# destroyed through Terraform (port and volume with it); otherwise by name with the CLI.
set -euo pipefail

REAPER_DIR="$(cd "$(dirname "$0")" && pwd)"
: "${FACTORY_ENV:?FACTORY_ENV is not set}"
log() { printf '[reaper] %s\n' "$*" >&2; }

# The factory's facts come from its model (jobs/build-hosts/<env>/factory.json of this
# checkout): the names of its build hosts (and so of their Jenkins nodes) start with the
# model's prefix, and the controller's paths are the model's.
# shellcheck source-path=SCRIPTDIR source=../model-lib.sh
. "$REAPER_DIR/../model-lib.sh"
model="$(model_file)"
[ -f "$model" ] || { log "no model file $model (run 'npx factory templates' and commit jobs/build-hosts/)"; exit 1; }
prefix="$(model_get names.buildHostPrefix)"
[ -n "$prefix" ] || { log "$model: names.buildHostPrefix is empty"; exit 1; }
FACTORY_LOCAL_ROOT="${FACTORY_LOCAL_ROOT:-$(model_get roles.jenkins.paths.localBuilds)}"
AGENT_PUBLIC_KEY_FILE="${AGENT_PUBLIC_KEY_FILE:-$(model_get roles.jenkins.paths.buildHostKey).pub}"
BUILD_HOST_LOCK="${BUILD_HOST_LOCK:-$FACTORY_LOCAL_ROOT/.build-hosts.lock}"

# delete_quietly WHAT CMD... — runs a delete; "not found" is fine (someone was faster).
delete_quietly() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    log "deleted $what"
  elif grep -qiE 'no .* (found|exists)|not found|could not find|404' <<<"$out"; then
    log "$what is already gone"
  else
    log "WARNING: could not delete $what: $out"
    return 1
  fi
}


mkdir -p "$(dirname "$BUILD_HOST_LOCK")"
exec 9>>"$BUILD_HOST_LOCK"
flock -w "${BUILD_HOST_LOCK_WAIT:-900}" 9 || { log "could not take $BUILD_HOST_LOCK"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
servers="$work/servers.json"
openstack server list --long -f json >"$servers"
selection="$(python3 "$REAPER_DIR/build_hosts.py" expired --env "$FACTORY_ENV" ${REAPER_NOW:+--now "$REAPER_NOW"} <"$servers")"
expired=()
if [ -n "$selection" ]; then mapfile -t expired <<<"$selection"; fi
log "${#expired[@]} expired server(s)"

# destroy_with_state BUILD-ID NAME — `terraform destroy` of the build's host through its
# state on the controller; fails (1) when there is no state or the destroy failed.
destroy_with_state() {
  local tf_dir="$FACTORY_LOCAL_ROOT/$1/terraform"
  [ -n "$1" ] && [ -f "$tf_dir/terraform.tfstate" ] || return 1
  log "destroying $2 through its Terraform state in $tf_dir"
  (cd "$tf_dir" && terraform destroy -auto-approve -input=false -no-color \
    -var "build_id=$1" -var "agent_public_key=$(cat "$AGENT_PUBLIC_KEY_FILE")" \
    -var keep=false >&2) && return 0
  log "WARNING: terraform destroy failed for $2; deleting by name"
  return 1
}

failures=0
reaped=()
for line in "${expired[@]}"; do
  IFS=$'\t' read -r name build_id role <<<"$line"
  if [ "${DRY_RUN:-false}" = true ]; then
    log "would delete $role $name (build $build_id)"
    continue
  fi
  if [ "$role" = build-host ] && destroy_with_state "$build_id" "$name"; then
    reaped+=("$name")
    continue
  fi
  if delete_quietly "server $name" openstack server delete --wait "$name"; then reaped+=("$name"); else failures=$((failures + 1)); fi
  if [ "$role" = build-host ]; then
    delete_quietly "port $name" openstack port delete "$name" || failures=$((failures + 1))
    delete_quietly "volume $name-scratch" openstack volume delete "$name-scratch" || failures=$((failures + 1))
  else
    delete_quietly "key pair $name" openstack keypair delete "$name" || failures=$((failures + 1))
  fi
done

# Half-deleted build hosts: what is left of builds whose server is gone (looked at after
# the deletions above, so what they left behind is found in the same run).
if [ "${DRY_RUN:-false}" = true ]; then cp "$servers" "$work/now.json"; else openstack server list --long -f json >"$work/now.json"; fi
openstack port list --tags "factory=$FACTORY_ENV,role=build-host" --long -f json >"$work/ports.json"
openstack volume list --long -f json >"$work/volumes.json"
left="$(python3 "$REAPER_DIR/build_hosts.py" orphans --env "$FACTORY_ENV" --ports "$work/ports.json" --volumes "$work/volumes.json" <"$work/now.json")"
orphans=()
if [ -n "$left" ]; then mapfile -t orphans <<<"$left"; fi
log "${#orphans[@]} port(s) and volume(s) of build hosts whose server is gone"
declare -A destroyed=()
for line in "${orphans[@]}"; do
  IFS=$'\t' read -r kind id name build_id <<<"$line"
  if [ "${DRY_RUN:-false}" = true ]; then
    log "would delete $kind $name ($id) of build $build_id"
    continue
  fi
  if [ -z "${destroyed[$build_id]:-}" ]; then
    destroyed[$build_id]=no
    if destroy_with_state "$build_id" "what is left of $FACTORY_ENV-build-$build_id"; then destroyed[$build_id]=yes; fi
  fi
  [ "${destroyed[$build_id]}" = yes ] && continue
  delete_quietly "$kind $name ($id) of build $build_id" openstack "$kind" delete "$id" || failures=$((failures + 1))
done

# Jenkins nodes of this factory's build hosts whose server no longer exists.
if [ -n "${NODES_FILE:-}" ] && [ "${DRY_RUN:-false}" != true ]; then
  present="$(python3 -c 'import json,sys; print("\n".join(s.get("Name", s.get("name", "")) for s in json.load(open(sys.argv[1]))))' "$servers")"
  # the nodes are named as their servers: the model's build-host prefix
  while IFS= read -r node; do
    [[ "$node" == "$prefix"* ]] || continue
    gone=true
    if grep -qxF -- "$node" <<<"$present"; then gone=false; fi
    for name in "${reaped[@]}"; do [ "$name" != "$node" ] || gone=true; done
    if $gone; then
      log "Jenkins node $node has no server any more: remove it"
      echo "$node"
    fi
  done <"$NODES_FILE"
fi
[ "$failures" -eq 0 ] || { log "$failures delete(s) failed" && exit 1; }

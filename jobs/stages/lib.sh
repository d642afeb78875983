#!/usr/bin/env bash
# Sourced by every stage script (never run). What all stages share:
#
#   FACTORY_BUILD_ID     the build's id (made by 01-initialize.sh)
#   FACTORY_MODEL        the factory's resolved model (default
#                        jobs/build-hosts/$FACTORY_ENV/factory.json of this checkout, written
#                        by `factory templates`): the defaults below marked (model) are its
#   FACTORY_BUILDS_ROOT  per-build directories on NFS      (model: roles.nfs.paths.builds)
#   FACTORY_IMAGES_ROOT  the built + published image tree   (model: roles.nfs.paths.images)
#   FACTORY_BUILD_DIR    this build's directory             (default $FACTORY_BUILDS_ROOT/$FACTORY_BUILD_ID)
#   FACTORY_SCRATCH      local working space on the build host (default <scratch>/factory
#                        on a host with a scratch volume (model: roles.buildHost.paths.scratch),
#                        else /var/tmp/factory)
#   FACTORY_LOCAL_ROOT   the controller's own per-build directories, on its local disk
#                        (model: roles.jenkins.paths.localBuilds)
#   FACTORY_LOCAL_DIR    this build's (default $FACTORY_LOCAL_ROOT/$FACTORY_BUILD_ID)
#   AGENT_KEY_FILE       the key Jenkins reaches build hosts with (model:
#                        roles.jenkins.paths.buildHostKey); AGENT_PUBLIC_KEY_FILE its .pub
#
# The build directory on NFS is how stages hand results to each other across the
# controller and the build host (both mount the share at the same paths). Build hosts
# write it, so to the controller it is data, never code or control:
#   entry.json, build.env   copies of the controller's, for the build-host stages
#   output/           image, config tarball, test results, signatures, manifest
#   logs/             one log per build-host stage
# The controller's local directory holds what decides what the controller does; build
# hosts can neither read nor write it:
#   repo/             snapshot of the jobs repository at the build's commit (stage 1): the
#                     controller stages run these scripts
#   entry.json        the resolved catalogue entry, build.env (id, commit, parameters) (stage 1)
#   terraform/        the build host's Terraform config and state (stage 2)
#   build-host.json   `terraform output -json` (stage 2)
#   META.json, image-id   what jobs/publish/*.sh register, and the image's UUID (stage 8)
#   logs/             one log per controller stage
# shellcheck shell=bash

STAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JOBS_DIR="$(dirname "$STAGES_DIR")"
# shellcheck source-path=SCRIPTDIR source=../model-lib.sh
. "$JOBS_DIR/model-lib.sh"
STAGE="$(basename "$0" .sh)"

log() { printf '[%s] %s\n' "$STAGE" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# require VAR... — fail with a clear message when an input is missing.
require() {
  local var
  for var in "$@"; do
    [ -n "${!var:-}" ] || die "$var is not set (see the header of $0)"
  done
}

# from_model VAR KEY.PATH — sets VAR from the model file (../model-lib.sh: FACTORY_MODEL,
# default the checkout's jobs/build-hosts/$FACTORY_ENV/factory.json) unless the caller set it.
from_model() {
  [ -z "${!1:-}" ] || return 0
  [ -n "${FACTORY_MODEL:-}" ] || require FACTORY_ENV
  local file value
  file="$(model_file)"
  [ -f "$file" ] || die "$1 is not set and there is no model file $file (run 'npx factory templates' and commit jobs/build-hosts/)"
  value="$(model_get "$2")" || die "$file: no $2"
  printf -v "$1" '%s' "$value"
}
from_model FACTORY_BUILDS_ROOT roles.nfs.paths.builds
from_model FACTORY_IMAGES_ROOT roles.nfs.paths.images
# Local working space on the build host (never NFS): the scratch volume when the template
# has one (mounted by the build host's first boot), else /var/tmp.
if [ -z "${FACTORY_SCRATCH:-}" ]; then
  scratch_dir=""
  from_model scratch_dir roles.buildHost.paths.scratch
  if [ -d "$scratch_dir" ]; then FACTORY_SCRATCH=$scratch_dir/factory; else FACTORY_SCRATCH=/var/tmp/factory; fi
fi
from_model FACTORY_LOCAL_ROOT roles.jenkins.paths.localBuilds

# Where entry() and build_env() read the build's control files: the build directory on a
# build host, the controller's local directory in a controller stage (use_local_dir).
CONTROL_DIR=""

# Controller stages only: sets FACTORY_LOCAL_DIR and reads every control file from there,
# never from NFS. Call before use_build_dir.
use_local_dir() {
  require FACTORY_BUILD_ID
  FACTORY_LOCAL_DIR="${FACTORY_LOCAL_DIR:-$FACTORY_LOCAL_ROOT/$FACTORY_BUILD_ID}"
  [ -d "$FACTORY_LOCAL_DIR" ] || die "local build directory $FACTORY_LOCAL_DIR does not exist (did stage 1 run on this controller?)"
  export FACTORY_LOCAL_DIR
  CONTROL_DIR="$FACTORY_LOCAL_DIR"
}

# Sets FACTORY_BUILD_DIR from FACTORY_BUILD_ID unless given, and checks it exists.
use_build_dir() {
  require FACTORY_BUILD_ID
  FACTORY_BUILD_DIR="${FACTORY_BUILD_DIR:-$FACTORY_BUILDS_ROOT/$FACTORY_BUILD_ID}"
  [ -d "$FACTORY_BUILD_DIR" ] || die "build directory $FACTORY_BUILD_DIR does not exist (did stage 1 run?)"
  export FACTORY_BUILD_DIR
  CONTROL_DIR="${CONTROL_DIR:-$FACTORY_BUILD_DIR}"
  # The detailed log of each stage: a build host's next to the results on NFS, a
  # controller stage's in its local directory (it never writes through NFS paths it did not make).
  mkdir -p "$CONTROL_DIR/logs"
  exec 2> >(tee -a "$CONTROL_DIR/logs/$STAGE.log" >&2)
}

# entry KEY.PATH — a value of the build's catalogue entry.
entry() { python3 "$STAGES_DIR/catalogue.py" get "$CONTROL_DIR/entry.json" "$1"; }

# json FILE KEY.PATH — a value of any JSON file.
json() { python3 "$STAGES_DIR/catalogue.py" get "$1" "$2"; }

# build_env KEY — a value stage 1 recorded in build.env.
build_env() { sed -n "s/^$1=//p" "$CONTROL_DIR/build.env" | tail -n 1; }

is_true() { [ "${1:-false}" = "true" ]; }

# The one lock every build-host spawner and the reaper take; both run on the controller.
BUILD_HOST_LOCK="${BUILD_HOST_LOCK:-$FACTORY_LOCAL_ROOT/.build-hosts.lock}"
# take_build_host_lock — fails (1) when the lock is still held after BUILD_HOST_LOCK_WAIT s.
take_build_host_lock() {
  mkdir -p "$(dirname "$BUILD_HOST_LOCK")"
  exec 9>>"$BUILD_HOST_LOCK"
  flock -w "${BUILD_HOST_LOCK_WAIT:-900}" 9
}
release_build_host_lock() { flock -u 9; }

# terraform_vars — the variables of the build-host template, same for apply and destroy.
terraform_vars() {
  from_model AGENT_KEY_FILE roles.jenkins.paths.buildHostKey
  local key_file="${AGENT_PUBLIC_KEY_FILE:-$AGENT_KEY_FILE.pub}"
  [ -r "$key_file" ] || die "agent public key $key_file is not readable"
  # shellcheck disable=SC2034 # read by the caller
  TF_VARS=(-var "build_id=$FACTORY_BUILD_ID" -var "agent_public_key=$(cat "$key_file")" -var "keep=${KEEP_BUILD_HOST:-false}")
}

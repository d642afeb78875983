#!/usr/bin/env bash
# The image-rollback job: withdraws the current <name>_latest in every given region
# and makes <name>_prev the latest again (the reverse rotation: the newest dated
# image becomes _prev again). The withdrawn image is renamed
# <name>_rolled_back_<build-id> and hidden, not deleted: servers may use it.
#
# Without --build-id the build to withdraw is the current latest, which must be the
# same build in every region and fully rotated there; after an interrupted rollback
# rerun it with the --build-id it printed, so that it does not withdraw a second build.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USAGE="usage: $PROG --name NAME --regions \"R1 R2\" [--build-id ID] [--project ID] [--dry-run]"

name="" regions="" build="" DRY_RUN=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) takes_value "$@"; name="$2"; shift 2 ;;
    --regions) takes_value "$@"; regions="$2"; shift 2 ;;
    --build-id) takes_value "$@"; build="$2"; shift 2 ;;
    --project) takes_value "$@"; check_project "$2"; FOR_PROJECT="$2"; shift 2 ;;
    --dry-run) DRY_RUN=yes; shift ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
done
[[ -n "$name" ]] || usage_error "--name and --regions are required"
check_name "$name"
check_regions "$regions"
[[ -z "$build" ]] || check_build_id "$build"

read -r -a region_list <<<"$regions"
project="$(current_project)"

declare -A images
for region in "${region_list[@]}"; do
  images[$region]="$(region_images "$region" "$name")"
done

if [[ -z "$build" ]]; then
  for region in "${region_list[@]}"; do
    status="$(plan_lines "${images[$region]}" "$project" status "$name" "" "" '[]')"
    latest="$(plan_field "$status" latest)"
    latest="${latest%%$'\t'*}"
    [[ "$latest" != - ]] || die "$region: no published image of $name"
    [[ "$(plan_field "$status" converged)" == true ]] \
      || die "$region: $name is in the middle of a rotation (an interrupted publish or rollback): rerun that, or give --build-id"
    [[ -z "$build" || "$build" == "$latest" ]] \
      || die "$region: ${name}_latest is build $latest, but build $build in ${region_list[0]}: give --build-id"
    build="$latest"
  done
fi
say "rolling back build $build of $name (if interrupted, rerun with --build-id $build)"

declare -A plans
for region in "${region_list[@]}"; do
  plans[$region]="$(plan_lines "${images[$region]}" "$project" rollback "$name" "$build" "" '[]')"
  check_plan "$region" "${plans[$region]}"
done
for region in "${region_list[@]}"; do
  run_actions "$region" "${plans[$region]}"
  latest="$(plan_field "${plans[$region]}" latest)"
  say "$region: ${name}_latest is build ${latest%%$'\t'*}"
done

#!/usr/bin/env bash
# Pipeline stage 13: publishes a build in every given region. Per region the image of
# the build becomes <name>_latest (with the catalogue's visibility), the former
# _latest becomes <name>_prev, the former _prev becomes <name>_YYYYMMDD (its build
# date) and hidden; then images built more than --retention-months ago are deleted,
# unless a server of the project still uses them. See README "Published images".
#
# Nothing changes anywhere unless the build has an active image in every region.
# Rerunning after an interruption finishes the job: the target state is derived from
# the images' factory_* properties (plan.jq), not from their names.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USAGE="usage: $PROG --name NAME --build-id ID --regions \"R1 R2\" [--retention-months N] [--today YYYY-MM-DD] [--project ID] [--dry-run]"

name="" build="" regions="" retention_months=24 today="" DRY_RUN=no
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) takes_value "$@"; name="$2"; shift 2 ;;
    --build-id) takes_value "$@"; build="$2"; shift 2 ;;
    --regions) takes_value "$@"; regions="$2"; shift 2 ;;
    --retention-months) takes_value "$@"; retention_months="$2"; shift 2 ;;
    --today) takes_value "$@"; today="$2"; shift 2 ;;
    --project) takes_value "$@"; check_project "$2"; FOR_PROJECT="$2"; shift 2 ;;
    --dry-run) DRY_RUN=yes; shift ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
done
[[ -n "$name" && -n "$build" ]] || usage_error "--name, --build-id and --regions are required"
check_name "$name"
check_build_id "$build"
check_regions "$regions"
[[ "$retention_months" =~ ^[1-9][0-9]*$ ]] || usage_error "--retention-months \"$retention_months\": must be a whole number >= 1"
today="${today:-$(date -u +%F)}"
[[ "$today" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || usage_error "--today \"$today\": must be YYYY-MM-DD"
cutoff="$(date -u -d "$today - $retention_months months" +%F)"

read -r -a region_list <<<"$regions"
project="$(current_project)"

# First every region's plan, so that a build missing in one region stops the
# publication before any name changes anywhere.
declare -A plans
for region in "${region_list[@]}"; do
  images="$(region_images "$region" "$name")"
  plan="$(plan_lines "$images" "$project" publish "$name" "$build" "$cutoff" '[]')"
  check_plan "$region" "$plan"
  # Servers are listed only when retention has something to delete.
  if [[ "$(plan_field "$plan" old)" -gt 0 ]]; then
    plan="$(plan_lines "$images" "$project" publish "$name" "$build" "$cutoff" "$(images_in_use "$region")")"
  fi
  plans[$region]="$plan"
done

for region in "${region_list[@]}"; do
  run_actions "$region" "${plans[$region]}"
  latest="$(plan_field "${plans[$region]}" latest)"
  say "$region: ${name}_latest is build $build (${latest#*$'\t'})"
done

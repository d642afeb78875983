#!/usr/bin/env bash
# Pipeline stage 12: registers the same image, private, in each other region (what
# register.sh does in the factory's region). Idempotent: a region that already has
# an active image of this build reuses it. Prints "<region> <image id>" per region.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USAGE="usage: $PROG --image FILE --name NAME --build-id ID --regions \"R2 R3\" --meta META.json [--wait-seconds N]"

image="" name="" build="" meta="" wait_seconds=3600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) takes_value "$@"; image="$2"; shift 2 ;;
    --name) takes_value "$@"; name="$2"; shift 2 ;;
    --build-id) takes_value "$@"; build="$2"; shift 2 ;;
    --regions) takes_value "$@"; regions="$2"; shift 2 ;;
    --meta) takes_value "$@"; meta="$2"; shift 2 ;;
    --wait-seconds) takes_value "$@"; wait_seconds="$2"; shift 2 ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
done
[[ -n "$image" && -n "$name" && -n "$build" && -n "$meta" && -v regions ]] || usage_error "--image, --name, --build-id, --regions and --meta are required"
# An image published only in the factory's region has no other regions: nothing to do.
if [[ -z "${regions// /}" ]]; then say "no other regions"; exit 0; fi
check_regions "$regions"

read -r -a region_list <<<"$regions"
for region in "${region_list[@]}"; do
  id="$("$PUBLISH_DIR/register.sh" --image "$image" --name "$name" --build-id "$build" \
    --region "$region" --meta "$meta" --wait-seconds "$wait_seconds")"
  printf '%s %s\n' "$region" "$id"
done

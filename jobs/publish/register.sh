#!/usr/bin/env bash
# Pipeline stage 8 (and, per region, stage 12): registers a built qcow2 as a private
# Glance image with the properties Nova needs and the factory's provenance
# properties, named <name>_candidate_<build-id> until publish.sh rotates it in.
# Prints the image's UUID, and nothing else, on stdout.
#
# Idempotent: an active image of the same catalogue name and build id in the region
# is reused; inactive ones (an upload that died) are deleted and registered again.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USAGE="usage: $PROG --image FILE --name NAME --build-id ID --region REGION --meta META.json [--wait-seconds N]"

image="" name="" build="" region="" meta="" wait_seconds=3600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) takes_value "$@"; image="$2"; shift 2 ;;
    --name) takes_value "$@"; name="$2"; shift 2 ;;
    --build-id) takes_value "$@"; build="$2"; shift 2 ;;
    --region) takes_value "$@"; region="$2"; shift 2 ;;
    --meta) takes_value "$@"; meta="$2"; shift 2 ;;
    --wait-seconds) takes_value "$@"; wait_seconds="$2"; shift 2 ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
done
[[ -n "$image" && -n "$name" && -n "$build" && -n "$region" && -n "$meta" ]] || usage_error "--image, --name, --build-id, --region and --meta are required"
check_name "$name"
check_build_id "$build"
[[ "$wait_seconds" =~ ^[0-9]+$ ]] || usage_error "--wait-seconds \"$wait_seconds\": must be a number of seconds"
[[ -f "$image" ]] || die "$image: no such file"
[[ -f "$meta" ]] || die "$meta: no such file"
jq -e 'true' "$meta" >/dev/null 2>&1 || die "$meta: not valid JSON"

# The build date names the image once it is retired (<name>_YYYYMMDD) and drives
# retention, so it is stored as a plain UTC date.
date_text="$(jq -r '.date // "" | tostring' "$meta")"
[[ "$date_text" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}([T\ ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$ ]] \
  || die "$meta: date: \"$date_text\" is not YYYY-MM-DD or an RFC 3339 time"
build_date="$(date -u -d "$date_text" +%F 2>/dev/null)" || die "$meta: date: \"$date_text\" is not a valid date"
# SCS's image_build_date: "YYYY-MM-DD hh:mm:ss" in UTC, or the date alone when that is all META has.
if [[ "$date_text" == *[T\ ]* ]]; then build_time="$(date -u -d "$date_text" '+%F %T')"; else build_time="$build_date"; fi

create_args_text="$(jq -r --arg meta "$meta" --arg name "$name" --arg build "$build" \
  --arg build_date "$build_date" --arg build_time "$build_time" --arg file "$image" -f "$PUBLISH_DIR/registration.jq" "$meta")"
mapfile -t create_args <<<"$create_args_text"

# What Glance computes of the data it stores (os_hash_algo/os_hash_value: sha512 unless the
# cloud configures another), so an upload that arrived damaged, or another file registered
# under this build, is caught.
check_hash() { # ID SHOW-JSON: fails unless Glance stores exactly the file's bytes
  local stored algo value mine
  stored="$(jq -r '[.os_hash_algo // .properties.os_hash_algo // "", .os_hash_value // .properties.os_hash_value // ""] | join(" ")' <<<"$2")"
  read -r algo value <<<"$stored"
  [[ "$algo" =~ ^(md5|sha1|sha224|sha256|sha384|sha512)$ && -n "$value" ]] \
    || die "$region: image $1: Glance reports no hash of its data (os_hash_algo/os_hash_value: \"$stored\"); cannot check the upload"
  mine="$("${algo}sum" "$image" | cut -d' ' -f1)"
  [[ "$value" == "$mine" ]] || die "$region: image $1 holds other data than $image (Glance's $algo $value, the file's $mine)"
}

existing="$(osc "$region" image list --property "factory_image_name=$name" --property "factory_build_id=$build" -f json)"
reuse="$(jq -r '[.[] | select(.Status == "active")] | sort_by(.ID) | .[0].ID // ""' <<<"$existing")"
if [[ -n "$reuse" ]]; then
  check_hash "$reuse" "$(osc "$region" image show "$reuse" -f json)"
  say "$region: build $build of $name is already registered as $reuse (the same data)"
  printf '%s\n' "$reuse"
  exit 0
fi
for broken in $(jq -r '.[].ID' <<<"$existing"); do
  say "$region: deleting $broken, an earlier registration of build $build that did not become active"
  osc "$region" image delete "$broken"
done

say "$region: registering $image as ${name}_candidate_$build"
id="$(osc "$region" image "${create_args[@]}")"
[[ "$id" =~ ^[0-9a-fA-F-]{32,36}$ ]] || die "$region: image create printed \"$id\", not an image id"

# `image create` returns once the data is uploaded (what it prints is the image before
# that: status "queued"); with the import method (some clouds enforce it) Glance converts
# it in the background.
deadline=$((SECONDS + wait_seconds))
while true; do
  shown="$(osc "$region" image show "$id" -f json)"
  status="$(jq -r .status <<<"$shown")"
  case "$status" in
    active) break ;;
    killed | deleted | deactivated) die "$region: image $id is $status after upload" ;;
  esac
  ((SECONDS < deadline)) || die "$region: image $id still $status after ${wait_seconds}s"
  sleep "${REGISTER_POLL_SECONDS:-10}"
done
check_hash "$id" "$shown"
say "$region: $id is active and holds the file's data"
printf '%s\n' "$id"

# Shared by the publish scripts (sourced, not run): errors, argument checks,
# OpenStack calls, and the factory's view of one catalogue image in one region.
# shellcheck shell=bash

PUBLISH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROG="$(basename "$0")"

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\n%s\n' "$PROG" "$1" "$USAGE" >&2; exit 2; }
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
# In an option loop: `--opt) takes_value "$@"; var="$2"; shift 2 ;;`
takes_value() { [[ $# -ge 2 ]] || usage_error "$1 needs a value"; }

# Catalogue names follow config/schema.ts; build ids become part of Glance names,
# so they are restricted to characters that need no quoting anywhere.
check_name() {
  [[ "$1" =~ ^[A-Za-z][A-Za-z0-9_.-]*$ ]] || usage_error "--name \"$1\": must start with a letter and contain only letters, digits, _ . -"
}
check_build_id() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || usage_error "--build-id \"$1\": only letters, digits, _ . - (starting with a letter or digit)"
}
check_regions() {
  local -a list
  read -r -a list <<<"$1"
  [[ ${#list[@]} -gt 0 ]] || usage_error "--regions: at least one region is required"
  [[ $(printf '%s\n' "${list[@]}" | sort -u | wc -l) -eq ${#list[@]} ]] || usage_error "--regions \"$1\": a region is listed twice"
}

# Every image or server call names its region: a forgotten region would act on
# whatever OS_REGION_NAME happens to be set.
osc() {
  local region="$1"; shift
  openstack --os-region-name "$region" "$@"
}

# The project whose images are rotated: the one the credentials act in, or, for an
# operator acting for a factory (--project, admin credentials), that factory's project.
# Images owned by other projects (say, another factory publishing the same catalogue name
# publicly) are never rotated or deleted.
FOR_PROJECT=""
current_project() {
  local project
  if [[ -n "$FOR_PROJECT" ]]; then printf '%s\n' "$FOR_PROJECT"; return; fi
  project="$(openstack token issue -f value -c project_id)"
  [[ -n "$project" ]] || die "openstack token issue returned no project_id"
  printf '%s\n' "$project"
}
check_project() {
  [[ "$1" =~ ^[0-9a-f]{32}$ ]] || usage_error "--project \"$1\": must be a project id (32 hex digits; openstack project show NAME -f value -c id)"
}

# Prints the `image show -f json` outputs, as one JSON array, of the images of
# catalogue image NAME in REGION, found by their factory_image_name property (the
# hidden ones too). Images of other projects are dropped later, by image_state.
region_images() {
  local region="$1" name="$2" ids id
  # Glance leaves hidden images out of a listing unless asked for them alone.
  ids="$( {
    osc "$region" image list --property "factory_image_name=$name" -f json
    osc "$region" image list --hidden --property "factory_image_name=$name" -f json
  } | jq -r '.[].ID' | sort -u)"
  for id in $ids; do
    osc "$region" image show "$id" -f json
  done | jq -s -c .
}

# The plan (plan.jq) for IMAGES (from region_images) as tab-separated lines.
# Arguments: IMAGES PROJECT MODE NAME BUILD CUTOFF IMAGES-IN-USE.
plan_lines() {
  jq -r -L "$PUBLISH_DIR" --arg project "$2" --arg mode "$3" --arg name "$4" --arg build "$5" \
    --arg cutoff "$6" --argjson inuse "$7" \
    'include "image-state"; include "plan"; image_state($project) | plan($mode; $name; $build; $cutoff; $inuse) | plan_lines' <<<"$1"
}

# The fields after KIND in the first line of that kind of a plan's lines.
plan_field() {
  local kind rest
  while IFS=$'\t' read -r kind rest; do
    if [[ "$kind" == "$2" ]]; then printf '%s\n' "$rest"; return; fi
  done <<<"$1"
}

# Fails with the plan's errors, if it has any.
check_plan() {
  local region="$1" kind rest errors=""
  while IFS=$'\t' read -r kind rest; do
    if [[ "$kind" == error ]]; then errors+="${errors:+$'\n'}$PROG: $region: $rest"; fi
  done <<<"$2"
  if [[ -n "$errors" ]]; then printf '%s\n' "$errors" >&2; exit 1; fi
}

# Prints a JSON array of the image ids the project's servers in REGION were booted
# from. Only this project's servers are visible to a normal user (see README).
images_in_use() {
  local region="$1"
  local -a scope=()
  if [[ -n "$FOR_PROJECT" ]]; then scope=(--all-projects --project "$FOR_PROJECT"); fi
  osc "$region" server list "${scope[@]}" --long -f json -c ID -c "Image ID" | jq -c '[.[]["Image ID"] | select(type == "string" and . != "")] | unique'
}

# Runs the actions of a plan in REGION, in order, each one logged; logs its notes.
run_actions() {
  local region="$1" line
  local -a fields
  while IFS= read -r line; do
    IFS=$'\t' read -r -a fields <<<"$line"
    case "${fields[0]}" in
      note) say "$region: ${fields[1]}" ;;
      action)
        if [[ "${DRY_RUN:-}" == yes ]]; then
          say "$region: (dry run, not done) ${fields[1]}"
        else
          say "$region: ${fields[1]}"
          run_action "$region" "${fields[@]:2}"
        fi
        ;;
    esac
  done <<<"$2"
}

# run_action REGION ARGV... — one `openstack image` call of a plan; a refusal to make an
# image public says why and what to do (README "Public images").
run_action() {
  local region="$1" err
  shift
  if err="$(osc "$region" image "$@" 2>&1 >/dev/null)"; then return 0; fi
  printf '%s\n' "$err" >&2
  if [[ " $* " == *" --public "* && "$err" == *403* ]]; then
    die "$region: Glance refused to make image ${*: -1} public (HTTP 403): its default policy lets only admins publicize images (publicize_image), and nothing else was changed. The cloud's operator publishes it (publish.sh --project $(current_project) ... with credentials allowed to publicize, from the build's publish-request.json), or grants this user publicize_image; or give the catalogue entry visibility: shared"
  fi
  die "$region: openstack image $* failed"
}

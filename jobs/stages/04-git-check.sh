#!/usr/bin/env bash
# Stage 4 — Git checkout & check. Runs on the build host in the job's checkout (the
# Jenkinsfile's `checkout scm` did the checkout; this checks it).
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   REPO_DIR         the checkout (default: current directory)
#   SKIP_UNCHANGED   true: stop (exit 3) when the image definition is unchanged since the
#                    last build of this image that reached the image tree
# Checks: the checkout is the commit stage 1 recorded; the definition exists and has the
# files its tooling needs. Records the definition's git tree id in output/definition.tree (published with the image).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
REPO_DIR="${REPO_DIR:-$PWD}"
expected="$(build_env GIT_COMMIT)"
actual="$(git -C "$REPO_DIR" rev-parse HEAD)"
[ "$actual" = "$expected" ] || die "checkout is at $actual, the build started at $expected"

definition="$(entry definition)"
tooling="$(entry tooling)"
name="$(entry name)"
dir="$REPO_DIR/$definition"
case "$tooling" in
  kiwi)
    [ -f "$dir/config.kiwi" ] || [ -f "$dir/config.xml" ] || die "$definition: a KIWI description needs config.kiwi or config.xml"
    ;;
  dib)
    [ -f "$dir/image.env" ] || die "$definition: a diskimage-builder definition needs image.env (DIB_ELEMENTS, DIB_RELEASE)"
    [ -d "$dir/elements" ] || die "$definition: a diskimage-builder definition needs an elements/ directory"
    ;;
  *) die "unknown tooling '$tooling'" ;;
esac

tree="$(git -C "$REPO_DIR" rev-parse "HEAD:$definition")"
echo "$tree" >"$FACTORY_BUILD_DIR/output/definition.tree"

# The previous build of this image: the newest build directory in the image tree.
previous=""
if [ -d "$FACTORY_IMAGES_ROOT/$name" ]; then
  previous="$(find "$FACTORY_IMAGES_ROOT/$name" -mindepth 2 -maxdepth 2 -name definition.tree -printf '%h\n' | sort | tail -n 1)"
fi
if [ -n "$previous" ] && [ "$(cat "$previous/definition.tree")" = "$tree" ]; then
  log "definition $definition is unchanged since build $(basename "$previous")"
  if is_true "$(build_env SKIP_UNCHANGED)"; then
    log "SKIP_UNCHANGED=true: nothing to build"
    exit 3
  fi
else
  log "definition $definition (tree $tree) differs from the last build${previous:+ ($(basename "$previous"))}"
fi

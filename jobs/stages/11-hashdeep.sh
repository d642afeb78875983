#!/usr/bin/env bash
# Stage 11 — Hashdeep: an audit manifest (md5 + sha256, relative paths) of everything in
# output/, written as output/<name>.hashdeep, then the output moved into the image tree
# $FACTORY_IMAGES_ROOT/<name>/<build-id>/ (what the web servers get) and audited there.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
name="$(entry name)"
out="$FACTORY_BUILD_DIR/output"
manifest="$name.hashdeep"
published="$FACTORY_IMAGES_ROOT/$name/$FACTORY_BUILD_ID"

rm -f "$out/$manifest"
# Written outside the directory it lists, then moved in.
(cd "$out" && find . -type f -printf '%P\n' | sort | hashdeep -c md5,sha256 -l -f /dev/stdin) >"$FACTORY_BUILD_DIR/$manifest.tmp"
mv "$FACTORY_BUILD_DIR/$manifest.tmp" "$out/$manifest"

[ ! -e "$published" ] || die "$published already exists"
mkdir -p "$published.partial"
cp -R "$out/." "$published.partial/"
# An audit of the copy: every file matches and nothing is missing or extra.
(cd "$published.partial" && find . -type f ! -name "$manifest" -printf '%P\n' | sort | hashdeep -a -vv -k "$manifest" -l -f /dev/stdin >&2) ||
  die "the copy in $published.partial does not match the manifest"
mv "$published.partial" "$published"
log "manifest of $(($(wc -l <"$out/$manifest") - 5)) files; published tree $published"

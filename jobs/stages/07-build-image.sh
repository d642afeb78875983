#!/usr/bin/env bash
# Stage 7 — Build the image with KIWI or diskimage-builder, as the catalogue says, and
# leave it as output/<name>.qcow2. Runs on the build host in the job's checkout.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   REPO_DIR          the checkout (default: current directory)
#   FACTORY_SCRATCH   see lib.sh (local disk; builds never run on NFS)
# KIWI: `kiwi-ng system build` of the description (config.kiwi/config.xml); its qcow2.
# DIB: `disk-image-create` with the definition's elements/ on ELEMENTS_PATH and the
# variables of its image.env (DIB_ELEMENTS, DIB_RELEASE, other DIB_*).
# Checks: the result is a valid qcow2 whose virtual size is at most minDiskGb (so the
# registered min_disk holds); package list and tool log go to output/ and logs/, the
# image's virtual and file size to image-size.json (for the build's record).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
REPO_DIR="${REPO_DIR:-$PWD}"
name="$(entry name)"
definition="$REPO_DIR/$(entry definition)"
tooling="$(entry tooling)"
arch="$(entry os.architecture)"
min_disk_gb="$(entry minDiskGb)"
work="$FACTORY_SCRATCH/$FACTORY_BUILD_ID/build"
out="$FACTORY_BUILD_DIR/output"
image="$out/$name.qcow2"
mkdir -p "$work" "$out"

case "$tooling" in
  kiwi)
    sudo -n kiwi-ng --logfile "$FACTORY_BUILD_DIR/logs/kiwi.log" system build \
      --description "$definition" --target-dir "$work/kiwi" >&2
    built="$(find "$work/kiwi" -maxdepth 1 -name '*.qcow2' | head -n 1)"
    [ -n "$built" ] || die "kiwi-ng wrote no qcow2 into $work/kiwi (does the description set format=\"qcow2\"?)"
    packages="$(find "$work/kiwi" -maxdepth 1 -name '*.packages' | head -n 1)"
    ;;
  dib)
    case "$arch" in
      x86_64) dib_arch=amd64 ;;
      aarch64) dib_arch=arm64 ;;
      *) die "unknown architecture $arch" ;;
    esac
    # image.env is part of the reviewed definition: DIB_ELEMENTS plus DIB_* settings.
    set -a
    # shellcheck source=/dev/null
    . "$definition/image.env"
    set +a
    require DIB_ELEMENTS
    export ELEMENTS_PATH="$definition/elements${ELEMENTS_PATH:+:$ELEMENTS_PATH}"
    read -r -a elements <<<"$DIB_ELEMENTS"
    disk-image-create -a "$dib_arch" -t qcow2 --image-size "$min_disk_gb" \
      -o "$work/dib/$name" --logfile "$FACTORY_BUILD_DIR/logs/dib.log" "${elements[@]}" >&2
    built="$work/dib/$name.qcow2"
    [ -f "$built" ] || die "disk-image-create wrote no $built"
    packages="$work/dib/$name.d/dib-manifests/dib-manifest-dpkg-$name"
    ;;
  *) die "unknown tooling '$tooling'" ;;
esac

# The tools run as root; the agent (the same uid as Jenkins on NFS) owns the results.
sudo -n chown -R "$(id -u):$(id -g)" "$work"
qemu-img check -q "$built" || die "$built is not a consistent image"
info="$(qemu-img info --output=json "$built")"
format="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["format"])' <<<"$info")"
size="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])' <<<"$info")"
[ "$format" = qcow2 ] || die "$built is $format, not qcow2"
[ "$size" -le $((min_disk_gb * 1024 * 1024 * 1024)) ] || die "$built has a virtual size of $size bytes, more than minDiskGb ($min_disk_gb GiB)"

# Compressed copy onto NFS: smaller transfers for register, upload and the web servers.
qemu-img convert -c -O qcow2 "$built" "$image"
# The sizes the build's record keeps (jobs/stats/record.py): virtual, and of the file.
printf '{"virtualBytes": %s, "diskBytes": %s}\n' "$size" "$(stat -c %s "$image")" >"$FACTORY_BUILD_DIR/image-size.json"
if [ -n "${packages:-}" ] && [ -f "$packages" ]; then cp "$packages" "$out/$name.packages"; fi
log "built $image ($(stat -c %s "$image") bytes, virtual $size bytes)"

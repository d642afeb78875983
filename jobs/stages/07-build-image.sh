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
# variables of its image.env (DIB_ELEMENTS, DIB_RELEASE, other DIB_*); for a Debian image
# the environment's mirrors (entry factory.mirrors) replace the definition's.
# Checks: the result is a valid qcow2 whose virtual size is at most minDiskGb (so the
# registered min_disk holds). Published with the image (seed 000): the package list
# (output/<name>.packages) and the tool's build log (output/<name>-build.log, also in logs/).
# The image's virtual and file size go to image-size.json (for the build's record).
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

started=$(date +%s)
case "$tooling" in
  kiwi)
    tool_log="$FACTORY_BUILD_DIR/logs/kiwi.log"
    sudo -n kiwi-ng --logfile "$tool_log" system build \
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
    # The environment's mirrors win over the definition's defaults.
    if [ "$(entry os.distro)" = debian ]; then
      mirror="$(entry factory.mirrors.debian 2>/dev/null || true)"
      security="$(entry factory.mirrors.debianSecurity 2>/dev/null || true)"
      if [ -n "$mirror" ]; then export DIB_DISTRIBUTION_MIRROR="$mirror"; fi
      if [ -n "$security" ]; then export DIB_DEBIAN_SECURITY_MIRROR="$security"; fi
    fi
    log "disk-image-create ${DIB_ELEMENTS} (release ${DIB_RELEASE:-default}, mirror ${DIB_DISTRIBUTION_MIRROR:-default})"
    tool_log="$FACTORY_BUILD_DIR/logs/dib.log"
    export ELEMENTS_PATH="$definition/elements${ELEMENTS_PATH:+:$ELEMENTS_PATH}"
    read -r -a elements <<<"$DIB_ELEMENTS"
    built="$work/dib/$name.qcow2"
    # A node /dev/mapper/control can exist without the kernel driver: ask the driver.
    if sudo -n dmsetup version >/dev/null 2>&1; then
      disk-image-create -a "$dib_arch" -t qcow2 --image-size "$min_disk_gb" \
        -o "$work/dib/$name" --logfile "$tool_log" "${elements[@]}" >&2
    else
      # No device-mapper (DIB maps partitions with kpartx): DIB builds the same tree into
      # a bare root filesystem 1 MiB smaller than the disk, and bootable-disk.sh puts it
      # into the partition DIB would have made and installs the image's GRUB.
      log "no device-mapper on this host: root filesystem from DIB, partitioned by bootable-disk.sh"
      export DIB_BLOCK_DEVICE_CONFIG="- local_loop: {name: image0}
- mkfs: {name: mkfs_root, base: image0, type: ext4, mount: {mount_point: /, fstab: {options: defaults, fsck-passno: 1}}}"
      disk-image-create -a "$dib_arch" -t raw --image-size "$(awk -v g="$min_disk_gb" 'BEGIN { printf "%.10f", g - 1 / 1024 }')" \
        -o "$work/dib/$name" --logfile "$tool_log" "${elements[@]}" >&2
      [ -f "$work/dib/$name.raw" ] || die "disk-image-create wrote no $work/dib/$name.raw"
      sudo -n "$STAGES_DIR/bootable-disk.sh" "$work/dib/$name.raw" "$work/dib/$name.disk" $((min_disk_gb * 1024 * 1024 * 1024)) >&2
      qemu-img convert -O qcow2 "$work/dib/$name.disk" "$built"
      rm -f "$work/dib/$name.raw" "$work/dib/$name.disk"
    fi
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
if [ -z "${packages:-}" ] || [ ! -f "$packages" ]; then die "the image tool wrote no package list (${packages:-none})"; fi
cp "$packages" "$out/$name.packages"
# The sizes the build's record keeps (jobs/stats/record.py): virtual, and of the file.
printf '{"virtualBytes": %s, "diskBytes": %s}\n' "$size" "$(stat -c %s "$image")" >"$FACTORY_BUILD_DIR/image-size.json"
cp "$tool_log" "$out/$name-build.log"
log "built $image in $(($(date +%s) - started)) s ($(stat -c %s "$image") bytes, virtual $size bytes, $(wc -l <"$out/$name.packages") packages)"

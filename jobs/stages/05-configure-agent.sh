#!/usr/bin/env bash
# Stage 5 — Configure the agent: installs the build tooling the image needs, with the
# build host's own package manager. Runs on the build host (user agent, passwordless sudo).
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   OS_RELEASE    default /etc/os-release (which distribution the build host runs)
# Packages: the image tool (kiwi-ng or diskimage-builder), qemu-img, gpg, hashdeep, git,
# and what the tool itself needs to build a bootable disk.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
tooling="$(entry tooling)"
OS_RELEASE="${OS_RELEASE:-/etc/os-release}"
[ -r "$OS_RELEASE" ] || die "cannot read $OS_RELEASE"
# shellcheck source=/dev/null
host_family="$(. "$OS_RELEASE" && echo " ${ID:-} ${ID_LIKE:-} ")"

# The same packages the build host's first boot installs (userdata/build-host.ts), plus
# what the other tooling needs: a no-op on a fresh host, a repair on a kept one.
case "$host_family" in
  *" suse "* | *" opensuse "* | *" opensuse-leap "* | *" sles "*)
    case "$tooling" in
      kiwi) packages=(python3-kiwi kiwi-systemdeps) ;;
      dib) packages=(diskimage-builder debootstrap kpartx) ;;
    esac
    packages+=(qemu-tools gpg2 md5deep git rsync)
    log "installing on a SUSE host: ${packages[*]}"
    sudo -n zypper --non-interactive --gpg-auto-import-keys refresh >&2
    sudo -n zypper --non-interactive install --no-recommends "${packages[@]}" >&2
    ;;
  *" debian "* | *" ubuntu "*)
    case "$tooling" in
      kiwi) packages=(kiwi kiwi-systemdeps zypper) ;;
      dib) packages=(python3-diskimage-builder debootstrap kpartx dosfstools) ;;
    esac
    packages+=(qemu-utils gnupg hashdeep git rsync)
    log "installing on a Debian host: ${packages[*]}"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
    ;;
  *) die "build host distribution ($host_family) is neither SUSE nor Debian family; add it to $0" ;;
esac
for tool in qemu-img gpg hashdeep git; do
  command -v "$tool" >/dev/null || die "$tool is missing after the installation"
done

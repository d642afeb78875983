#!/usr/bin/env bash
# Stage 6 — Prepare & import the GPG key. Runs on the build host in the job's checkout.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   REPO_DIR        the checkout (default: current directory)
#   GPG_KEY_FILE    the image signing key (ASCII-armored secret key without passphrase;
#                   the Jenkins file credential `image-signing-key`)
#   FACTORY_SCRATCH see lib.sh; local disk, never NFS: the keyring lives here and nowhere else
# Effect: the definition's config tarball in output/, the public key in output/, a private
# keyring in $FACTORY_SCRATCH/$FACTORY_BUILD_ID/gnupg; the key's fingerprint in
# signing-key.fpr. (What Glance is told about the image, META.json, the controller writes
# itself in stage 8: nothing a build host writes decides it.)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
require GPG_KEY_FILE
REPO_DIR="${REPO_DIR:-$PWD}"
name="$(entry name)"
definition="$(entry definition)"
commit="$(build_env GIT_COMMIT)"
out="$FACTORY_BUILD_DIR/output"
mkdir -p "$out"

# The configuration tarball lets anyone rebuild the image; built reproducibly from the
# commit (git archive: fixed order, owners and times), so equal definitions give equal bytes.
git -C "$REPO_DIR" archive --format=tar.gz --prefix="$name/" -o "$out/$name-config.tar.gz" "$commit" -- "$definition"

# A private keyring on local disk; stage 14 deletes it.
export GNUPGHOME="$FACTORY_SCRATCH/$FACTORY_BUILD_ID/gnupg"
mkdir -p "$GNUPGHOME"
chmod 700 "$FACTORY_SCRATCH/$FACTORY_BUILD_ID" "$GNUPGHOME"
gpg --batch --quiet --import "$GPG_KEY_FILE"
fingerprint="$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')"
[ -n "$fingerprint" ] || die "$GPG_KEY_FILE holds no secret key"
echo "$fingerprint" >"$FACTORY_BUILD_DIR/signing-key.fpr"
gpg --batch --armor --export "$fingerprint" >"$out/signing-key.asc"
log "image $name, definition $definition at $commit; signing key $fingerprint"

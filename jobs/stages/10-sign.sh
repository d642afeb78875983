#!/usr/bin/env bash
# Stage 10 — Sign the image: detached, ASCII-armored GPG signatures (<file>.asc) of the
# qcow2, the definition's config tarball, the test results, the package list and the
# build log (seed 000 publishes all of them with the image), each verified right away.
# Runs on the build host with the keyring stage 6 imported.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   FACTORY_SCRATCH   see lib.sh (local disk)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
export GNUPGHOME="$FACTORY_SCRATCH/$FACTORY_BUILD_ID/gnupg"
[ -d "$GNUPGHOME" ] || die "no keyring at $GNUPGHOME (stage 6)"
fingerprint="$(cat "$FACTORY_BUILD_DIR/signing-key.fpr")"
name="$(entry name)"
out="$FACTORY_BUILD_DIR/output"

for file in "$name.qcow2" "$name-config.tar.gz" "$name-test-results.tap" "$name.packages" "$name-build.log"; do
  [ -f "$out/$file" ] || die "nothing to sign: $out/$file is missing"
  gpg --batch --yes --local-user "$fingerprint" --armor --detach-sign --output "$out/$file.asc" "$out/$file"
  gpg --batch --verify "$out/$file.asc" "$out/$file" 2>/dev/null || die "signature of $file does not verify"
  log "signed $file"
done

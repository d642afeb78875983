#!/usr/bin/env bash
# Adds a third-party apt repository whose signing key is fetched at boot and trusted only
# if its primary key matches the pinned fingerprint (or long key id); only that key goes
# into the repository's own keyring, referenced by Signed-By in a deb822 source.
# usage: trusted-apt-repo.sh <name> <uri> <suite|@codename@> <components or ""> <key url> <fingerprint>
set -euo pipefail

if [ "$#" -ne 6 ]; then
  echo "usage: trusted-apt-repo.sh <name> <uri> <suite|@codename@> <components> <key url> <fingerprint>" >&2
  exit 2
fi
name=$1 uri=$2 suite=$3 components=$4 key_url=$5
pin=$(tr -d '[:space:]' <<<"$6" | tr '[:lower:]' '[:upper:]')
apt_dir=${APT_DIR:-/etc/apt} # another root only for tests
keyring=$apt_dir/keyrings/$name.gpg
sources=$apt_dir/sources.list.d/$name.sources

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GNUPGHOME=$work/gnupg
install -d -m 0700 "$GNUPGHOME"

curl -fsSL --retry 5 --retry-connrefused -o "$work/key" "$key_url"
gpg --batch --quiet --import "$work/key"

# primary key fingerprints only (the first "fpr" record after a "pub", before any "sub")
mapfile -t matches < <(gpg --batch --with-colons --list-keys |
  awk -F: '$1 == "pub" { primary = 1 } $1 == "sub" { primary = 0 } $1 == "fpr" && primary { print $10; primary = 0 }' |
  grep -E "${pin}\$" || true)
if [ "${#matches[@]}" -ne 1 ]; then
  echo "trusted-apt-repo: $key_url holds no key matching $pin; refusing to trust it" >&2
  gpg --batch --list-keys >&2 || true
  exit 1
fi

install -d -m 0755 "$apt_dir/keyrings" "$apt_dir/sources.list.d"
gpg --batch --export "${matches[0]}" >"$work/keyring.gpg"
install -m 0644 "$work/keyring.gpg" "$keyring"

if [ "$suite" = "@codename@" ]; then
  # shellcheck source=/dev/null
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
fi
{
  echo "Types: deb"
  echo "URIs: $uri"
  echo "Suites: $suite"
  if [ -n "$components" ]; then echo "Components: $components"; fi
  echo "Signed-By: $keyring"
} >"$sources"
chmod 0644 "$sources"
echo "trusted-apt-repo: $name ($uri $suite) signed by ${matches[0]}"

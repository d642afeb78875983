#!/usr/bin/env bash
# Generates Jenkins' initial admin password on the server: the plaintext readable by root
# only, and its bcrypt hash in the form JCasC hands to Jenkins' own user database
# (`#jbcrypt:$2a$...`, no trailing newline: JCasC's readFile keeps it). Never replaces an
# existing hash: the admin may have changed the password since.
# The hash file is the admin password's one source of truth: JCasC sets the password from it
# at every start and reload (createAccountWithHashedPassword), so a change made in the UI
# lasts only until then. To rotate it, run (as root, the new password on stdin)
#   jenkins-admin-password.sh --set <password file> <hash file> <owner>
# and then factory-config-reload (or restart Jenkins): that writes the new hash and deletes
# the plaintext initial password, which is no longer valid.
# usage: jenkins-admin-password.sh [--set] <password file> <hash file> <hash file owner user:group>
set -euo pipefail

set_mode=false
if [ "${1:-}" = --set ]; then set_mode=true && shift; fi
if [ "$#" -ne 3 ]; then
  echo "usage: jenkins-admin-password.sh [--set] <password file> <hash file> <owner user:group>" >&2
  exit 2
fi
password_file=$1 hash_file=$2 owner=$3

write_hash() {
  local hash
  # Jenkins' jBCrypt reads $2a$ hashes
  hash=$(printf '%s' "$1" |
    python3 -c 'import sys, bcrypt; print(bcrypt.hashpw(sys.stdin.buffer.read(), bcrypt.gensalt(rounds=12, prefix=b"2a")).decode())')
  (umask 077 && printf '#jbcrypt:%s' "$hash" >"$hash_file.tmp")
  chown "$owner" "$hash_file.tmp"
  chmod 0400 "$hash_file.tmp"
  mv "$hash_file.tmp" "$hash_file"
}

if $set_mode; then
  IFS= read -r password || true
  if [ "${#password}" -lt 12 ]; then
    echo "jenkins-admin-password: the new password (stdin) must have at least 12 characters" >&2
    exit 1
  fi
  write_hash "$password"
  rm -f "$password_file"
  echo "jenkins-admin-password: new admin password hash in $hash_file; $password_file removed. Run factory-config-reload (or restart Jenkins) to apply it."
  exit 0
fi

if [ -s "$hash_file" ]; then
  echo "jenkins-admin-password: $hash_file exists, keeping it"
  exit 0
fi

umask 077
password=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
if [ "${#password}" -ne 32 ]; then
  echo "jenkins-admin-password: could not make a password" >&2
  exit 1
fi
printf '%s\n' "$password" >"$password_file.tmp"
chmod 0600 "$password_file.tmp"
mv "$password_file.tmp" "$password_file"

write_hash "$password"
echo "jenkins-admin-password: initial admin password in $password_file (root only; jenkins-admin-password.sh --set replaces it and removes this file)"

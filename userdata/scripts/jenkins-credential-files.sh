#!/usr/bin/env bash
# Before every start of Jenkins (ExecStartPre, as jenkins): the credential files JCasC reads
# (jobs/jenkins/casc.yaml, ${readFile:...}) that the admin places on the controller. A
# missing one gets a placeholder, so that JCasC still loads (plain-credentials refuses a
# file credential without content, and Jenkins would not start) and the build that needs
# it fails naming the file; each placeholder and wrong mode is logged to the journal.
# usage: jenkins-credential-files.sh <directory>
set -euo pipefail

dir=${1:?usage: jenkins-credential-files.sh <directory>}
# file: what belongs there
files=(
  "image-signing-key.asc:the ASCII-armored GPG secret key that signs images (no passphrase)"
  "web-publish-ssh:the SSH private key of the web servers' publish user"
  "smtp-password:the SMTP relay's password (empty if it needs none)"
)
umask 077
mkdir -p "$dir"
for entry in "${files[@]}"; do
  file="$dir/${entry%%:*}" what="${entry#*:}"
  if [ ! -e "$file" ]; then
    echo "jenkins-credential-files: WARNING: $file is missing: put $what there (owner jenkins, mode 0400), then run factory-config-reload; until then a placeholder stands in and builds that need it fail" >&2
    if [ "${entry%%:*}" = smtp-password ]; then : >"$file"; else printf 'MISSING: put %s here\n' "$what" >"$file"; fi
    chmod 0400 "$file"
  elif [ "$(stat -c %a "$file")" != 400 ]; then
    echo "jenkins-credential-files: WARNING: $file has mode $(stat -c %a "$file"), not 0400" >&2
  fi
done

#!/usr/bin/env bash
# Before every start of Jenkins (ExecStartPre, as jenkins): the credential files JCasC reads
# (jobs/jenkins/casc.yaml, ${readFile:...}) that the admin places on the controller. A
# missing one gets a placeholder, so that JCasC still loads (plain-credentials refuses a
# file credential without content, and Jenkins would not start) and the build that needs
# it fails naming the file; each placeholder and wrong mode is logged to the journal.
# smtp-password's placeholder is empty, which is right without SMTP AUTH: it is missed only
# when FACTORY_SMTP_USERNAME (jenkins.mail.username, from the unit's environment) is set;
# ldap-bind-password's likewise (right with anonymous binds): missed only when
# FACTORY_LDAP_BIND_DN (ldap.bind.dn) is set, until `factory ldap-password` writes it.
# usage: jenkins-credential-files.sh <directory>
set -euo pipefail

dir=${1:?usage: jenkins-credential-files.sh <directory>}
# file: what belongs there
files=(
  "image-signing-key.asc:the ASCII-armored GPG secret key that signs images (no passphrase)"
  "web-publish-ssh:the SSH private key of the web servers' publish user"
  "smtp-password:the SMTP relay's password"
  "ldap-bind-password:the directory's bind password"
)
umask 077
mkdir -p "$dir"
for entry in "${files[@]}"; do
  name=${entry%%:*} what=${entry#*:}
  file="$dir/$name"
  if [ "$name" = smtp-password ] || [ "$name" = ldap-bind-password ]; then
    [ -e "$file" ] || { : >"$file" && chmod 0400 "$file"; }
    if [ "$name" = smtp-password ] && [ -n "${FACTORY_SMTP_USERNAME:-}" ] && [ ! -s "$file" ]; then
      echo "jenkins-credential-files: WARNING: $file is empty: put the password of SMTP user $FACTORY_SMTP_USERNAME there (owner jenkins, mode 0400), then run factory-config-reload; until then build mails fail to authenticate" >&2
    fi
    if [ "$name" = ldap-bind-password ] && [ -n "${FACTORY_LDAP_BIND_DN:-}" ] && [ ! -s "$file" ]; then
      echo "jenkins-credential-files: WARNING: $file is empty: push the bind password of $FACTORY_LDAP_BIND_DN (factory ldap-password), then run factory-config-reload; until then nobody logs in to Jenkins with LDAP (break-glass: jenkins-break-glass.sh on)" >&2
    fi
  elif [ ! -e "$file" ]; then
    echo "jenkins-credential-files: WARNING: $file is missing: put $what there (owner jenkins, mode 0400), then run factory-config-reload; until then a placeholder stands in and builds that need it fail" >&2
    printf 'MISSING: put %s here\n' "$what" >"$file"
    chmod 0400 "$file"
  fi
  if [ "$(stat -c %a "$file")" != 400 ]; then
    echo "jenkins-credential-files: WARNING: $file has mode $(stat -c %a "$file"), not 0400" >&2
  fi
done

#!/usr/bin/env bash
# Puts the directory's bind password on this server and restarts sssd with it: what
# `factory ldap-password` runs on every server over SSH (through the jump host, as root),
# the password on stdin, one line. Rotating is the same: the new password replaces the
# old one at once. On the Jenkins controller it also writes the credential file JCasC's
# LDAP realm reads (--jenkins-credential FILE); Jenkins uses it after factory-config-reload.
# usage: ldap-bind-password.sh [--jenkins-credential FILE] < password
set -euo pipefail

usage="usage: ldap-bind-password.sh [--jenkins-credential FILE] < password"
file=/etc/sssd/conf.d/50-factory-bind-password.conf
domain=factory
credential=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jenkins-credential) credential=${2:?$usage}; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
die() { echo "ldap-bind-password: $*" >&2; exit 1; }

[ -f /etc/sssd/sssd.conf ] || die "this server has no LDAP logins (no /etc/sssd/sssd.conf): is ldap set in its environment file?"
password=""
IFS= read -r password || [ -n "$password" ] || die "no password on stdin"
if IFS= read -r _; then die "the password must be one line"; fi
[ -n "$password" ] || die "the password is empty"
# sssd's configuration parser drops leading and trailing blanks and ends a value at a line break.
[[ "$password" =~ ^[[:space:]]|[[:space:]]$ ]] && die "the password must not start or end with a blank"
[[ "$password" =~ [[:cntrl:]] ]] && die "the password must not contain control characters"

umask 077
previous=""
if [ -e "$file" ]; then previous=$(mktemp /etc/sssd/.bind-password.previous.XXXXXX) && cp -p "$file" "$previous"; fi
tmp=$(mktemp /etc/sssd/.bind-password.XXXXXX)
printf '# Written by ldap-bind-password.sh (factory ldap-password).\n[domain/%s]\nldap_default_authtok_type = password\nldap_default_authtok = %s\n' "$domain" "$password" >"$tmp"
mv -f "$tmp" "$file"
if ! sssctl config-check >&2; then
  if [ -n "$previous" ]; then mv -f "$previous" "$file"; else rm -f "$file"; fi
  die "sssctl config-check refused the configuration; the previous one is back"
fi
[ -z "$previous" ] || rm -f "$previous"

if [ -n "$credential" ]; then
  owner=$(stat -c %U:%G "$(dirname "$credential")")
  tmp=$(mktemp "$credential.XXXXXX")
  printf '%s' "$password" >"$tmp" # JCasC's ${readFile:...} takes the file as it is: no newline
  chown "$owner" "$tmp"
  chmod 0400 "$tmp"
  mv -f "$tmp" "$credential"
fi

# Forget what was looked up before: the next lookups ask the directory with this password.
# Before the restart, while sssd's NSS responder still runs to drop its memory cache too
# (right after a restart it is not up yet: "The memcache was not invalidated"); a stopped
# sssd rebuilds that cache when it starts.
if systemctl is-active --quiet sssd.service; then sss_cache -E; fi
systemctl enable sssd.service 2>/dev/null
systemctl restart sssd.service
echo "ldap-bind-password: $(hostname): bind password in place, sssd restarted${credential:+; Jenkins reads it after factory-config-reload}"

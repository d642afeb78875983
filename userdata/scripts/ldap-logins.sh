#!/usr/bin/env bash
# First boot (runcmd): turns on the LDAP logins the user-data configures (userdata/ldap.ts):
# PAM (pam_sss; a home directory is made at a person's first login), NSS (sss after the
# local files for passwd and group), sssd's own check of its configuration, and sssd
# itself - unless the directory needs a bind password that has not been pushed yet
# (ldap-bind-password.sh): then sssd stays off and only the local users log in. The
# directory need not be reachable: sssd starts offline and connects when it can.
# usage: ldap-logins.sh apt|zypper bind|anonymous
set -euo pipefail

usage="usage: ldap-logins.sh apt|zypper bind|anonymous"
family=${1:?$usage}
binding=${2:?$usage}
password_file=/etc/sssd/conf.d/50-factory-bind-password.conf
nsswitch=/etc/nsswitch.conf

case "$family" in
  apt) pam-auth-update --enable sss mkhomedir ;;
  zypper) pam-config --add --sss --mkhomedir ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

# openSUSE keeps the distribution's nsswitch.conf in /usr/etc until the admin copies it.
if [ ! -e "$nsswitch" ] && [ -e /usr/etc/nsswitch.conf ]; then cp /usr/etc/nsswitch.conf "$nsswitch"; fi
for db in passwd group; do
  grep -Eq "^$db:.*[[:space:]]sss([[:space:]]|$)" "$nsswitch" || sed -i -E "s/^($db:.*[^[:space:]])[[:space:]]*$/\1 sss/" "$nsswitch"
  grep -Eq "^$db:.*[[:space:]]sss([[:space:]]|$)" "$nsswitch" || { echo "ldap-logins: $nsswitch has no $db line to add sss to" >&2; exit 1; }
done

sssctl config-check

# The monitor starts the responders sssd.conf lists (services = nss, pam, ssh). Debian's
# socket units for responders would start beside it and fail ("Failed to listen": a
# responder listed there must not be socket-activated), leaving failed units behind; none
# is wanted. What failed while the packages went in (sssd without its configuration yet)
# is forgotten.
sockets=(sssd-nss.socket sssd-pam.socket sssd-pam-priv.socket sssd-ssh.socket sssd-sudo.socket sssd-autofs.socket sssd-pac.socket)
systemctl mask "${sockets[@]}"
# patterns: only the loaded units (the list differs between distributions and packages)
systemctl stop 'sssd-*.socket'
systemctl reset-failed 'sssd*'

case "$binding" in
  anonymous) ;;
  bind)
    if [ ! -s "$password_file" ]; then
      systemctl disable --now sssd.service
      echo "ldap-logins: WARNING: the directory needs a bind password, and none was pushed yet: no LDAP logins until \`factory ldap-password\` pushes it; the local users log in as before"
      exit 0
    fi
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
systemctl enable sssd.service
systemctl restart sssd.service
echo "ldap-logins: sssd started"

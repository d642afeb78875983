#!/usr/bin/env bash
# Break-glass for Jenkins with LDAP logins: `on` restarts Jenkins with its own accounts
# (security-local.yaml: the factory admin, password as before) instead of the LDAP realm,
# for when the directory is down or its configuration locks everyone out; `off` goes back
# to LDAP. Run as root on the controller (ssh factory@<controller> through a jump host).
# A restart: running builds are interrupted.
# usage: jenkins-break-glass.sh on|off
set -euo pipefail

dropin=${DROPIN_DIR:-/etc/systemd/system/jenkins.service.d}/zz-factory-break-glass.conf
repo=/var/lib/jenkins/factory-repo/jobs/jenkins
case "${1:-}" in
  on)
    umask 022
    # The last drop-in wins: zz- comes after factory.conf.
    printf '# Break-glass (jenkins-break-glass.sh on): Jenkins'"'"'s own accounts instead of LDAP.\n[Service]\nEnvironment="CASC_JENKINS_CONFIG=%s/casc.yaml,%s/security-local.yaml"\n' "$repo" "$repo" >"$dropin"
    echo "jenkins-break-glass: Jenkins restarts with its local admin (password: /root/jenkins-admin-password, or the one you set); 'jenkins-break-glass.sh off' returns to LDAP"
    ;;
  off)
    rm -f "$dropin"
    echo "jenkins-break-glass: Jenkins restarts with LDAP logins"
    ;;
  *) echo "usage: jenkins-break-glass.sh on|off" >&2; exit 2 ;;
esac
systemctl daemon-reload
systemctl restart jenkins.service

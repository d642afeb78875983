#!/usr/bin/env bash
# Before every start of Jenkins with LDAP logins (ExecStartPre, as jenkins): the trust store
# of Jenkins' JVM (javax.net.ssl.trustStore, set in the unit's JAVA_OPTS): Java's own CAs
# (SMTP relays and everything else keep working) plus the directory's CA for ldaps://.
# Only Jenkins trusts that CA; curl, apt and git on the controller do not.
# usage: jenkins-ldap-truststore.sh <ca.pem> <truststore.p12>
set -euo pipefail

usage="usage: jenkins-ldap-truststore.sh <ca.pem> <truststore.p12>"
ca=${1:?$usage}
out=${2:?$usage}
java_cacerts=${JAVA_CACERTS:-/etc/ssl/certs/java/cacerts}
# The well-known password of Java's CA stores: a trust store holds no secret.
pass=changeit

work=$(mktemp -d "$(dirname "$out")/.truststore.XXXXXX")
trap 'rm -rf "$work"' EXIT
keytool -importkeystore -noprompt -srckeystore "$java_cacerts" -srcstorepass "$pass" \
  -destkeystore "$work/store.p12" -deststoretype PKCS12 -deststorepass "$pass" >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; echo "jenkins-ldap-truststore: cannot read $java_cacerts" >&2; exit 1; }
# keytool imports one certificate per call: one file per PEM block
awk -v dir="$work" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/ca-" n ".pem") } /-----END CERTIFICATE-----/ { close(dir "/ca-" n ".pem") }' "$ca"
count=0
for pem in "$work"/ca-*.pem; do
  [ -e "$pem" ] || break
  count=$((count + 1))
  keytool -importcert -noprompt -alias "factory-ldap-ca-$count" -file "$pem" \
    -keystore "$work/store.p12" -storetype PKCS12 -storepass "$pass" >"$work/log" 2>&1 \
    || { cat "$work/log" >&2; echo "jenkins-ldap-truststore: cannot import $pem from $ca" >&2; exit 1; }
done
[ "$count" -gt 0 ] || { echo "jenkins-ldap-truststore: no certificate in $ca" >&2; exit 1; }
chmod 0644 "$work/store.p12"
mv -f "$work/store.p12" "$out"
echo "jenkins-ldap-truststore: $out: Java's CAs and $count from $ca" >&2

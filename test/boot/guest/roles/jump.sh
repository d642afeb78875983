# Jump host checks (sourced by check.sh): hardened sshd, nothing but sshd on the network,
# and with `egress: jump` the subnet's SNAT gateway.
# shellcheck shell=bash
# shellcheck disable=SC2154 # report, expect, eventually and the case.env variables come from check.sh
sshd_says() { sshd -T 2>&1 | grep -qx "$1" && echo "sshd -T: $1"; }
expect "sshd: permitrootlogin no" sshd_says "permitrootlogin no"
expect "sshd: passwordauthentication no" sshd_says "passwordauthentication no"

# Every TCP/UDP socket on a non-loopback address must belong to sshd.
only_sshd_listens() {
  local netid addr process others=() seen=0
  while read -r netid _ _ _ addr _ process; do
    case "$addr" in 127.* | \[::1\]:* | \[::ffff:127.*) continue ;; esac
    seen=$((seen + 1))
    if [[ "$process" != *'"sshd"'* ]]; then others+=("$netid $addr $process"); fi
  done < <(ss -tulnpH)
  if [ "${#others[@]}" -gt 0 ]; then printf 'not sshd: %s\n' "${others[@]}"; return 1; fi
  if [ "$seen" -eq 0 ]; then echo "sshd is not listening at all"; return 1; fi
  echo "$seen non-loopback listener(s), all sshd"
}
expect "only sshd listens on the network" only_sshd_listens

if [ "${EGRESS:?}" = jump ]; then
  forwarding() { local v; v=$(sysctl -n net.ipv4.ip_forward) && echo "net.ipv4.ip_forward = $v" && [ "$v" = 1 ]; }
  expect "egress: IPv4 forwarding on" forwarding
  masquerades() { nft list ruleset | grep -E "ip saddr ${PRIVATE_CIDR//./\\.} .*masquerade"; }
  expect "egress: nft masquerades $PRIVATE_CIDR" masquerades
  holds_vip() { ip -o -4 addr show | grep -F " ${EGRESS_VIP:?}/"; }
  expect "egress: keepalived holds the VIP $EGRESS_VIP" eventually 60 holds_vip
  # The network configuration's default route is the VIP (what Neutron's DHCP option 121
  # gives); the jump host's own traffic must still leave via the router.
  via_router() { local r; r=$(ip -4 -o route get 198.51.100.1) && echo "$r" && [[ "$r" == *" via ${ROUTER:?} "* ]]; }
  expect "egress: own traffic leaves via the router $ROUTER, not the VIP" via_router
fi

# LDAP logins (environment file: ldap): sssd configured and checked by sssd itself, keys
# through sssd for people only, sudo for the admins group; sssd runs only when it may.
if [ -n "${LDAP:-}" ]; then
  expect "ldap: sssctl config-check passes" sssctl config-check
  case "$LDAP" in
    bind) sssd_state() { ! systemctl is-active --quiet sssd.service && echo "sssd is off: no bind password pushed yet"; } ;;
    *) sssd_state() { systemctl is-active --quiet sssd.service && echo "sssd runs (anonymous binds need nothing)"; } ;;
  esac
  expect "ldap: sssd state at first boot ($LDAP)" sssd_state
  keys_for() { sshd -T -C "user=$1,host=h,addr=10.0.0.1" 2>&1 | grep -x "authorizedkeyscommand $2"; }
  expect "ldap: sshd asks sssd for people's keys" keys_for alice /usr/bin/sss_ssh_authorizedkeys
  expect "ldap: sshd never asks sssd for the factory user's keys" keys_for factory none
  expect "ldap: sudoers valid, the admins group in it" sh -c 'visudo -c && grep -h "^%" /etc/sudoers.d/factory-ldap-admins'
  expect "ldap: NSS asks sss after the local files" grep -E '^(passwd|group):.*files.* sss' /etc/nsswitch.conf
  installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx "install ok installed"; }
  ldap_only() {
    local p extra=()
    for p in sssd sssd-ad sssd-ipa sssd-krb5 sssd-proxy samba-libs; do installed "$p" && extra+=("$p"); done
    installed sssd-ldap || { echo "sssd-ldap is not installed"; return 1; }
    [ "${#extra[@]}" -eq 0 ] || { echo "installed too: ${extra[*]}"; return 1; }
    echo "sssd-ldap without the sssd metapackage, AD, IPA, Kerberos, proxy or Samba"
  }
  expect "ldap: only sssd's LDAP provider is installed" ldap_only
fi

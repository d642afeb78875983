#!/usr/bin/env bash
# Fails when anything listens on a non-loopback address except the given protocol:port
# pairs (e.g. tcp:22). DHCP clients (udp:68, udp:546) are always allowed. Known services
# that would listen and are never needed here are stopped first.
# usage: check-listeners.sh tcp:22 [tcp:2049 ...]
set -euo pipefail

for unit in rpcbind.socket rpcbind.service avahi-daemon.socket avahi-daemon.service cups.socket cups.service; do
  if systemctl cat "$unit" >/dev/null 2>&1; then
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
    systemctl mask "$unit" >/dev/null 2>&1 || true
  fi
done

# systemd-resolved answers LLMNR and mDNS on every interface by default (port 5355, 5353)
if systemctl is-active --quiet systemd-resolved.service; then
  install -d -m 0755 /etc/systemd/resolved.conf.d
  printf '[Resolve]\nLLMNR=no\nMulticastDNS=no\n' >/etc/systemd/resolved.conf.d/60-factory-no-llmnr.conf
  systemctl restart systemd-resolved.service
fi

allowed=" udp:68 udp:546 $* "
unexpected=()
# `ss -H -l -n -t -u`: Netid State Recv-Q Send-Q Local:Port Peer:Port
while read -r netid _state _recv _send local _peer; do
  port=${local##*:}
  address=${local%:*}
  address=${address#[}
  address=${address%]}
  address=${address%%%*}
  case "$address" in
    127.* | ::1 | ::ffff:127.*) continue ;;
  esac
  if [[ "$allowed" != *" $netid:$port "* ]]; then
    unexpected+=("$netid $local")
  fi
done < <(ss -H -l -n -t -u)

if [ "${#unexpected[@]}" -gt 0 ]; then
  echo "check-listeners: unexpected listening sockets (allowed:$allowed):" >&2
  printf '  %s\n' "${unexpected[@]}" >&2
  ss -l -n -t -u -p >&2 || true
  exit 1
fi
echo "check-listeners: only$allowed listen on network addresses"

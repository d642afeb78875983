#!/usr/bin/env bash
# Turns a jump host into the private subnet's SNAT gateway (network.egress: jump):
# forwarding (sysctl file written by cloud-init), the nftables masquerade in
# /etc/nftables.conf, and keepalived holding the gateway VIP, with the interface that
# carries this host's address filled into /etc/keepalived/keepalived.conf.in.
# usage: egress-gateway.sh <this jump host's address>
set -euo pipefail

address=${1:?usage: egress-gateway.sh <this jump host address>}
template=/etc/keepalived/keepalived.conf.in
config=/etc/keepalived/keepalived.conf

interface=$(ip -o -4 addr show | awk -v a="$address" '{ split($4, p, "/"); if (p[1] == a) { print $2; exit } }')
if [ -z "$interface" ]; then
  echo "egress-gateway: no interface holds $address" >&2
  ip -o -4 addr show >&2
  exit 1
fi

sysctl --quiet --write net.ipv4.ip_forward=1

nft --check --file /etc/nftables.conf
systemctl enable nftables.service
systemctl restart nftables.service

sed "s/@INTERFACE@/$interface/g" "$template" >"$config.tmp"
chmod 0644 "$config.tmp"
mv "$config.tmp" "$config"
keepalived --config-test --use-file "$config"
systemctl enable keepalived.service
systemctl restart keepalived.service
echo "egress-gateway: masquerading the subnet on $interface, keepalived running"

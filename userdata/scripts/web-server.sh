#!/usr/bin/env bash
# Serves the published image tree with nginx: the web root belongs to the publish user
# (rsync target), the factory's site replaces Debian's default one.
# usage: web-server.sh <web root> <publish user> <nginx site file>
set -euo pipefail

root=${1:?usage: web-server.sh <web root> <publish user> <site file>}
user=${2:?missing publish user}
site=${3:?missing site file}

install -d -o root -g root -m 0755 "$(dirname "$root")"
install -d -o "$user" -g "$user" -m 0755 "$root"

rm -f /etc/nginx/sites-enabled/default
ln -sfn "$site" "/etc/nginx/sites-enabled/$(basename "$site")"
nginx -t
systemctl enable nginx.service
systemctl restart nginx.service

#!/usr/bin/env bash
# Stage 3 — Add the Jenkins agent: takes the build host's SSH host key out of band, from
# its console log, waits until the host answers SSH with exactly that key and its first
# boot has finished. The Jenkinsfile then registers the node (factoryBuildHost.add, a
# trusted library step) pinned to that key: no trust on first use.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_LOCAL_DIR), OS_CLOUD   see lib.sh
#   AGENT_KEY_FILE        private key Jenkins logs in with (default: the model's, see lib.sh)
#   AGENT_USER            default: the model's build-host user
#   AGENT_WAIT_SECONDS    how long the host may take to print its keys and answer (default 900)
# The host key: cloud-init's keys-to-console prints the host's public keys on the serial
# console between "-----BEGIN SSH HOST KEY KEYS-----" and "-----END SSH HOST KEY KEYS-----"
# (/usr/lib/cloud-init/write-ssh-key-fingerprints); Nova hands the console log only to the
# project's credentials (`openstack console log show`), so the key is the server's own, not
# whatever answers on its address. The first such block counts.
# Output: one line "<address> <host-key-type> <host-key>" on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
from_model AGENT_KEY_FILE roles.jenkins.paths.buildHostKey
from_model AGENT_USER roles.buildHost.user.name
address="$(json "$FACTORY_LOCAL_DIR/build-host.json" address.value)"
server_id="$(json "$FACTORY_LOCAL_DIR/build-host.json" server_id.value)"
known_hosts="$FACTORY_LOCAL_DIR/known_hosts"

# console_host_key — the ed25519 key of the first host-key block of the console log.
console_host_key() {
  openstack console log show "$server_id" | tr -d '\r' | awk '
    /^-----BEGIN SSH HOST KEY KEYS-----$/ { inside = 1; next }
    /^-----END SSH HOST KEY KEYS-----$/ { if (inside) exit; next }
    inside && $1 == "ssh-ed25519" { print $1 " " $2; exit }'
}

deadline=$(($(date +%s) + ${AGENT_WAIT_SECONDS:-900}))
host_key=""
until host_key="$(console_host_key)" && [ -n "$host_key" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "build host $server_id printed no SSH host key on its console within ${AGENT_WAIT_SECONDS:-900} s (is cloud-init's keys-to-console on in its image?)"
  sleep 10
done
printf '%s %s\n' "$address" "$host_key" >"$known_hosts"
log "host key of $address from the console log: $(cut -c1-52 <<<"$host_key")..."

ssh_opts=(-i "$AGENT_KEY_FILE" -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$known_hosts" -o ConnectTimeout=10)
# cloud-init installs Java and mounts NFS on the build host; the agent can start only after.
until ssh "${ssh_opts[@]}" "$AGENT_USER@$address" true 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || die "build host $address did not accept SSH with its console host key within ${AGENT_WAIT_SECONDS:-900} s"
  sleep 5
done
if ! ssh "${ssh_opts[@]}" "$AGENT_USER@$address" cloud-init status --wait >&2; then
  die "first boot of the build host failed (cloud-init status); see /var/log/cloud-init-output.log there"
fi
ssh "${ssh_opts[@]}" "$AGENT_USER@$address" java -version >&2 || die "no java on the build host"

# "<address> <type> <key> <agent directory>": the Jenkinsfile splits it.
agent_dir=""
from_model agent_dir roles.buildHost.paths.agentDir
echo "$address $host_key $agent_dir"

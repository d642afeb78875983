#!/usr/bin/env bash
# Stage 3 — Add the Jenkins agent: waits until the build host answers SSH and its first
# boot has finished, and pins its host key. The Jenkinsfile then registers the node
# (factoryBuildHost.add, a trusted library step) with exactly this key.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR)   see lib.sh
#   AGENT_KEY_FILE        private key Jenkins logs in with (default /var/lib/jenkins/.ssh/build-host)
#   AGENT_USER            default agent
#   AGENT_WAIT_SECONDS    how long the host may take to answer (default 900)
# Output: one line "<address> <host-key-type> <host-key>" on stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_build_dir
AGENT_KEY_FILE="${AGENT_KEY_FILE:-/var/lib/jenkins/.ssh/build-host}"
AGENT_USER="${AGENT_USER:-agent}"
address="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["address"]["value"])' <"$FACTORY_BUILD_DIR/build-host.json")"
known_hosts="$FACTORY_BUILD_DIR/known_hosts"

deadline=$(($(date +%s) + ${AGENT_WAIT_SECONDS:-900}))
host_key=""
until host_key="$(ssh-keyscan -T 10 -t ed25519 "$address" 2>/dev/null | grep -v '^#' | head -n 1)" && [ -n "$host_key" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "build host $address did not answer SSH within ${AGENT_WAIT_SECONDS:-900} s"
  sleep 5
done
printf '%s\n' "$host_key" >"$known_hosts"
log "host key of $address: $(cut -d' ' -f2- <<<"$host_key" | cut -c1-40)..."

ssh_opts=(-i "$AGENT_KEY_FILE" -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$known_hosts" -o ConnectTimeout=10)
# cloud-init installs Java and mounts NFS on the build host; the agent can start only after.
if ! ssh "${ssh_opts[@]}" "$AGENT_USER@$address" cloud-init status --wait >&2; then
  die "first boot of the build host failed (cloud-init status); see /var/log/cloud-init-output.log there"
fi
ssh "${ssh_opts[@]}" "$AGENT_USER@$address" java -version >&2 || die "no java on the build host"

# "<address> <type> <key>": the Jenkinsfile splits it.
echo "$address $(cut -d' ' -f2- <<<"$host_key")"

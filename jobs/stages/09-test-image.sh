#!/usr/bin/env bash
# Stage 9 — Perform tests: boots a server from the newly registered private image and runs
# the image test suite (jobs/image-tests/run.sh) against it. Runs on the controller.
#
# Inputs (env):
#   FACTORY_BUILD_ID (FACTORY_BUILD_DIR, FACTORY_LOCAL_DIR), FACTORY_ENV, OS_CLOUD   see lib.sh
#   FACTORY_REPO        repository snapshot (default $FACTORY_LOCAL_DIR/repo)
#   AGENT_KEY_FILE      key pair for the test server (default: the model's build-host key, + .pub)
#   TEST_LOGIN_USER     who logs in (default: the catalogue entry's loginUser, its image_original_user)
#   TEST_WAIT_SECONDS   how long the server may take to answer SSH (default 600)
#   IPERF3_SERVER       the iperf3 server stage 1 started, as the test server reaches it
#                       (default: this controller's address on its route to the server)
#   TEST_MIN_MBITS      least throughput to it the suite accepts, in Mbit/s (default 100)
# The server: <env>-test-<build-id> in <env>-net with the <env>-build-host security group
# (SSH from Jenkins only), the build-host template's flavor, metadata role=image-test and
# expires-at (so the reaper removes it should this script die without cleaning up).
# Effect: output/<name>-test-results.tap (TAP; written locally, then copied to NFS for
# signing); fails when a test fails.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

use_local_dir
use_build_dir
require FACTORY_ENV
FACTORY_REPO="${FACTORY_REPO:-$FACTORY_LOCAL_DIR/repo}"
from_model AGENT_KEY_FILE roles.jenkins.paths.buildHostKey
name="$(entry name)"
image_id="$(cat "$FACTORY_LOCAL_DIR/image-id")"
server="$FACTORY_ENV-test-$FACTORY_BUILD_ID"
results="$FACTORY_LOCAL_DIR/$name-test-results.tap"
expires_at="$(date -u -d "+$(entry factory.ttlHours) hours" +%Y-%m-%dT%H:%M:%SZ)"

cleanup() {
  openstack server delete --wait "$server" >&2 || log "WARNING: could not delete $server; the reaper will after $expires_at"
  openstack keypair delete "$server" >&2 || log "WARNING: could not delete key pair $server"
}
trap cleanup EXIT

openstack keypair create --public-key "$AGENT_KEY_FILE.pub" "$server" >/dev/null
# The server's own status decides, not the client's exit code: Debian 12's client exits 0
# when --wait sees the server go to ERROR (it prints "Error creating server" instead of JSON).
openstack server create --wait -f json \
  --image "$image_id" --flavor "$(entry factory.templateFlavor)" \
  --network "$FACTORY_ENV-net" --security-group "$FACTORY_ENV-build-host" --key-name "$server" \
  --property "factory=$FACTORY_ENV" --property role=image-test --property "build-id=$FACTORY_BUILD_ID" \
  --property "expires-at=$expires_at" --property keep=false \
  "$server" >/dev/null || true
openstack server show "$server" -f json >"$FACTORY_LOCAL_DIR/test-server.json" 2>/dev/null \
  || die "test server $server ($image_id) was not created (the error above says why)"
# Nova's fault says why a server is in ERROR, e.g. "No valid host was found" when no compute
# host satisfies the image's properties (hypervisor_type, architecture) or the flavor.
state="$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); f = s.get("fault") or {}
print(s.get("status", "?"), "-", (f.get("message") if isinstance(f, dict) else f) or "no fault recorded")' "$FACTORY_LOCAL_DIR/test-server.json")"
[[ "$state" == "ACTIVE - "* ]] || die "test server $server ($image_id) did not become active: $state"

# `addresses` is {"net": ["ip", ...]} in current clients, "net=ip, ip" in older ones.
address="$(python3 - "$FACTORY_LOCAL_DIR/test-server.json" "$FACTORY_ENV-net" <<'EOF'
import json, sys
addresses = json.load(open(sys.argv[1]))["addresses"]
if isinstance(addresses, str):
    addresses = {k: v.split(", ") for k, v in (part.split("=", 1) for part in addresses.split("; "))}
print([a for a in addresses[sys.argv[2]] if ":" not in a][0])
EOF
)"
log "test server $server ($image_id) is at $address"

suite=(--host "$address" --user "${TEST_LOGIN_USER:-$(entry loginUser)}" --key "$AGENT_KEY_FILE" --wait "${TEST_WAIT_SECONDS:-600}")
iperf3_server="${IPERF3_SERVER:-$(ip -o route get "$address" 2>/dev/null | sed -n 's/.* src \([^ ]*\).*/\1/p')}"
if [ -n "$iperf3_server" ]; then suite+=(--iperf3 "$iperf3_server" --min-mbits "${TEST_MIN_MBITS:-100}"); fi
# The image must update from the environment's mirror when it has one.
if [ "$(entry os.distro)" = debian ] && mirror="$(entry factory.mirrors.debian 2>/dev/null)" && [ -n "$mirror" ]; then suite+=(--mirror "$mirror"); fi
"$FACTORY_REPO/jobs/image-tests/run.sh" "${suite[@]}" | tee "$results"
# A new file on NFS (never written through whatever a build host left at that name).
cp --remove-destination "$results" "$FACTORY_BUILD_DIR/output/"

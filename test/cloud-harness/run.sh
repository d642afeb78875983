#!/usr/bin/env bash
# npm run test:cloud-harness: the local cloud itself, from nothing to nothing.
#   1. `up` from an empty state directory, shaped for the example and the maximal fixture
#   2. every process runs and answers (`status`)
#   3. the smoke checks as a tenant's member user, in a 2-zone and a 3-zone project
#   4. `up` again changes nothing: no process restarted, same PIDs
#   5. `down` leaves no process, no state directory, no veth pair, no port open
# Prints the figures (time to ready, idempotent up, memory, idle CPU) and `N passed, N failed`.
# Needs root and the ports of tools/local-cloud/localcloud/ports.py free (no other local cloud up).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cloud="$repo/tools/local-cloud/cloud"
work="$(mktemp -d /var/tmp/cloud-harness-test.XXXXXX)"
state="$work/state"
passed=0 failed=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
seconds() { date +%s; }
elapsed() { echo $(($(seconds) - $1)); }

finish() {
  if [ -d "$state" ]; then  # a failure on the way: keep the logs, leave nothing running
    cp -r "$state/log" "$work/logs" 2>/dev/null && echo "# logs kept in $work/logs"
    "$cloud" down --state-dir "$state" >/dev/null 2>&1
  fi
  [ -d "$work/logs" ] || rm -rf "$work"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
trap 'finish; exit $?' EXIT

configs=(--config "$repo/environments/example.yaml" --config "$repo/test/fixtures/maximal.yaml")

t=$(seconds)
clouds_yaml="$("$cloud" up --state-dir "$state" "${configs[@]}" 2>"$work/up.err" | tail -n 1)"
rc=$?
echo "# up from an empty state directory: $(elapsed "$t") s"
check "up from nothing exits 0 and prints the clouds.yaml path last" test "$rc" -eq 0 -a "$clouds_yaml" = "$state/clouds.yaml"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$work/up.err"; exit 1; }

check "clouds.yaml has exactly the environments' cloud names and the admin entry" \
  /usr/bin/python3 -c '
import sys, yaml
names = set(yaml.safe_load(open(sys.argv[1]))["clouds"])
sys.exit(names != {"factory", "web", "factory-prod", "web-prod", "factory-local-admin"})' "$clouds_yaml"

"$cloud" status --state-dir "$state" >"$work/status-1"
check "status: every process runs and answers" test $? -eq 0

export OS_CLIENT_CONFIG_FILE="$clouds_yaml"
for tenant in factory factory-prod; do
  /usr/bin/python3 "$repo/test/cloud-harness/smoke.py" --cloud "$tenant" >"$work/smoke-$tenant" 2>&1
  rc=$?
  sed "s/^/# [$tenant] /" "$work/smoke-$tenant" | grep -v "passed, .* failed"
  check "smoke checks as the member user of $tenant" test "$rc" -eq 0
done

t=$(seconds)
"$cloud" up --state-dir "$state" "${configs[@]}" >/dev/null 2>"$work/up-again.err"
rc=$?
echo "# up again: $(elapsed "$t") s"
check "up again exits 0 and restarts nothing" test "$rc" -eq 0 -a -z "$(grep restarting "$work/up-again.err")"
"$cloud" status --state-dir "$state" --cpu-seconds 60 >"$work/status-2"
check "up again: the same processes with the same PIDs" \
  diff <(grep -v '^resident\|^CPU' "$work/status-1") <(grep -v '^resident\|^CPU' "$work/status-2")
grep '^resident\|^CPU' "$work/status-2" | sed 's/^/# idle: /'

t=$(seconds)
"$cloud" down --state-dir "$state" 2>"$work/down.err"
rc=$?
echo "# down: $(elapsed "$t") s"
check "down exits 0" test "$rc" -eq 0
check "down removed the state directory" test ! -e "$state"
check "down left no process naming the state directory" \
  /usr/bin/python3 -c '
import os, sys
def names_state(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return sys.argv[1].encode() in f.read()
    except OSError:
        return False
sys.exit(any(p.isdigit() and int(p) != os.getpid() and names_state(p) for p in os.listdir("/proc")))' "$state"
check "down left no veth pair" test -z "$(ip -o link show | grep -F ' fcl-')"
check "down left no port of the cloud open" \
  /usr/bin/python3 -c '
import socket, sys
sys.path.insert(0, sys.argv[1])
from localcloud import ports
open_ports = []
for p in [ports.KEYSTONE, ports.NOVA, ports.PLACEMENT, ports.CINDER, ports.NEUTRON, ports.RABBITMQ,
          ports.RABBITMQ_DIST, ports.EPMD, *[ports.glance(i) for i in range(3)]]:
    with socket.socket() as s:
        if s.connect_ex((ports.HOST, p)) == 0:
            open_ports.append(p)
sys.exit(1 if open_ports else 0)' "$repo/tools/local-cloud"

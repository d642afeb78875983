#!/usr/bin/env bash
# The boot test's checks, run inside the guest once cloud-init is done. Every check prints
# one machine-readable line on the console, read by test/boot/verdict.ts:
#   BOOT-CHECK <case> ok|FAIL <check>: <detail>
# followed by diagnostics (BOOT-DIAG <case> ...) when something failed, and
#   BOOT-CHECK-END <case> <passed> <failed>
# shellcheck source-path=SCRIPTDIR
set -uo pipefail # no -e: one failing check must not hide the others
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null # generated per case by test/boot/seed.ts
. "$here/case.env"
: "${CASE:?}" "${ROLE:?}" "${CLOUD_INIT_TIMEOUT:?}"

passed=0
failed=0
report() { # report ok|FAIL <check> <detail>
  local detail=${3//$'\n'/ | }
  echo "BOOT-CHECK $CASE $1 $2: ${detail:0:400}"
  if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
# expect <check> <command>...: ok when the command succeeds; its output is the detail.
expect() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then report ok "$name" "$out"; else report FAIL "$name" "$out"; fi
}
# eventually <seconds> <command>...: retries a command until it succeeds or time runs out.
eventually() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 2
  done
}

echo "BOOT-CHECK-START $CASE $ROLE"
expect "cloud-init finished" timeout "$CLOUD_INIT_TIMEOUT" cloud-init status --wait
expect "cloud-init status done" sh -c 'cloud-init status --long | tee /dev/stderr | grep -qx "status: done"'
# `errors` lists every module that raised (a failing runcmd shows as scripts_user);
# `recoverable_errors` (cloud-init 23.4+, Debian 13) maps a log level to its messages
# (deprecated keys, a module's warnings): found as a dict on trixie, where a list was assumed.
expect "cloud-init reported no errors" python3 -c '
import json, subprocess, sys
status = json.loads(subprocess.run(["cloud-init", "status", "--format", "json"], capture_output=True, text=True).stdout)
recoverable = status.get("recoverable_errors") or {}
if isinstance(recoverable, dict):
    recoverable = [f"{level}: {message}" for level, messages in recoverable.items() for message in messages]
problems = status.get("errors", []) + recoverable
print(json.dumps(problems) if problems else "errors: []")
sys.exit(1 if problems else 0)'

# sudo (and sshd's logs) look up the server's own name; DNS may not know it.
expect "the server's own name resolves from /etc/hosts" getent -s files hosts "$(hostname)"

# A unit left failed (also one the role's packages started and gave up) degrades the server.
no_failed_units() {
  local f
  f=$(systemctl --failed --no-legend --plain) || return 1
  if [ -n "$f" ]; then echo "$f"; return 1; fi
  echo "none"
}
expect "no failed systemd units" no_failed_units

# shellcheck source=roles/jump.sh
. "$here/roles/$ROLE.sh"

# Checks from outside (test/boot/run.ts logs in over SSH, through qemu's hostfwd): the host
# says it is done by creating $host_done as the factory user.
if [ -n "${HOST_CHECKS:-}" ]; then
  host_done=/run/factory-boot-check/host-done
  echo "BOOT-HOST-CHECKS-READY $CASE"
  deadline=$((SECONDS + HOST_CHECKS))
  until [ -e "$host_done" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 2; done
  [ -e "$host_done" ] || report FAIL "host checks finished" "no word from the host in $HOST_CHECKS s"
fi

if [ "$failed" -gt 0 ]; then
  {
    cloud-init status --long
    grep -E 'WARNING|ERROR|Traceback|failed' /var/log/cloud-init.log | tail -n 25
    tail -n 25 /var/log/cloud-init-output.log
    systemctl --failed --no-legend --plain
  } 2>&1 | sed "s/^/BOOT-DIAG $CASE /"
fi
echo "BOOT-CHECK-END $CASE $passed $failed"

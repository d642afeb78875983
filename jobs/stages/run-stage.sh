#!/usr/bin/env bash
# The stage wrapper: the pipeline runs every stage script through it, and it records when
# the stage started and ended and how, for the build's record (jobs/stats/record.py).
#
# usage: run-stage.sh controller|build-host NN-name.sh [ARG...]
#
# The script is the one beside this wrapper (the same snapshot or checkout). Its exit
# status, stdout and stderr are passed through unchanged.
# Events, one JSON object a line ({"v": 1, "stage", "event": "start"|"end", "at": UTC time
# with milliseconds; an end adds "exit" and "signal"}), go to the build's own side:
#   controller   $FACTORY_LOCAL_DIR/stages.jsonl         (the controller's local disk)
#   build-host   $FACTORY_BUILD_DIR/logs/stages.jsonl     (NFS: data to the controller)
# Stage 1 makes the build id: its events are written once it has printed the id (its last
# line of stdout); a stage 1 that fails records nothing here (record.py knows it failed).
# Jenkins aborts a step (abort, stage timeout) by sending SIGTERM to every process of it,
# then SIGKILL 5 s later (ProcessTree, SoftKillWaitSeconds): the wrapper passes the
# signal on and records the end with the signal's name at once.
set -euo pipefail

usage() {
  echo "usage: run-stage.sh controller|build-host NN-name.sh [ARG...]" >&2
  exit 2
}
here="$(cd "$(dirname "$0")" && pwd)"
role="${1:-}" script="${2:-}"
case "$role" in controller | build-host) ;; *) usage ;; esac
[[ "$script" =~ ^[0-9]{2}-[a-z0-9-]+\.sh$ && -f "$here/$script" ]] || usage
shift 2
stage="${script%.sh}"
# the model's paths unless set (as lib.sh's from_model; the pipeline sets both)
# shellcheck source-path=SCRIPTDIR source=../model-lib.sh
. "$here/../model-lib.sh"
model() {
  [ -n "${FACTORY_MODEL:-}" ] || : "${FACTORY_ENV:?FACTORY_ENV is not set}"
  model_get "$1"
}
FACTORY_BUILDS_ROOT="${FACTORY_BUILDS_ROOT:-$(model roles.nfs.paths.builds)}"
FACTORY_LOCAL_ROOT="${FACTORY_LOCAL_ROOT:-$(model roles.jenkins.paths.localBuilds)}"

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

events_file() { # build id
  if [ "$role" = controller ]; then
    echo "${FACTORY_LOCAL_DIR:-$FACTORY_LOCAL_ROOT/$1}/stages.jsonl"
  else
    echo "${FACTORY_BUILD_DIR:-$FACTORY_BUILDS_ROOT/$1}/logs/stages.jsonl"
  fi
}

# record JSON — one line, in one write; a missing directory means the stage itself will
# say what is wrong (no build directory), so the wrapper only warns.
record() {
  local file
  file="$(events_file "$build_id")"
  if [ -d "$(dirname "$file")" ]; then
    printf '%s\n' "$1" >>"$file" || echo "[run-stage] WARNING: could not record $stage in $file" >&2
  fi
}

build_id="${FACTORY_BUILD_ID:-}"
started="$(now)"
start_event="{\"v\": 1, \"stage\": \"$stage\", \"event\": \"start\", \"at\": \"$started\"}"
[ -z "$build_id" ] || record "$start_event"

child="" signal=""
end() { # exit status
  local sig="null"
  [ -z "$signal" ] || sig="\"$signal\""
  [ -z "$build_id" ] || record "{\"v\": 1, \"stage\": \"$stage\", \"event\": \"end\", \"at\": \"$(now)\", \"exit\": $1, \"signal\": $sig}"
}
# shellcheck disable=SC2317 # called by the traps below
on_signal() {
  signal="$1"
  [ -z "$child" ] || kill -s "$1" "$child" 2>/dev/null || true
}
for s in TERM INT HUP; do
  # shellcheck disable=SC2064 # the signal's name now
  trap "on_signal $s" "$s"
done

stdout_copy=""
if [ -n "$build_id" ]; then
  "$here/$script" "$@" <&0 &
else
  # Stage 1: its stdout is kept to learn the id, then passed on.
  stdout_copy="$(mktemp)"
  "$here/$script" "$@" <&0 >"$stdout_copy" &
fi
child=$!
# A trapped signal interrupts `wait` (status 128 + the signal): wait again while the script
# still runs, so that its end is recorded when it really ended.
while :; do
  rc=0
  wait "$child" || rc=$?
  kill -0 "$child" 2>/dev/null || break
done

if [ -n "$stdout_copy" ]; then
  cat "$stdout_copy"
  id="$(tail -n 1 "$stdout_copy")"
  rm -f "$stdout_copy"
  if [ "$rc" -eq 0 ] && [[ "$id" =~ ^[a-z0-9][a-z0-9-]{0,39}$ ]]; then
    build_id="$id"
    record "$start_event"
  fi
fi
end "$rc"
exit "$rc"

#!/usr/bin/env bash
# The `openstack` on the PATH of the publish scripts under test: it hands its argv
# to the fake cloud (publish-fake-openstack.ts, served by publish-harness.ts on
# 127.0.0.1:$FAKE_OPENSTACK_PORT) and prints its answer and exit status, as the
# real client would. A shell stand-in costs a few milliseconds a call where a node
# process would cost fifty, which keeps the many calls of these tests cheap.
set -euo pipefail
export LC_ALL=C # lengths below are in bytes

exec 3<>"/dev/tcp/127.0.0.1/${FAKE_OPENSTACK_PORT:?}"
{ printf '%d\0' "$#"; printf '%s\0' "$@"; } >&3
# Answer: exit status, stdout length, stderr length (one line each), stdout, stderr.
read -r status <&3
read -r out_length <&3
read -r err_length <&3
out="" err=""
if ((out_length > 0)); then IFS= read -r -d '' -N "$out_length" out <&3 || true; fi
if ((err_length > 0)); then IFS= read -r -d '' -N "$err_length" err <&3 || true; fi
printf '%s' "$out"
printf '%s' "$err" >&2
exit "$status"

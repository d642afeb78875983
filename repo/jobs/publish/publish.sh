#!/usr/bin/env bash
set -euo pipefail
{ printf '%s' "$PWD"; printf '%s' "$(basename "$0")" "$@"; printf '\n'; } >> "/tmp/jobs-stages-ruHb3Z/standins/calls"


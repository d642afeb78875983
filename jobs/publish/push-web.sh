#!/usr/bin/env bash
# Pushes the published tree — every build's signed outputs (stage 11) and the statistics
# report (stats/) — to each web server, where nginx serves it. rsync over SSH as the web
# servers' `publish` user, whose only key (web.publishKeys) may do nothing but rsync into
# the web root (`rrsync -wo -munge`, userdata/web.ts). Runs on the controller at the end of
# every build (the image-build job's post, after the report), with the `web-publish-ssh` key.
#
# The web servers are the IPv4 addresses --domain resolves to on the controller (web.domain's
# A records: the web stack's `web_addresses` output says what they must be), or --hosts.
# Their SSH host keys must be in --known-hosts (README "How published images reach the web
# servers"): a host whose key is not there gets nothing.
#
# The tree is on NFS, which build hosts write, so it is data: only regular files and
# directories are sent (no symlinks — one planted in the tree would make nginx serve the
# web server's own files —, devices or FIFOs), never a copy stage 11 is still making
# (*.partial) or a hidden file. The web root becomes the same as the tree (--delete), each
# server switching at the end of its transfer (--delay-updates), so readers never see half
# a build. One push at a time per controller (--lock).
#
# Exit 0: pushed to every server, or the factory has no web servers; 1: some server did
# not get the tree (each named); 2: usage.
set -euo pipefail
shopt -s inherit_errexit
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

USAGE="usage: $PROG --tree DIR (--domain NAME | --hosts \"A B\") --key FILE [--known-hosts FILE] [--user NAME] [--port N] [--lock FILE]"

tree="" domain="" hosts="" key="" known_hosts="" user=publish port=22 lock=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tree) takes_value "$@"; tree="$2"; shift 2 ;;
    --domain) takes_value "$@"; domain="$2"; shift 2 ;;
    --hosts) takes_value "$@"; hosts="$2"; shift 2 ;;
    --key) takes_value "$@"; key="$2"; shift 2 ;;
    --known-hosts) takes_value "$@"; known_hosts="$2"; shift 2 ;;
    --user) takes_value "$@"; user="$2"; shift 2 ;;
    --port) takes_value "$@"; port="$2"; shift 2 ;;
    --lock) takes_value "$@"; lock="$2"; shift 2 ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
done
[[ -n "$tree" ]] || usage_error "--tree is required"
[[ -n "$key" ]] || usage_error "--key is required"
[[ "$port" =~ ^[1-9][0-9]{0,4}$ ]] || usage_error "--port \"$port\": must be a port number"
[[ "$user" =~ ^[a-z_][a-z0-9_-]*$ ]] || usage_error "--user \"$user\": must be a user name"

if [[ -z "$domain" && -z "${hosts// /}" ]]; then
  say "the factory has no web servers (no web section, or web.count 0): nothing to push"
  exit 0
fi
[[ -d "$tree" ]] || die "$tree: no such directory (the published tree)"
# An NFS share that is not mounted is an empty directory: --delete would empty the web roots.
[[ -n "$(find "$tree" -mindepth 1 -maxdepth 1 ! -name '.*' -print -quit)" ]] ||
  die "$tree is empty (is the NFS share mounted?): the web servers keep what they have"
# The defaults are the model's (jobs/build-hosts/<env>/factory.json of this checkout, or
# FACTORY_MODEL): the controller's web_known_hosts, and its local builds root for the lock.
# shellcheck source-path=SCRIPTDIR source=../model-lib.sh
. "$PUBLISH_DIR/../model-lib.sh"
model_path() { # KEY.PATH
  local model
  model="$(model_file)"
  [[ -n "$model" && -f "$model" ]] || usage_error "no model file to take the default of $1 from (set FACTORY_ENV or FACTORY_MODEL, or give the option)"
  model_get "$1"
}
[[ -n "$known_hosts" ]] || known_hosts="$(model_path roles.jenkins.paths.webKnownHosts)"
[[ -n "$lock" ]] || lock="${FACTORY_LOCAL_ROOT:-$(model_path roles.jenkins.paths.localBuilds)}/.web-publish.lock"
[[ -r "$key" ]] || die "$key: the publish key (credential web-publish-ssh) is not readable"
[[ -r "$known_hosts" ]] || die "$known_hosts: no known host keys of the web servers; add each server's key (README \"How published images reach the web servers\")"

if [[ -z "${hosts// /}" ]]; then
  hosts="$(getent ahostsv4 "$domain" | awk '{ print $1 }' | sort -u | tr '\n' ' ')" || true
  [[ -n "${hosts// /}" ]] || die "web.domain $domain resolves to no IPv4 address here: its A records must name the web servers (the web stack's web_addresses)"
  say "web servers of $domain: $hosts"
fi
read -r -a host_list <<<"$hosts"

mkdir -p "$(dirname "$lock")"
exec 8>>"$lock"
flock -w "${WEB_PUBLISH_LOCK_WAIT:-1800}" 8 || die "another push holds $lock"

ssh_command="ssh -F /dev/null -p $port -i '$key' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes"
ssh_command+=" -o UserKnownHostsFile='$known_hosts' -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=20 -o ServerAliveInterval=30"
failed=()
for host in "${host_list[@]}"; do
  say "$host: pushing $tree"
  rc=0
  # -r and -t only: no -l (symlinks), -D (devices, specials), -p/-o/-g (the server's own
  # modes and owners apply: files 644, directories 755).
  rsync -rt --delete --delay-updates --chmod=D755,F644 \
    --exclude='*.partial/' --exclude='.*' \
    -e "$ssh_command" "$tree/" "$user@$host:" >&2 || rc=$?
  case "$rc" in
    0) say "$host: up to date" ;;
    # Files that vanished while rsync ran (a report replaced meanwhile) come with the next push.
    24) say "$host: up to date, except files that vanished during the transfer (the next push brings them)" ;;
    *) say "$host: rsync failed (exit $rc)"; failed+=("$host") ;;
  esac
done
if [[ ${#failed[@]} -gt 0 ]]; then die "the tree did not reach ${failed[*]}"; fi

#!/usr/bin/env bash
# Stage 1 — Initialize & start iperf3 on the controller. Runs on the Jenkins controller
# in a checkout of the jobs repository (the current directory, or REPO_DIR).
#
# Inputs (env):
#   FACTORY_ENV                 environment name; its file is environments/$FACTORY_ENV.yaml
#   IMAGE                       catalogue image name (e.g. Standard_Debian_12)
#   TEMPLATE, DEFINITION, REGIONS   optional overrides of the catalogue entry (empty: catalogue)
#   KEEP_BUILD_HOST, PUBLISH, SKIP_UNCHANGED   true|false job parameters
#   JOB_NAME, BUILD_NUMBER      set by Jenkins; they make the build id
#   FACTORY_BUILD_ID            optional: use this id instead of making one
#   REPO_DIR                    the checkout (default: current directory)
# Effect: creates the controller's $FACTORY_LOCAL_ROOT/<build-id>/ with entry.json,
# build.env and a snapshot of the repository at the checked-out commit (repo/: what the
# controller stages run), and the build directory $FACTORY_BUILDS_ROOT/<build-id>/ on NFS
# with copies of entry.json and build.env and the output/ and logs/ build hosts write;
# starts `iperf3 -s -D` if none runs.
# Output: the build id, as the last line of stdout.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

require FACTORY_ENV IMAGE
REPO_DIR="${REPO_DIR:-$PWD}"
env_file="$REPO_DIR/environments/$FACTORY_ENV.yaml"
[ -f "$env_file" ] || die "no environment file $env_file"
commit="$(git -C "$REPO_DIR" rev-parse HEAD)"

# The id names the build directory, the build host (<env>-build-<id>) and the published
# tree: a sortable UTC time, the job and its build number, in lower case, at most 40
# characters (the build-host template's limit).
if [ -z "${FACTORY_BUILD_ID:-}" ]; then
  number="${BUILD_NUMBER:-0}"
  job_slug="$(printf '%s' "${JOB_NAME:-manual}" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9' '-' | sed 's/--*/-/g; s/^-//' |
    cut -c1-$((40 - 12 - 2 - ${#number})) | sed 's/-$//')"
  FACTORY_BUILD_ID="$(date -u +%Y%m%d%H%M)-${job_slug}-${number}"
fi
[[ "$FACTORY_BUILD_ID" =~ ^[a-z0-9][a-z0-9-]{0,39}$ ]] || die "build id '$FACTORY_BUILD_ID' must be 1-40 lower-case letters, digits and dashes"

FACTORY_BUILD_DIR="$FACTORY_BUILDS_ROOT/$FACTORY_BUILD_ID"
FACTORY_LOCAL_DIR="$FACTORY_LOCAL_ROOT/$FACTORY_BUILD_ID"
[ ! -e "$FACTORY_BUILD_DIR" ] || die "build directory $FACTORY_BUILD_DIR already exists"
[ ! -e "$FACTORY_LOCAL_DIR" ] || die "local build directory $FACTORY_LOCAL_DIR already exists"
# Only the controller (jenkins) writes the local directory and the build directory itself;
# build hosts write output/ and logs/ (sticky: none can replace another's files).
(umask 077 && mkdir -p "$FACTORY_LOCAL_DIR/repo")
mkdir -p "$FACTORY_BUILD_DIR"
chmod 0755 "$FACTORY_BUILD_DIR"
mkdir -m 1777 "$FACTORY_BUILD_DIR/output" "$FACTORY_BUILD_DIR/logs"
use_local_dir
use_build_dir

# The environment as `factory templates` resolved it (the schema's defaults applied).
model_file="$REPO_DIR/jobs/build-hosts/$FACTORY_ENV/factory.json"
[ -f "$model_file" ] || die "no model file $model_file (run 'npx factory templates' and commit jobs/build-hosts/)"
python3 "$STAGES_DIR/catalogue.py" entry --model "$model_file" --image "$IMAGE" \
  --template "${TEMPLATE:-}" --definition "${DEFINITION:-}" --regions "${REGIONS:-}" \
  >"$FACTORY_LOCAL_DIR/entry.json"
definition="$(entry definition)"
[ -d "$REPO_DIR/$definition" ] || die "image definition $definition does not exist at $commit"

# Later controller stages run their scripts from this snapshot: the exact commit the
# build started from, whatever happens to the workspace or to NFS meanwhile.
git -C "$REPO_DIR" archive --format=tar "$commit" | tar -x -C "$FACTORY_LOCAL_DIR/repo"

cat >"$FACTORY_LOCAL_DIR/build.env" <<EOF
FACTORY_BUILD_ID=$FACTORY_BUILD_ID
FACTORY_ENV=$FACTORY_ENV
GIT_COMMIT=$commit
IMAGE=$IMAGE
TEMPLATE=$(entry template)
KEEP_BUILD_HOST=${KEEP_BUILD_HOST:-false}
PUBLISH=${PUBLISH:-false}
SKIP_UNCHANGED=${SKIP_UNCHANGED:-false}
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
# The build-host stages read copies; nothing the controller does depends on them.
cp --remove-destination "$FACTORY_LOCAL_DIR/entry.json" "$FACTORY_LOCAL_DIR/build.env" "$FACTORY_BUILD_DIR/"

# The iperf3 server is the far end of the network tests a build may run. What counts is
# its port (the model's ports.iperf3, iperf3's default, which the security groups open;
# FACTORY_IPERF3_PORT for a test's own server), not any process named iperf3 (a client,
# or a server on another port, would not do).
iperf3_port=${FACTORY_IPERF3_PORT:-}
from_model iperf3_port ports.iperf3
if ! command -v iperf3 >/dev/null; then
  log "WARNING: iperf3 is not installed on the controller; network performance tests will fail"
elif ss -Hltn "sport = :$iperf3_port" | grep -q .; then
  log "iperf3 server already listening on $iperf3_port"
else
  iperf3 -s -D -p "$iperf3_port" --logfile "$FACTORY_LOCAL_ROOT/iperf3.log"
  log "started iperf3 server on $iperf3_port"
fi

log "build $FACTORY_BUILD_ID: image $IMAGE, template $(entry template), commit $commit"
echo "$FACTORY_BUILD_ID"

#!/usr/bin/env bash
# npm run test:pipeline [-- JEST ARGS...]: the pipeline's cloud steps against the local
# cloud (test/pipeline/*.pipeline.ts) and the push to the web servers against a real sshd.
#   1. `npm run cloud -- up --config test/fixtures/pipeline.yaml`: the running local cloud
#      is reused and grown by the suite's own tenants (`pipeline`, `pipeline-web`) and
#      RegionTwo; a missing one is set up. Never `down`: other suites share the cloud.
#   2. the suites (jest, test/pipeline/jest.config.json): before them the tenants are
#      emptied and the fixture's network stack deployed; after them it is destroyed and
#      anything left in the tenants fails the run.
# Needs root, the Terraform toolchain (tools/providers/build), and the Debian packages of the
# `pipeline` lines of tools/setup/requirements.tsv.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
started=$SECONDS
# One run at a time: a second run's set-up empties the tenants the first is using.
mkdir -p /var/tmp/factory-cloud
exec 9>>/var/tmp/factory-cloud/test-pipeline.lock
flock -n 9 || { echo "test:pipeline: another run of this suite holds /var/tmp/factory-cloud/test-pipeline.lock" >&2; exit 1; }
clouds_yaml="$("$repo/tools/local-cloud/cloud" up --config "$repo/test/fixtures/pipeline.yaml" | tail -n 1)" || {
  echo "test:pipeline: the local cloud did not come up" >&2
  exit 1
}
echo "test:pipeline: local cloud up in $((SECONDS - started)) s ($clouds_yaml)"
rc=0
FACTORY_TEST_CLOUDS_YAML="$clouds_yaml" CHECKPOINT_DISABLE=1 \
  node "$repo/node_modules/.bin/jest" --config "$repo/test/pipeline/jest.config.json" "$@" || rc=$?
echo "test:pipeline: $((SECONDS - started)) s in all"
exit "$rc"

#!/usr/bin/env bash
# npm run test:cloud [-- --keep-cloud] [-- JEST ARGS...]: the factory deployed to the local
# cloud with the real cdktf CLI and the real provider (test/cloud/*.cloud.ts).
#   1. `npm run cloud -- up`, shaped for the example and the maximal fixture (idempotent:
#      an existing local cloud is reused and grown)
#   2. the cloud suites, one at a time (jest, test/cloud/jest.config.json)
#   3. `down`, unless --keep-cloud (for reruns while developing)
# Needs root, the ports of the local cloud free, and the Terraform toolchain (tools/providers/build).
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cloud="$repo/tools/local-cloud/cloud"
keep=false
args=()
for a in "$@"; do
  if [ "$a" = --keep-cloud ]; then keep=true; else args+=("$a"); fi
done

started=$SECONDS
clouds_yaml="$("$cloud" up --config "$repo/environments/example.yaml" --config "$repo/test/fixtures/maximal.yaml" | tail -n 1)" || {
  echo "test:cloud: the local cloud did not come up" >&2
  $keep || "$cloud" down >/dev/null 2>&1
  exit 1
}
echo "test:cloud: local cloud up in $((SECONDS - started)) s ($clouds_yaml)"

rc=0
FACTORY_TEST_CLOUDS_YAML="$clouds_yaml" CHECKPOINT_DISABLE=1 \
  node "$repo/node_modules/.bin/jest" --config "$repo/test/cloud/jest.config.json" "${args[@]}" || rc=$?

if ! $keep; then
  t=$SECONDS
  "$cloud" down || rc=1
  echo "test:cloud: local cloud down in $((SECONDS - t)) s"
fi
echo "test:cloud: $((SECONDS - started)) s in all"
exit "$rc"

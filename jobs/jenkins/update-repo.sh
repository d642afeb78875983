#!/usr/bin/env bash
# Brings a clone of the jobs repository to the head of its branch, discarding local
# changes (the clone is configuration, never edited in place). Used by the job
# factory-config-reload on the controller's clone.
#
#   update-repo.sh DIR    (branch: FACTORY_JOBS_REPO_BRANCH, default main; remote: origin)
# Prints the commit it moved to.
set -euo pipefail
dir="${1:?usage: $0 DIR}"
branch="${FACTORY_JOBS_REPO_BRANCH:-main}"
git -C "$dir" rev-parse --git-dir >/dev/null 2>&1 || { echo "$0: $dir is not a git clone" >&2 && exit 1; }
before="$(git -C "$dir" rev-parse HEAD)"
git -C "$dir" fetch --quiet --prune origin "$branch"
git -C "$dir" checkout --quiet --force -B "$branch" FETCH_HEAD
git -C "$dir" clean --quiet -fdx
after="$(git -C "$dir" rev-parse HEAD)"
echo "jobs repository $dir: $before -> $after ($branch)" >&2
echo "$after"

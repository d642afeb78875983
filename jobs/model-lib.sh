# shellcheck shell=bash
# The factory's resolved model for the job scripts (sourced, never run): the file
# `factory templates` writes for each environment, jobs/build-hosts/<env>/factory.json of
# this checkout, or FACTORY_MODEL. The stages (lib.sh, run-stage.sh), the reaper and
# push-web.sh take their defaults from it through these two functions; each says in its
# own words what is missing.
MODEL_JOBS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# model_file — the model file's path: FACTORY_MODEL, else this checkout's for FACTORY_ENV;
# nothing when neither is set.
model_file() {
  if [ -n "${FACTORY_MODEL:-}" ]; then
    printf '%s\n' "$FACTORY_MODEL"
  elif [ -n "${FACTORY_ENV:-}" ]; then
    printf '%s\n' "$MODEL_JOBS_DIR/build-hosts/$FACTORY_ENV/factory.json"
  fi
}

# model_get KEY.PATH — one value of the model file (fails, naming the key, when it has none).
model_get() {
  python3 "$MODEL_JOBS_DIR/stages/catalogue.py" get "$(model_file)" "$1"
}

#!/usr/bin/env python3
"""Validates cloud-config files with cloud-init's own schema, all in one process.

Does what `cloud-init schema --config-file FILE` does for each file (the same
validate_cloudconfig_file() call), and is stricter in two ways the CLI is not: an
unknown top-level key is an error (cloud-init ignores it with a warning), and so is a
deprecated key. Prints one JSON object: {file: [problem, ...]}; exit 0 when all are clean.

usage: check-cloud-config.py FILE...
"""
import contextlib
import io
import json
import sys

from cloudinit import safeyaml
from cloudinit.config.schema import (
    SchemaValidationError,
    get_schema,
    validate_cloudconfig_file,
    validate_cloudconfig_schema,
)


def known_top_level_keys(schema):
    """Every property any module's schema (and the base config) defines."""
    keys = set()
    defs = schema.get("$defs", {})
    for ref in schema.get("allOf", []):
        name = ref.get("$ref", "").rsplit("/", 1)[-1]
        keys.update(defs.get(name, {}).get("properties", {}).keys())
    return keys


def problems_of(path, schema, known):
    problems = []
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            validate_cloudconfig_file(path, schema)
    except SchemaValidationError as e:
        problems.extend(f"{p.path}: {p.message}" for p in e.schema_errors)
    except Exception as e:  # not YAML, not a dict, missing header...
        return [str(e)]
    with open(path, "rb") as f:
        config = safeyaml.load(f.read())
    for key in sorted(set(config) - known):
        problems.append(f"{key}: unknown top-level key (cloud-init would ignore it)")
    try:
        validate_cloudconfig_schema(config, schema, strict=True, log_deprecations=False)
    except SchemaValidationError as e:
        problems.extend(f"{p.path}: deprecated: {p.message}" for p in e.schema_deprecations)
    return problems


def main(paths):
    schema = get_schema()
    known = known_top_level_keys(schema)
    if not known:
        print("check-cloud-config: cloud-init's schema defines no keys", file=sys.stderr)
        return 2
    result = {path: problems_of(path, schema, known) for path in paths}
    print(json.dumps(result, indent=1))
    return 1 if any(result.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

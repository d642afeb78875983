#!/usr/bin/env python3
"""Writes the record of one build (build-record.schema.json) at the end of the pipeline.

  record.py build --result R --job J --number N [--requester U] [--started-at MS]
      the build FACTORY_BUILD_ID: appended to $FACTORY_BUILDS_ROOT/stats/<image>.jsonl and
      kept as $FACTORY_LOCAL_DIR/record.json (what the result mail is made from)
  record.py initialize-failed --image NAME --result R --job J --number N [...]
      a build whose stage 1 failed before it made a build id

R is Jenkins' result (SUCCESS, FAILURE, ABORTED, UNSTABLE, NOT_BUILT); MS the build's start
in milliseconds since the epoch (currentBuild.startTimeInMillis).

Runs on the controller, from the build's local snapshot. What it takes from the
controller's local directory (build.env, entry.json, its stages' events, test results,
publish request) is the controller's own; what it takes from the build directory on NFS
(the build-host stages' events, image-size.json) is data a build host wrote: validated
field by field, never followed through a symlink, and it can only ever say something
about that build's own statistics.
"""
import argparse
import json
import os
import re
import sys
from datetime import datetime, timezone

import records

FACTORY_BUILDS_ROOT = records.factory_path("FACTORY_BUILDS_ROOT", "roles.nfs.paths.builds")
FACTORY_LOCAL_ROOT = records.factory_path("FACTORY_LOCAL_ROOT", "roles.jenkins.paths.localBuilds")
RECORDS_DIR = "stats"  # below FACTORY_BUILDS_ROOT
LOCK = os.path.join(FACTORY_LOCAL_ROOT, ".stats.lock")

TIME = re.compile(records.SCHEMA["definitions"]["time"]["pattern"])
STAGE = re.compile(records.SCHEMA["definitions"]["stageName"]["pattern"])
BUILD_ID = re.compile(records.SCHEMA["properties"]["buildId"]["pattern"])
RESULTS = {"SUCCESS": "success", "FAILURE": "failure", "ABORTED": "aborted", "UNSTABLE": "unstable", "NOT_BUILT": "not_built"}
# Exit codes the stage scripts give a meaning other than failure (see their headers).
EXIT_MEANINGS = {("02", 75): "waiting", ("04", 3): "unchanged"}
MAX_EVENTS = 2000


def fail(message):
    print(f"record.py: {message}", file=sys.stderr)
    sys.exit(1)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now():
    return iso(datetime.now(timezone.utc))


def from_millis(ms):
    return iso(datetime.fromtimestamp(int(ms) / 1000, timezone.utc))


def key_values(text):
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key] = value
    return values


def events(data, host):
    """The stage wrapper's events (run-stage.sh) in one file; malformed lines are dropped."""
    found = []
    for raw in (data or b"").split(b"\n")[:MAX_EVENTS]:
        try:
            e = json.loads(raw)
        except ValueError:
            continue
        if not (isinstance(e, dict) and e.get("v") == 1 and isinstance(e.get("stage"), str) and STAGE.match(e["stage"])
                and e.get("event") in ("start", "end") and isinstance(e.get("at"), str) and TIME.match(e["at"])):
            continue
        if e["event"] == "end":
            code = e.get("exit")
            if not (isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 255):
                continue
            if e.get("signal") not in (None, "TERM", "INT", "HUP"):
                continue
        found.append({**e, "host": host})
    return found


def runs(all_events):
    """Start and end events paired into the runs of each stage, in the order they started."""
    ordered = sorted(enumerate(all_events), key=lambda p: (p[1]["at"], p[0]))
    result, open_runs = [], {}
    for _, e in ordered:
        if e["event"] == "start":
            run = {"stage": e["stage"], "host": e["host"], "startedAt": e["at"], "endedAt": None, "exitCode": None, "signal": None, "result": "unfinished"}
            open_runs[e["stage"]] = run  # a start before the last one's end: that one stays unfinished
            result.append(run)
            continue
        run = open_runs.get(e["stage"])
        if run is None or run["host"] != e["host"]:
            continue
        del open_runs[e["stage"]]
        code, signal = e["exit"], e.get("signal")
        run.update(endedAt=e["at"], exitCode=code, signal=signal)
        if signal:
            run["result"] = "aborted"
        elif code == 0:
            run["result"] = "success"
        else:
            run["result"] = EXIT_MEANINGS.get((e["stage"][:2], code), "failure")
    return result


def failed_stage(stage_runs, result):
    for run in stage_runs:
        if run["result"] in ("failure", "aborted"):
            return run["stage"]
    if result in ("failure", "aborted"):
        for run in stage_runs:
            if run["result"] == "unfinished":
                return run["stage"]
    return None


def image_size(data):
    """image-size.json of stage 7 (on NFS): two whole numbers, or nulls."""
    size = {"virtualBytes": None, "diskBytes": None}
    try:
        given = json.loads(data) if data else {}
    except ValueError:
        return size
    if isinstance(given, dict):
        for key in size:
            v = given.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**53 - 1:
                size[key] = v
    return size


def check_name(description):
    # "- key login as linux": the TAP description without its dash, printable, bounded.
    text = re.sub(r"[\x00-\x1f\x7f]", " ", description).strip()
    return (text[2:] if text.startswith("- ") else text).strip()[:200] or "(unnamed)"


def tests(tap_text):
    """Passed, failed and skipped checks by name, from the suite's TAP (jobs/image-tests/run.sh)."""
    from tap.parser import Parser

    found = {"passed": [], "failed": [], "skipped": []}
    for line in Parser().parse_text(tap_text):
        if line.category != "test":
            continue
        kind = "skipped" if line.skip else "passed" if line.ok else "failed"
        if len(found[kind]) < 500:
            found[kind].append(check_name(line.description))
    return found


def read_local(local_dir, name, limit=1 << 24):
    try:
        with open(os.path.join(local_dir, name), "rb") as f:
            return f.read(limit)
    except FileNotFoundError:
        return None


def build_record(args):
    build_id = os.environ.get("FACTORY_BUILD_ID", "")
    if not BUILD_ID.match(build_id):
        fail(f"FACTORY_BUILD_ID {build_id!r} is not a build id")
    local_dir = os.environ.get("FACTORY_LOCAL_DIR") or os.path.join(FACTORY_LOCAL_ROOT, build_id)
    build_env = read_local(local_dir, "build.env")
    entry = read_local(local_dir, "entry.json")
    if build_env is None or entry is None:
        fail(f"{local_dir} has no build.env or entry.json (did stage 1 run on this controller?)")
    env = key_values(build_env.decode())
    name = json.loads(entry)["name"]
    result = RESULTS[args.result]

    all_events = events(read_local(local_dir, "stages.jsonl"), "controller")
    controller_stages = {e["stage"] for e in all_events}
    # A build host's events count for the stages the controller did not run itself.
    from_host = events(records.read_untrusted(FACTORY_BUILDS_ROOT, build_id, "logs", "stages.jsonl"), "build-host")
    all_events += [e for e in from_host if e["stage"] not in controller_stages]
    stage_runs = runs(all_events)

    tap = read_local(local_dir, f"{name}-test-results.tap")
    publish = read_local(local_dir, "publish-request.json")
    last_13 = [r for r in stage_runs if r["stage"].startswith("13-")][-1:]
    published = bool(publish) and json.loads(publish).get("status") == "published" and [r["result"] for r in last_13] == ["success"]
    started = from_millis(args.started_at) if args.started_at else (stage_runs[0]["startedAt"] if stage_runs else now())
    record = {
        "version": records.VERSION,
        "image": name,
        "buildId": build_id,
        "jenkins": {"job": args.job, "number": args.number},
        "environment": env.get("FACTORY_ENV") or None,
        "commit": env.get("GIT_COMMIT") or None,
        "template": env.get("TEMPLATE") or None,
        "requester": args.requester,
        "result": result,
        "startedAt": started,
        "endedAt": now(),
        "failedStage": failed_stage(stage_runs, result),
        "stages": stage_runs,
        "size": image_size(records.read_untrusted(FACTORY_BUILDS_ROOT, build_id, "image-size.json", limit=4096)),
        "tests": tests(tap.decode("utf-8", "replace")) if tap is not None else None,
        "published": published,
    }
    save(record)
    with open(os.path.join(local_dir, "record.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
        f.write("\n")


def initialize_failed(args):
    if not records.IMAGE_NAME.match(args.image):
        fail(f"image {args.image!r} is not a catalogue name; no record")
    started = from_millis(args.started_at) if args.started_at else now()
    result = RESULTS[args.result]
    run = {"stage": "01-initialize", "host": "controller", "startedAt": started, "endedAt": now(), "exitCode": None, "signal": None,
           "result": "aborted" if result == "aborted" else "failure"}
    save({
        "version": records.VERSION, "image": args.image, "buildId": None, "jenkins": {"job": args.job, "number": args.number},
        "environment": os.environ.get("FACTORY_ENV") or None, "commit": None, "template": None, "requester": args.requester,
        "result": result, "startedAt": started, "endedAt": run["endedAt"], "failedStage": "01-initialize", "stages": [run],
        "size": {"virtualBytes": None, "diskBytes": None}, "tests": None, "published": False,
    })


def save(record):
    try:
        records.append(FACTORY_BUILDS_ROOT, RECORDS_DIR, record, LOCK)
    except records.RecordError as e:
        fail(f"refusing to write an invalid record: {e}")
    except OSError as e:
        fail(f"cannot append to {FACTORY_BUILDS_ROOT}/{RECORDS_DIR}/{record['image']}.jsonl: {e}")
    print(f"record.py: {record['image']} {record['buildId'] or '(no build id)'}: {record['result']}"
          f"{', failed in ' + record['failedStage'] if record['failedStage'] else ''}; appended to {FACTORY_BUILDS_ROOT}/{RECORDS_DIR}/{record['image']}.jsonl",
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(prog="record.py")
    sub = parser.add_subparsers(dest="command", required=True)
    for command, run in (("build", build_record), ("initialize-failed", initialize_failed)):
        p = sub.add_parser(command)
        if command == "initialize-failed":
            p.add_argument("--image", required=True)
        p.add_argument("--result", required=True, choices=sorted(RESULTS))
        p.add_argument("--job", required=True)
        p.add_argument("--number", required=True, type=int)
        p.add_argument("--requester", default="unknown")
        p.add_argument("--started-at", type=int, help="milliseconds since the epoch")
        p.set_defaults(run=run)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

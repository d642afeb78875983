#!/usr/bin/env python3
"""The body of a build's result mail, from its record (record.py build wrote it).

  mail.py [--console URL] [--lines N]

Prints the mail for FACTORY_BUILD_ID: the result; for a failed or aborted build the stage
that failed and the first N lines (default 20) of its log; stage times, image size, test
results and where to find the logs, the image and the report. The pipeline sends it to
the image's owner (catalogue `owner`), the owners in NOTIFY and the requester, the team
in CC (jenkins.mail.teamEmail).

A build-host stage's log is on NFS, written by the build host: it is read without
following symlinks, stripped of control characters, and every "$" that would start one
of email-ext's token macros (${BUILD_LOG}, $PROJECT_NAME, ...) is doubled: email-ext
expands tokens in the body, and the log must stay text.
"""
import argparse
import json
import os
import re
import sys

import records

FACTORY_BUILDS_ROOT = records.factory_path("FACTORY_BUILDS_ROOT", "roles.nfs.paths.builds")
FACTORY_LOCAL_ROOT = records.factory_path("FACTORY_LOCAL_ROOT", "roles.jenkins.paths.localBuilds")
FACTORY_IMAGES_ROOT = records.factory_path("FACTORY_IMAGES_ROOT", "roles.nfs.paths.images")
CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")
# token-macro's grammar: $$NAME and $${NAME...} are escapes for $NAME and ${NAME...}
TOKEN_START = re.compile(r"\$(?=\{?[A-Za-z_])")


def no_tokens(text):
    return TOKEN_START.sub("$$", text)


def duration(seconds):
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s"


def seconds_between(start, end):
    from datetime import datetime

    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def log_lines(record, stage, count):
    """(path, first lines, lines in all) of a stage's log, or (path, None, 0)."""
    run = next(r for r in record["stages"] if r["stage"] == stage)
    build_id, name = record["buildId"], f"{stage}.log"
    root = FACTORY_LOCAL_ROOT if run["host"] == "controller" else FACTORY_BUILDS_ROOT
    data = records.read_untrusted(root, build_id, "logs", name, limit=16 << 20)
    where = os.path.join(root, build_id, "logs", name)
    if data is None:
        return where, None, 0
    lines = data.decode("utf-8", "replace").splitlines()
    return where, [CONTROL.sub("", line)[:300] for line in lines[:count]], len(lines)


def body(record, entry, console, count):
    out = []
    image, build_id, result = record["image"], record["buildId"], record["result"].upper()
    out.append(f"{image} build {build_id}: {result}")
    failed = record["failedStage"]
    if failed:
        run = next(r for r in record["stages"] if r["stage"] == failed)
        took = f" after {duration(seconds_between(run['startedAt'], run['endedAt']))}" if run["endedAt"] else ""
        how = "was aborted" if run["result"] == "aborted" else "did not end" if run["result"] == "unfinished" else "failed"
        out.append(f"Stage {failed} ({run['host']}) {how}{took}.")
        where, lines, total = log_lines(record, failed, count)
        out.append("")
        if lines is None:
            out.append(f"Its log ({where}) is not there.")
        elif total == 0:
            out.append(f"Its log ({where}) is empty.")
        else:
            out.append(f"The first {min(count, total)} of {total} lines of its log ({where}):")
            out.extend(f"    {line}" for line in lines)
            if total > count:
                out.append(f"    ... ({total - count} more lines)")
    elif record["result"] in ("failure", "aborted", "unstable"):
        out.append("No stage script failed: the pipeline itself did (see the console).")
    out.append("")
    out.append(f"Requested by {record['requester']}; commit {record['commit'] or '-'}; template {record['template'] or '-'}; "
               f"published: {'yes' if record['published'] else 'no'}.")
    took = seconds_between(record["startedAt"], record["endedAt"])
    out.append(f"Build time {duration(took)}:")
    for run in record["stages"]:
        span = duration(seconds_between(run["startedAt"], run["endedAt"])) if run["endedAt"] else "-"
        out.append(f"    {run['stage']:<24} {span:>14}  {run['result']}")
    size = record["size"]
    if size["diskBytes"] is not None:
        virtual = f", {size['virtualBytes'] / 1024**3:.2f} GiB virtual" if size["virtualBytes"] is not None else ""
        out.append(f"Image: {size['diskBytes'] / 1024**3:.2f} GiB file{virtual}.")
    tests = record["tests"]
    if tests is not None:
        failed_checks = f" Failed: {'; '.join(tests['failed'])}." if tests["failed"] else ""
        out.append(f"Image tests: {len(tests['passed'])} passed, {len(tests['failed'])} failed, {len(tests['skipped'])} skipped.{failed_checks}")
    out.append("")
    if console:
        out.append(f"Console: {console}")
    out.append(f"Detailed logs: {FACTORY_BUILDS_ROOT}/{build_id}/logs (build host), {FACTORY_LOCAL_ROOT}/{build_id}/logs (controller)")
    out.append(f"Results: {FACTORY_IMAGES_ROOT}/{image}/{build_id}")
    web = (entry.get("factory") or {}).get("webBaseUrl")
    if web:
        out.append(f"Statistics: {web}/stats/ (this build: {web}/stats/builds/{build_id}.html)")
    return no_tokens("\n".join(CONTROL.sub("", line) for line in out) + "\n")


def main():
    parser = argparse.ArgumentParser(prog="mail.py")
    parser.add_argument("--console", default="", help="the build's console URL")
    parser.add_argument("--lines", type=int, default=20, help="how many lines of the failed stage's log (default 20)")
    args = parser.parse_args()
    build_id = os.environ.get("FACTORY_BUILD_ID", "")
    local_dir = os.environ.get("FACTORY_LOCAL_DIR") or os.path.join(FACTORY_LOCAL_ROOT, build_id)
    try:
        with open(os.path.join(local_dir, "record.json"), encoding="utf-8") as f:
            record = json.load(f)
        with open(os.path.join(local_dir, "entry.json"), encoding="utf-8") as f:
            entry = json.load(f)
    except OSError as e:
        print(f"mail.py: {e}", file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(body(record, entry, args.console, args.lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The build statistics report: a static HTML page with SVG charts, published with the images.

  report.py [--out DIR] [--now TIME] [--last N]

Reads every record in $FACTORY_BUILDS_ROOT/stats/*.jsonl (records.py: a line that is no
valid record is skipped and named, on stderr and on the page) and writes the report to
--out (default $FACTORY_IMAGES_ROOT/stats, the tree the web servers get: /stats/ there):
  index.html                 summary per image, the charts, the slower stages, the last builds
  *.svg                      the charts (matplotlib), times in UTC, units on every axis
  builds/<build-id>.html     the last builds: their stages and the start and end of each log
The page needs no JavaScript and loads nothing from elsewhere. Links to a build's
signature and test results go to the image tree beside it (../<image>/<build-id>/), and
only when those files are there.

The report is built in a new directory beside --out and then put in place, so readers
never see half a report. Everything on NFS is data a build host may have written: text
reaches the page only through Jinja2's autoescaping (and matplotlib's SVG writer), logs
are read without following symlinks, and nothing is written through a path that existed
before (O_EXCL | O_NOFOLLOW in a directory made for this run). Runs on the controller,
from the build's local snapshot, under the lock record.py takes.
"""
import argparse
import io
import os
import re
import shutil
import stat
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import records

FACTORY_BUILDS_ROOT = records.factory_path("FACTORY_BUILDS_ROOT", "roles.nfs.paths.builds")
FACTORY_LOCAL_ROOT = records.factory_path("FACTORY_LOCAL_ROOT", "roles.jenkins.paths.localBuilds")
FACTORY_IMAGES_ROOT = records.factory_path("FACTORY_IMAGES_ROOT", "roles.nfs.paths.images")
RECORDS_DIR = "stats"
HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1024**3
WINDOW = timedelta(days=28)
LOG_HEAD_LINES, LOG_TAIL_LINES, LOG_LINE_CHARS = 60, 60, 400
SUCCESSFUL = {"success"}
COUNTED = {"success", "failure", "aborted", "unstable"}  # not_built: nothing was built


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc(dt):
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt else "–"


def minutes(seconds):
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s"


def gib(n):
    return "–" if n is None else f"{n / GIB:.2f} GiB"


def percent(part, whole):
    return "–" if not whole else f"{100 * part / whole:.0f} %"


def week_of(dt):
    day = dt.date() - timedelta(days=dt.weekday())
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


class Build:
    """A record with what the report computes from it."""

    def __init__(self, record):
        self.record = record
        self.image = record["image"]
        self.id = record["buildId"]
        self.result = record["result"]
        self.start = parse_time(record["startedAt"])
        self.end = parse_time(record["endedAt"])
        self.seconds = max(0.0, (self.end - self.start).total_seconds())
        self.stages = defaultdict(float)
        for run in record["stages"]:
            if run["endedAt"]:
                self.stages[run["stage"]] += max(0.0, (parse_time(run["endedAt"]) - parse_time(run["startedAt"])).total_seconds())
        self.other = max(0.0, self.seconds - sum(self.stages.values()))
        self.disk = record["size"]["diskBytes"]
        self.virtual = record["size"]["virtualBytes"]
        self.tests = record["tests"]
        self.week = week_of(self.end)


# --- charts ------------------------------------------------------------------------------

def pyplot():
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays text: selectable, searchable, small
        "svg.hashsalt": "factory-report",  # the same records give the same bytes
        "text.parse_math": False,  # a "$" in a name is a dollar sign
        "timezone": "UTC",
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 96,
    })
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    return plt, mdates


def date_axis(ax, mdates, label):
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(label)


def save(fig, plt, out_fd, name):
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    write(out_fd, name, buffer.getvalue())


def stage_colors(plt, stages):
    palette = plt.get_cmap("tab20").colors
    return {s: palette[i % len(palette)] for i, s in enumerate(stages)} | {"other": (0.75, 0.75, 0.75)}


def chart_duration(plt, mdates, builds, images, stages, out_fd):
    colors = stage_colors(plt, stages)
    fig, axes = plt.subplots(len(images), 1, figsize=(9, 1.2 + 1.9 * len(images)), sharex=True, squeeze=False)
    for ax, image in zip(axes[:, 0], images):
        ok = [b for b in builds if b.image == image and b.result in SUCCESSFUL]
        ax.set_title(f"{image}: successful builds, weekly mean", loc="left")
        ax.set_ylabel("duration (minutes)")
        if not ok:
            ax.text(0.5, 0.5, "no successful build yet", transform=ax.transAxes, ha="center", va="center")
            continue
        weeks = sorted({b.week for b in ok})
        per_week = {w: [b for b in ok if b.week == w] for w in weeks}
        # One stepped band per stage, stacked: each week's mean, up to the next week with builds.
        edges = mdates.date2num(weeks + [weeks[-1] + timedelta(days=7)])
        lower = [0.0] * len(weeks)
        for s in stages + ["other"]:
            values = [statistics.fmean(b.other if s == "other" else b.stages.get(s, 0.0) for b in per_week[w]) / 60 for w in weeks]
            upper = [a + b for a, b in zip(lower, values)]
            if any(values):
                ax.stairs(upper, edges, baseline=lower, fill=True, color=colors[s], linewidth=0)
            lower = upper
        ax.xaxis_date()
        ax.set_ylim(bottom=0)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[s]) for s in stages + ["other"]]
    labels = stages + ["other (waiting, agent start, Jenkins)"]
    fig.legend(handles, labels, loc="upper center", ncol=4, frameon=False, bbox_to_anchor=(0.5, 1.0 + 0.5 / (1.2 + 1.9 * len(images))))
    date_axis(axes[-1, 0], mdates, "week (UTC)")
    save(fig, plt, out_fd, "duration.svg")


def chart_success(plt, mdates, builds, images, colors, out_fd):
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for image in images:
        counted = [b for b in builds if b.image == image and b.result in COUNTED]
        if not counted:
            continue
        weeks = sorted({b.week for b in counted})
        rate = [100 * sum(b.result in SUCCESSFUL for b in counted if b.week == w) / sum(1 for b in counted if b.week == w) for w in weeks]
        total = sum(b.result in SUCCESSFUL for b in counted)
        ax.plot(weeks, rate, marker="o", markersize=3, color=colors[image],
                label=f"{image} ({percent(total, len(counted))} of {len(counted)} builds)")
    ax.set_ylim(-3, 103)
    ax.set_ylabel("successful builds (% of the week's)")
    ax.set_title("Success rate per image and week (failed and aborted builds count against it)", loc="left")
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    date_axis(ax, mdates, "week (UTC)")
    save(fig, plt, out_fd, "success.svg")


def chart_size(plt, mdates, builds, images, colors, out_fd):
    fig, (disk, virtual) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    for image in images:
        for ax, attr in ((disk, "disk"), (virtual, "virtual")):
            sized = [b for b in builds if b.image == image and getattr(b, attr) is not None]
            weeks = sorted({b.week for b in sized})
            if not weeks:
                continue
            sizes = [statistics.median(getattr(b, attr) for b in sized if b.week == w) / GIB for w in weeks]
            ax.plot(weeks, sizes, marker="o", markersize=3, color=colors[image], label=image)
    disk.set_title("Image size: the qcow2 file (compressed), weekly median", loc="left")
    disk.set_ylabel("file size (GiB)")
    virtual.set_title("Image size: the virtual disk, weekly median", loc="left")
    virtual.set_ylabel("virtual size (GiB)")
    for ax in (disk, virtual):
        ax.set_ylim(bottom=0)
    if disk.get_legend_handles_labels()[0]:
        disk.legend(loc="lower left", fontsize=8, framealpha=0.9)
    date_axis(virtual, mdates, "week of the build (UTC)")
    save(fig, plt, out_fd, "size.svg")


def chart_checks(plt, builds, images, colors, out_fd, top=12):
    failed = Counter()
    by_image = defaultdict(Counter)
    for b in builds:
        for check in set((b.tests or {}).get("failed", [])):
            failed[check] += 1
            by_image[check][b.image] += 1
    checks = [c for c, _ in failed.most_common(top)]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.32 * max(len(checks), 3)))
    ax.set_title("Checks that failed most (image test suite)", loc="left")
    ax.set_xlabel("builds in which the check failed (count)")
    ax.set_ylabel("check")
    if not checks:
        ax.text(0.5, 0.5, "no check has failed", transform=ax.transAxes, ha="center", va="center")
        ax.set_yticks([])
    else:
        y = list(range(len(checks)))[::-1]
        left = [0] * len(checks)
        for image in images:
            counts = [by_image[c][image] for c in checks]
            if any(counts):
                ax.barh(y, counts, left=left, color=colors[image], label=image, height=0.7)
                left = [a + b for a, b in zip(left, counts)]
        ax.set_yticks(y)
        ax.set_yticklabels(checks)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    save(fig, plt, out_fd, "checks.svg")
    return [(c, failed[c]) for c in checks]


# --- tables ------------------------------------------------------------------------------

def median_or_none(values):
    values = list(values)
    return statistics.median(values) if values else None


def stage_changes(builds, images, stages, now):
    """Per image and stage: median of successful builds in the last 28 days vs the 28 before."""
    changes = []
    for image in images:
        ok = [b for b in builds if b.image == image and b.result in SUCCESSFUL]
        recent = [b for b in ok if now - WINDOW <= b.end <= now]
        before = [b for b in ok if now - 2 * WINDOW <= b.end < now - WINDOW]
        if not recent or not before:
            continue
        for s in stages + ["other"]:
            get = (lambda b: b.other) if s == "other" else (lambda b, s=s: b.stages.get(s, 0.0))
            was, now_ = statistics.median(map(get, before)), statistics.median(map(get, recent))
            changes.append({"image": image, "stage": s, "before": was, "now": now_, "change": now_ - was, "builds": (len(before), len(recent))})
    return changes


def noticeable(change):
    """Slower by a minute and a tenth at least: less is noise between builds."""
    return change["change"] >= max(60.0, 0.1 * change["before"])


def summary(builds, images, changes, now):
    rows = []
    for image in images:
        mine = [b for b in builds if b.image == image]
        recent = [b for b in mine if b.end >= now - WINDOW and b.result in COUNTED]
        before = [b for b in mine if now - 2 * WINDOW <= b.end < now - WINDOW and b.result in COUNTED]
        ok_recent = [b for b in recent if b.result in SUCCESSFUL]
        ok_before = [b for b in before if b.result in SUCCESSFUL]
        slower = max((c for c in changes if c["image"] == image and noticeable(c)), key=lambda c: c["change"], default=None)
        sized = sorted((b for b in mine if b.disk is not None), key=lambda b: b.end)
        older = [b for b in sized if b.end <= now - timedelta(days=90)]
        last = max(mine, key=lambda b: b.end)
        rows.append({
            "image": image,
            "builds": len(recent),
            "success": percent(len(ok_recent), len(recent)),
            "success_before": percent(len(ok_before), len(before)),
            "failing": bool(recent) and len(ok_recent) < 0.9 * len(recent),
            "duration": minutes(median_or_none(b.seconds for b in ok_recent)),
            "duration_before": minutes(median_or_none(b.seconds for b in ok_before)),
            "slower": slower,
            "size": gib(sized[-1].disk) if sized else "–",
            "size_change": f"{(sized[-1].disk - older[-1].disk) / GIB:+.2f} GiB" if sized and older else "–",
            "last": last,
        })
    return rows


def stage_runs(build):
    return [dict(run, started=parse_time(run["startedAt"]),
                 seconds=(parse_time(run["endedAt"]) - parse_time(run["startedAt"])).total_seconds() if run["endedAt"] else None)
            for run in build.record["stages"]]


# --- logs of the last builds ---------------------------------------------------------------

CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def excerpt(data):
    """The first and last lines of a log, printable and bounded."""
    if data is None:
        return None
    lines = [CONTROL.sub("", line)[:LOG_LINE_CHARS] for line in data.decode("utf-8", "replace").splitlines()]
    if len(lines) <= LOG_HEAD_LINES + LOG_TAIL_LINES:
        return {"head": lines, "omitted": 0, "tail": []}
    return {"head": lines[:LOG_HEAD_LINES], "omitted": len(lines) - LOG_HEAD_LINES - LOG_TAIL_LINES, "tail": lines[-LOG_TAIL_LINES:]}


def stage_log(build_id, run):
    name = f"{run['stage']}.log"
    if run["host"] == "controller":
        return records.read_untrusted(FACTORY_LOCAL_ROOT, build_id, "logs", name, limit=16 << 20)
    return records.read_untrusted(FACTORY_BUILDS_ROOT, build_id, "logs", name, limit=16 << 20)


def published_file(image, build_id, name):
    """The link to a file of the build in the image tree (../<image>/<id>/<name>), if it is there."""
    try:
        fd = records.open_dir(FACTORY_IMAGES_ROOT, image, build_id)
    except OSError:
        return None
    try:
        os.close(records.open_file(fd, name))
        return f"../{quote(image)}/{quote(build_id)}/{quote(name)}"
    except OSError:
        return None
    finally:
        os.close(fd)


# --- output --------------------------------------------------------------------------------

def write(dir_fd, name, text):
    """A new file (never through anything already at that name)."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def put_in_place(parent, name, new):
    """Replaces parent/name by the directory parent/new (whatever parent/name was)."""
    old = f".{name}-old-{os.getpid()}-{int(time.time())}"
    try:
        os.rename(name, old, src_dir_fd=parent, dst_dir_fd=parent)
    except FileNotFoundError:
        old = None
    os.rename(new, name, src_dir_fd=parent, dst_dir_fd=parent)
    if old:
        if stat.S_ISDIR(os.stat(old, dir_fd=parent, follow_symlinks=False).st_mode):
            shutil.rmtree(old, dir_fd=parent)
        else:
            os.unlink(old, dir_fd=parent)


def template_environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
        autoescape=True,  # every value from a record or a log is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(utc=utc, minutes=minutes, gib=gib, url=quote)
    return env


def generate(out, now, last_n, weeks, title):
    started = time.monotonic()
    try:
        records_fd = records.open_dir(FACTORY_BUILDS_ROOT, RECORDS_DIR)
    except FileNotFoundError:
        all_records, problems = [], []
    except OSError as e:  # a symlink (ELOOP) or a file there: not the controller's directory
        print(f"report.py: cannot read the records in {FACTORY_BUILDS_ROOT}/{RECORDS_DIR}: {e.strerror}", file=sys.stderr)
        sys.exit(1)
    else:
        try:
            all_records, problems = records.read_all(records_fd, f"{FACTORY_BUILDS_ROOT}/{RECORDS_DIR}")
        finally:
            os.close(records_fd)
    for p in problems:
        print(f"report.py: {p}", file=sys.stderr)
    builds = sorted((Build(r) for r in all_records), key=lambda b: b.end)
    now = now or datetime.now(timezone.utc)
    images = sorted({b.image for b in builds})
    stages = sorted({s for b in builds for s in b.stages})

    parent, name = os.path.split(os.path.abspath(out))
    parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    new = tempfile.mkdtemp(prefix=f".{name}-new-", dir=parent)
    os.chmod(new, 0o755)
    new_name = os.path.basename(new)
    try:
        out_fd = records.open_dir(parent, new_name)
        charts = []
        checks = []
        recent = [b for b in builds if b.end >= now - timedelta(weeks=weeks)]
        if recent:
            plt, mdates = pyplot()
            palette = plt.get_cmap("tab10").colors
            colors = {image: palette[i % len(palette)] for i, image in enumerate(images)}
            chart_duration(plt, mdates, recent, images, stages, out_fd)
            chart_success(plt, mdates, recent, images, colors, out_fd)
            chart_size(plt, mdates, recent, images, colors, out_fd)
            checks = chart_checks(plt, recent, images, colors, out_fd)
            charts = ["duration.svg", "success.svg", "size.svg", "checks.svg"]
        changes = stage_changes(builds, images, stages, now)
        last = builds[::-1][:last_n]
        env = template_environment()
        rows = []
        os.mkdir("builds", 0o755, dir_fd=out_fd)
        builds_fd = records.open_dir(parent, new_name, "builds")
        try:
            for b in last:
                row = {"build": b, "details": None, "signature": None, "results": None}
                if b.id:
                    row["signature"] = published_file(b.image, b.id, f"{b.image}.qcow2.asc")
                    row["results"] = published_file(b.image, b.id, f"{b.image}-test-results.tap")
                    logs = {}
                    for run in b.record["stages"]:
                        if run["stage"] not in logs:
                            logs[run["stage"]] = excerpt(stage_log(b.id, run))
                    write(builds_fd, f"{b.id}.html", env.get_template("build.html.j2").render(
                        title=title, build=b, row=row, runs=stage_runs(b), logs=logs, generated=now,
                        head_lines=LOG_HEAD_LINES, tail_lines=LOG_TAIL_LINES))
                    row["details"] = f"builds/{quote(b.id)}.html"
                rows.append(row)
        finally:
            os.close(builds_fd)
        write(out_fd, "index.html", env.get_template("report.html.j2").render(
            title=title, generated=now, builds=builds, images=images, summary=summary(builds, images, changes, now) if builds else [],
            charts=charts, checks=checks, changes=sorted(filter(noticeable, changes), key=lambda c: -c["change"])[:10], weeks=weeks,
            rows=rows, problems=problems, window_days=WINDOW.days))
        os.close(out_fd)
        put_in_place(parent_fd, name, new_name)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    finally:
        os.close(parent_fd)
    print(f"report.py: {len(builds)} builds of {len(images)} images, {len(problems)} lines skipped; "
          f"{out}/index.html in {time.monotonic() - started:.1f} s", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(prog="report.py")
    parser.add_argument("--out", default=os.path.join(FACTORY_IMAGES_ROOT, "stats"))
    parser.add_argument("--now", type=parse_time, help="the report's present, UTC (default: now); the 28-day windows end here")
    parser.add_argument("--weeks", type=int, default=26, help="how many weeks back the charts go (default 26)")
    parser.add_argument("--last", type=int, default=50, help="how many of the last builds the table lists (default 50)")
    parser.add_argument("--title", default=f"Image factory {os.environ.get('FACTORY_ENV', '')}".strip() + ": build statistics")
    args = parser.parse_args()
    with records.locked(os.path.join(FACTORY_LOCAL_ROOT, ".stats.lock")):
        generate(args.out, args.now, args.last, args.weeks, args.title)


if __name__ == "__main__":
    main()

"""Build records: the one schema (build-record.schema.json), appending, and reading back.

The records live on NFS (<builds root>/stats/<image>.jsonl), which build hosts can
write: to the controller every byte there is data. So files are opened without following
symlinks (O_NOFOLLOW on every path component below the given root, besides the controller's
nosymfollow mount), only regular files are read, sizes are bounded, and every line is
validated; a line that is not a valid record is skipped and named, never fatal.
"""
import fcntl
import json
import os
import re
import stat
from contextlib import contextmanager

import fastjsonschema

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build-record.schema.json")
with open(SCHEMA_FILE, encoding="utf-8") as _f:
    SCHEMA = json.load(_f)
VERSION = SCHEMA["properties"]["version"]["const"]
_validate = fastjsonschema.compile(SCHEMA)

IMAGE_NAME = re.compile(SCHEMA["properties"]["image"]["pattern"])
RECORD_FILE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]{0,63})\.jsonl$")
MAX_LINE = 1 << 20  # a record is a few kB; a longer line is not one
MAX_FILE = 1 << 30  # 10,000 builds take about 30 MB


class RecordError(ValueError):
    pass


def factory_path(variable, key):
    """A root the pipeline sets (FACTORY_BUILDS_ROOT, ...), else the factory model's KEY: the
    file `factory templates` wrote beside these scripts (jobs/build-hosts/$FACTORY_ENV/
    factory.json, or FACTORY_MODEL)."""
    if os.environ.get(variable):
        return os.environ[variable]
    jobs = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    model = os.environ.get("FACTORY_MODEL") or os.path.join(jobs, "build-hosts", os.environ.get("FACTORY_ENV", ""), "factory.json")
    try:
        with open(model, encoding="utf-8") as f:
            value = json.load(f)
    except OSError as e:
        raise SystemExit(f"{variable} is not set and the model file {model} cannot be read ({e.strerror}; is FACTORY_ENV set?)")
    for part in key.split("."):
        value = value[part]
    return value


def check(record):
    """Raises RecordError naming the first field that breaks the schema."""
    if isinstance(record, dict) and record.get("version", VERSION) != VERSION:
        raise RecordError(f"record version {str(record['version'])[:20]} is not {VERSION}, the one this reader knows")
    try:
        _validate(record)
    except fastjsonschema.JsonSchemaValueException as e:
        raise RecordError(e.message.replace("data.", "", 1).replace("data ", "record ", 1)) from None


# --- files that a build host may have replaced ----------------------------------------

def open_dir(root, *names, create=False):
    """A file descriptor of root/names..., no component below root being a symlink."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name in names:
            if create:
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = sub
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_file(dir_fd, name, flags=os.O_RDONLY, mode=0o644):
    """A regular file in dir_fd; a symlink, FIFO or device there is refused (OSError)."""
    fd = os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{name} is not a regular file")
    os.set_blocking(fd, True)
    return fd


def read_bounded(dir_fd, name, limit):
    """The bytes of a regular file, or None if it is missing, not regular, or over limit."""
    try:
        fd = open_file(dir_fd, name)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    return None if len(data) > limit else data


def read_untrusted(root, *path, limit=1 << 20):
    """read_bounded of root/path... with no symlink below root; None when unreadable."""
    try:
        fd = open_dir(root, *path[:-1])
    except OSError:
        return None
    try:
        return read_bounded(fd, path[-1], limit)
    finally:
        os.close(fd)


@contextmanager
def locked(lock_file):
    """The controller-local lock that serialises writers of the records and the report."""
    os.makedirs(os.path.dirname(lock_file), exist_ok=True)
    with open(lock_file, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


# --- writing and reading ----------------------------------------------------------------

def append(records_root, records_dir, record, lock_file):
    """Appends the record as one line to records_root/records_dir/<image>.jsonl."""
    check(record)
    line = (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    with locked(lock_file):
        dfd = open_dir(records_root, records_dir, create=True)
        try:
            fd = open_file(dfd, f"{record['image']}.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT)
        finally:
            os.close(dfd)
        try:
            # A crash may have left half a line: ours starts on a line of its own.
            size = os.fstat(fd).st_size
            if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            os.write(fd, line)
        finally:
            os.close(fd)


def read_all(records_dir_fd, label):
    """(records, problems) of every <image>.jsonl in the directory; label names it in problems."""
    records, problems = [], []
    for entry in sorted(os.scandir(records_dir_fd), key=lambda e: e.name):
        where = f"{label}/{entry.name}"
        m = RECORD_FILE.match(entry.name)
        if not m:
            if not entry.name.startswith("."):
                problems.append(f"{where}: not a record file (<image>.jsonl); ignored")
            continue
        data = read_bounded(records_dir_fd, entry.name, MAX_FILE)
        if data is None:
            problems.append(f"{where}: not a regular file of at most {MAX_FILE >> 20} MiB; ignored")
            continue
        lines = data.split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        for number, raw in enumerate(lines, 1):
            problem = None
            if len(raw) > MAX_LINE:
                problem = f"longer than {MAX_LINE} bytes"
            else:
                try:
                    record = json.loads(raw)
                except (ValueError, UnicodeDecodeError) as e:
                    truncated = number == len(lines) and not data.endswith(b"\n")
                    problem = "truncated (no end of line)" if truncated else f"not JSON ({e.__class__.__name__}: {e})"
                else:
                    try:
                        check(record)
                        if record["image"] != m.group(1):
                            raise RecordError(f"a record of image {record['image']!r} in the file of {m.group(1)}")
                    except RecordError as e:
                        problem = str(e)
            if problem:
                problems.append(f"{where}: line {number}: {problem[:300]}; skipped")
            else:
                records.append(record)
    return records, problems

"""npm run cloud -- up|down|status [--config FILE]... [--state-dir DIR]

up      installs the Debian packages if missing, configures, starts and bootstraps the local
        cloud for the environment files (default environments/example.yaml); idempotent.
        The last line of its output is the path of the clouds.yaml.
status  which processes run and answer, and their resident memory; exit 1 unless all run
        and answer. --cpu-seconds N also measures their CPU use over N seconds.
down    stops what up started and removes the state directory.

The state directory is $FACTORY_CLOUD_DIR, or /var/tmp/factory-cloud.
"""
import argparse
import faulthandler
import fcntl
import os
import shutil
import signal
import sys

from .context import log
from .state import DEFAULT_DIR, ENV_VAR, State


def _resolve(path):
    # npm runs scripts in the package's directory; a relative path means the caller's.
    return os.path.join(os.environ.get("INIT_CWD", os.getcwd()), path)


def main(argv):
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1` shows where a hung run is
    parser = argparse.ArgumentParser(prog="npm run cloud --", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--config", action="append", default=[], metavar="FILE",
                        help="environment file (repeatable); default: environments/example.yaml")
    parser.add_argument("--cpu-seconds", type=float, default=0, help="status: measure CPU use over this long")
    parser.add_argument("--state-dir", default=os.environ.get(ENV_VAR) or DEFAULT_DIR,
                        help=f"default: ${ENV_VAR} or {DEFAULT_DIR}")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        log("must run as root (packages, veth pairs, services)")
        return 1
    state = State(_resolve(args.state_dir))
    fresh = not state.exists()
    if args.command == "up":
        state.create()
    if state.exists():  # one command at a time per state directory
        lock = open(state.path("lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)
    from . import cloud
    try:
        if args.command == "up":
            files = [_resolve(f) for f in args.config] or [os.path.join(cloud.shapes.REPO, "environments", "example.yaml")]
            print(cloud.up(state, files), flush=True)
            return 0
        if args.command == "status":
            lines, ok = cloud.status(state, args.cpu_seconds)
            print("\n".join(lines))
            return 0 if ok else 1
        cloud.down(state)
        return 0
    except cloud.shapes.ShapeError as e:
        log(f"{args.command} failed: {e}")
        if fresh:  # nothing was started: leave nothing behind
            shutil.rmtree(state.root, ignore_errors=True)
        return 1
    except RuntimeError as e:
        log(f"{args.command} failed: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

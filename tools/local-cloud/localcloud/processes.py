"""Background processes of the local cloud: each in its own session (so its own process group),
with its own log and a run file recording its PID and start time, so that `down` stops exactly
the processes `up` started, and never a later process that happens to reuse a PID."""
import hashlib
import json
import os
import signal
import subprocess
import time


def fingerprint(argv, env):
    """What a process was started with: its command, environment and every configuration file
    these name (as arguments, or in environment values separated by ;)."""
    h = hashlib.sha256(json.dumps([argv, sorted((env or {}).items())]).encode())
    for token in [*argv, *[p for v in (env or {}).values() for p in v.split(";")]]:
        if os.path.isfile(token):
            with open(token, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def _stat(pid):
    """(session id, start time in clock ticks) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    if fields[0] == "Z":
        return None
    return int(fields[3]), int(fields[19])


class Processes:
    def __init__(self, run_dir, log_dir):
        self.run_dir = run_dir
        self.log_dir = log_dir

    def _record_path(self, name):
        return os.path.join(self.run_dir, f"{name}.json")

    def record(self, name):
        try:
            with open(self._record_path(name)) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def names(self):
        if not os.path.isdir(self.run_dir):
            return []
        return sorted(n[:-5] for n in os.listdir(self.run_dir) if n.endswith(".json"))

    def running(self, name):
        """True while the process `up` recorded under this name is alive (same PID, same start)."""
        rec = self.record(name)
        if not rec:
            return False
        st = _stat(rec["pid"])
        return st is not None and st[1] == rec["start"]

    def current(self, name, argv, env):
        """Running, and started with the configuration it would be started with now."""
        rec = self.record(name)
        return self.running(name) and rec.get("fingerprint") == fingerprint(argv, env)

    def log_path(self, name):
        return os.path.join(self.log_dir, f"{name}.log")

    def start(self, name, argv, env=None, cwd=None):
        """Starts argv in its own session, output appended to its log; records it."""
        os.makedirs(self.run_dir, exist_ok=True)
        os.makedirs(self.log_dir, exist_ok=True)
        log = open(self.log_path(name), "ab")
        log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} start: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True, close_fds=True,
        )
        log.close()
        st = _stat(proc.pid)
        rec = {"pid": proc.pid, "start": st[1] if st else 0, "argv": argv, "fingerprint": fingerprint(argv, env)}
        with open(self._record_path(name), "w") as f:
            json.dump(rec, f)
        return proc.pid

    def members(self, name):
        """PIDs of the live processes in the recorded process's session: it and its children,
        also children left behind by a leader that died. If the leader's PID now belongs to
        another process, that is someone else's session: nothing is ours."""
        rec = self.record(name)
        if not rec:
            return []
        sid = rec["pid"]
        leader = _stat(sid)
        if leader is not None and leader[1] != rec["start"]:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = _stat(int(entry))
                if st and st[0] == sid:
                    pids.append(int(entry))
        return pids

    def stop(self, name, grace=15.0):
        """SIGTERM to the process's session members, SIGKILL to what is left after `grace`."""
        pids = self.members(name)
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                pids = [p for p in pids if _stat(p) is not None]
                if not pids:
                    break
                time.sleep(0.2)
            if not pids:
                break
        try:
            os.unlink(self._record_path(name))
        except FileNotFoundError:
            pass
        return not pids

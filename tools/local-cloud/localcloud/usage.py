"""What the local cloud's processes cost: resident memory summed over every process `up`
started (with its children), and CPU time used over an interval, as a share of one core."""
import os
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return 0


def members(procs):
    return [pid for name in procs.names() for pid in procs.members(name)]


def rss_mib(procs):
    pids = members(procs)
    return len(pids), sum(_rss_kib(p) for p in pids) / 1024


def cpu_share(procs, seconds):
    """Share of one core the processes used over the next `seconds` (1.0: one core busy)."""
    pids = members(procs)
    before = {p: _cpu_ticks(p) for p in pids}
    t = time.monotonic()
    time.sleep(seconds)
    used = sum(max(0, _cpu_ticks(p) - before[p]) for p in pids) / _TICKS
    return used / (time.monotonic() - t)

"""Whether a service answers: a TCP port accepting, an HTTP API answering at all (any status
below 500, 401 included: the API runs and checks tokens)."""
import socket
import time
import urllib.error
import urllib.request

from . import ports


def tcp_open(port, host=ports.HOST):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def unix_socket_open(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(1)
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def http_answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status < 500
    except urllib.error.HTTPError as e:
        return e.code < 500
    except (OSError, ValueError):
        return False


def wait_for(what, check, timeout, interval=0.5, alive=None):
    """Polls check() until true; fails after timeout, or at once when alive() turns false."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if alive is not None and not alive():
            raise RuntimeError(f"{what} exited before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(interval)

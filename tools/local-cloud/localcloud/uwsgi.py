"""An OpenStack WSGI application under uwsgi, as Debian runs Keystone, Placement and the Nova
API. One thread per process (the apps keep sqlite connections per thread badly), and
`Connection: close` on every answer: uwsgi's http-socket does not keep connections alive, and
clients that reuse one see resets."""
import os

from . import ports
from .context import Proc
from .readiness import http_answers


def app(ctx, name, port, wsgi_file, env, processes=1, probe="/"):
    ini = ctx.state.etc(name, "uwsgi.ini")
    os.makedirs(os.path.dirname(ini), exist_ok=True)
    lines = [
        "[uwsgi]",
        "plugins = python3",
        f"http-socket = {ports.HOST}:{port}",
        f"wsgi-file = {wsgi_file}",
        "master = true",
        f"processes = {processes}",
        "threads = 1",
        "lazy-apps = true",
        "need-app = true",
        "die-on-term = true",
        "no-orphans = true",
        "buffer-size = 65535",
        "add-header = Connection: close",
        "disable-logging = true",  # request lines; the apps log what matters
        f"procname-prefix-spaced = {name}",
        *[f"env = {k}={v}" for k, v in env.items()],
        "",
    ]
    with open(ini, "w") as f:
        f.write("\n".join(lines))
    return Proc(name, ["uwsgi", "--ini", ini], ready=lambda: http_answers(ports.url(port, probe)))

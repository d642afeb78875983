"""Placement: the inventory Nova's scheduler claims resources from, under uwsgi. MariaDB:
concurrent claims of a deploy's servers are what sqlite's locking cannot take."""
import subprocess

from .. import inifile, ports, uwsgi


def _dir(ctx):
    return ctx.state.etc("placement")


def configure(ctx):
    inifile.write(ctx.state.etc("placement", "placement.conf"), {
        "DEFAULT": {"debug": False},
        "placement_database": {"connection": ctx.database("placement")},
        "api": {"auth_strategy": "keystone"},
        "keystone_authtoken": ctx.authtoken("placement"),
        **ctx.common("placement"),
    })


def prepare(ctx):
    subprocess.run(["placement-manage", "--config-dir", _dir(ctx), "db", "sync"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def processes(ctx):
    return [uwsgi.app(ctx, "placement", ports.PLACEMENT, "/usr/bin/placement-api",
                      {"OS_PLACEMENT_CONFIG_DIR": _dir(ctx)})]


def endpoints(ctx):
    return [("placement", "placement", ctx.region, ports.url(ports.PLACEMENT))]

"""Glance, one per region, each with its own image store and database: the main region's, where
servers boot from, and one for each further region (uploadRegions, images' regions), where the
factory copies what it publishes. sqlite, file store, the standalone glance-api."""
import os
import subprocess

from .. import inifile, ports
from ..context import Proc
from ..readiness import http_answers


def _name(region):
    return f"glance-{region}"


def _conf(ctx, region):
    return ctx.state.etc(_name(region), "glance-api.conf")


def configure(ctx):
    for i, region in enumerate(ctx.regions):
        name = _name(region)
        inifile.write(_conf(ctx, region), {
            "DEFAULT": {
                "debug": False,
                "bind_host": ports.HOST,
                "bind_port": ports.glance(i),
                "workers": 0,  # one process, no forked workers
                "node_staging_uri": "file://" + ctx.state.lib(name, "staging"),
                "image_cache_dir": ctx.state.lib(name, "cache"),
            },
            "database": {"connection": ctx.state.sqlite_url(name, "glance"), "sqlite_synchronous": False},
            "glance_store": {
                "stores": "file,http",
                "default_store": "file",
                "filesystem_store_datadir": ctx.state.lib(name, "images"),
            },
            "keystone_authtoken": ctx.authtoken("glance", region),
            "paste_deploy": {"flavor": "keystone", "config_file": "/etc/glance/glance-api-paste.ini"},
            **ctx.common(name),
        })


def prepare(ctx):
    for region in ctx.regions:
        marker = ctx.state.lib_file(_name(region), "db-synced")
        if not os.path.exists(marker):
            subprocess.run(["glance-manage", "--config-file", _conf(ctx, region), "db", "sync"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            open(marker, "w").close()


def processes(ctx):
    procs = []
    for i, region in enumerate(ctx.regions):
        port = ports.glance(i)
        procs.append(Proc(_name(region), ["glance-api", "--config-file", _conf(ctx, region)],
                          ready=lambda port=port: http_answers(ports.url(port))))
    return procs


def endpoints(ctx):
    return [("glance", "image", region, ports.url(ports.glance(i))) for i, region in enumerate(ctx.regions)]

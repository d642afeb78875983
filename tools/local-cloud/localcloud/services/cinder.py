"""Cinder: API, scheduler and one cinder-volume with a backend per availability zone, so a
volume can be created in every zone Nova has. The backends use Cinder's fake driver
(`cinder.tests.fake_driver.FakeLoggingVolumeDriver`, target helper `fake`, plus growing a
volume: localcloud/cinder_driver.py): volumes are records with no data behind them (this kernel
has no device-mapper for LVM). MariaDB (api, scheduler and volume write at once)."""
import os
import re
import subprocess

from .. import inifile, ports
from ..context import Proc
from ..readiness import http_answers


_HARNESS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _conf(ctx):
    return ctx.state.etc("cinder", "cinder.conf")


def backend(zone):
    return "fake-" + re.sub(r"[^A-Za-z0-9_-]+", "-", zone)


def configure(ctx):
    zones = ctx.zones
    backends = {
        backend(z): {
            "volume_driver": "localcloud.cinder_driver.FakeVolumeDriver",
            "volume_backend_name": backend(z),
            "backend_availability_zone": z,
            "target_helper": "fake",
        }
        for z in zones
    }
    inifile.write(_conf(ctx), {
        "DEFAULT": {
            "debug": False,
            "transport_url": ctx.transport_url(),
            "auth_strategy": "keystone",
            "my_ip": ports.HOST,
            "state_path": ctx.state.lib("cinder"),
            "osapi_volume_listen": ports.HOST,
            "osapi_volume_listen_port": ports.CINDER,
            "osapi_volume_workers": 1,
            "enabled_backends": list(backends),
            # A volume asked for without a zone lands in the first one (build hosts' scratch volumes).
            "default_availability_zone": zones[0],
            "storage_availability_zone": zones[0],
            "api_paste_config": "/etc/cinder/api-paste.ini",
        },
        "database": {"connection": ctx.database("cinder")},
        "keystone_authtoken": {
            **ctx.authtoken("cinder"),
            # Nova's detach carries a service token with the service role (CVE-2023-2088 fix).
            "service_token_roles": "service",
            "service_token_roles_required": True,
        },
        "nova": {**ctx.service_auth("cinder"), "interface": "public"},
        "coordination": {"backend_url": "file://" + ctx.state.lib("cinder", "coordination")},
        **ctx.common("cinder"),
        **backends,
    })


def prepare(ctx):
    subprocess.run(["cinder-manage", "--config-file", _conf(ctx), "db", "sync"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def processes(ctx):
    base = ["--config-file", _conf(ctx)]
    return [
        Proc("cinder-api", ["cinder-api", *base], ready=lambda: http_answers(ports.url(ports.CINDER))),
        Proc("cinder-scheduler", ["cinder-scheduler", *base]),
        # the harness's package, for its driver (and no bytecode written into the repository)
        Proc("cinder-volume", ["cinder-volume", *base], {"PYTHONPATH": _HARNESS, "PYTHONDONTWRITEBYTECODE": "1"}),
    ]


def endpoints(ctx):
    url = ports.url(ports.CINDER, "/v3/%(project_id)s")
    return [("cinderv3", "volumev3", ctx.region, url), ("cinder", "block-storage", ctx.region, url)]

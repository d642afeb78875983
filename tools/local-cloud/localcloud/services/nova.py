"""Nova: the API under uwsgi, conductor, scheduler and one nova-compute per fake compute host
(`compute_driver = fake.FakeDriver`: servers are records that go ACTIVE, nothing boots), each
with its own host name and state path, in a host aggregate per availability zone. MariaDB for
the API database, cell0 and cell1: on sqlite, the conductor's and the computes' concurrent
writes fail with "database is locked" (a server then stays in BUILD for good)."""
import subprocess

from .. import inifile, ports, uwsgi
from ..context import Proc


def _conf(ctx):
    return ctx.state.etc("nova", "nova.conf")


def _host_conf(ctx, host):
    return ctx.state.etc("nova", f"{host}.conf")


def configure(ctx):
    region = ctx.region
    db = ctx.database
    inifile.write(_conf(ctx), {
        "DEFAULT": {
            "debug": False,
            "transport_url": ctx.transport_url(),
            "my_ip": ports.HOST,
            "state_path": ctx.state.lib("nova"),
            "compute_driver": "fake.FakeDriver",
            "allow_resize_to_same_host": True,  # a flavor change may stay on its host
        },
        "api": {"auth_strategy": "keystone"},
        "api_database": {"connection": db("nova_api")},
        "database": {"connection": db("nova_cell1")},
        "keystone_authtoken": ctx.authtoken("nova"),
        # Debian carries the CVE-2023-2088 fix: Cinder detaches a volume only when Nova's
        # request carries a service token.
        "service_user": {"send_service_user_token": True, **ctx.service_auth("nova")},
        "placement": {**ctx.service_auth("nova"), "valid_interfaces": "public"},
        "neutron": {**ctx.service_auth("nova"), "valid_interfaces": "public"},
        "cinder": {**ctx.service_auth("nova"), "os_region_name": region, "catalog_info": "volumev3::publicURL"},
        "glance": {"region_name": region, "valid_interfaces": "public"},
        "conductor": {"workers": 1},
        "scheduler": {"workers": 1},
        "wsgi": {"api_paste_config": "/etc/nova/api-paste.ini"},
        "vnc": {"enabled": False},
        "os_vif_linux_bridge": {"use_ipv6": False},
        **ctx.common("nova"),
    })
    for host, _zone in ctx.compute_hosts():
        inifile.write(_host_conf(ctx, host), {"DEFAULT": {
            "host": host,
            "state_path": ctx.state.lib("nova", host),
            "instances_path": ctx.state.lib("nova", host, "instances"),
        }})


def _manage(ctx, *args, check=True):
    return subprocess.run(["nova-manage", "--config-file", _conf(ctx), *args], check=check,
                          capture_output=True, text=True)


def prepare(ctx):
    """The API database, cell0 and cell1 (once per state directory)."""
    _manage(ctx, "api_db", "sync")
    _manage(ctx, "cell_v2", "map_cell0", "--database_connection", ctx.database("nova_cell0"))
    if "cell1" not in _manage(ctx, "cell_v2", "list_cells").stdout:
        _manage(ctx, "cell_v2", "create_cell", "--name", "cell1")
    _manage(ctx, "db", "sync")


def discover_hosts(ctx):
    _manage(ctx, "cell_v2", "discover_hosts")


def processes(ctx):
    base = ["--config-file", _conf(ctx)]
    procs = [
        uwsgi.app(ctx, "nova-api", ports.NOVA, "/usr/bin/nova-api-wsgi",
                  # the first file is the paste pipeline, then the options (absolute paths)
                  {"OS_NOVA_CONFIG_FILES": f"/etc/nova/api-paste.ini;{_conf(ctx)}"}),
        Proc("nova-conductor", ["nova-conductor", *base]),
        Proc("nova-scheduler", ["nova-scheduler", *base]),
    ]
    for host, _zone in ctx.compute_hosts():
        procs.append(Proc(f"nova-compute-{host}", ["nova-compute", *base, "--config-file", _host_conf(ctx, host)]))
    return procs


def endpoints(ctx):
    return [("nova", "compute", ctx.region, ports.url(ports.NOVA, "/v2.1"))]

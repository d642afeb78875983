"""Keystone: identity for every service and tenant. sqlite, fernet tokens, under uwsgi."""
import os
import subprocess

from .. import inifile, ports, uwsgi
from ..readiness import http_answers


def _conf(ctx):
    return ctx.state.etc("keystone", "keystone.conf")


def configure(ctx):
    lib = ctx.state.lib("keystone")
    inifile.write(_conf(ctx), {
        "DEFAULT": {"debug": False},
        "database": {"connection": ctx.state.sqlite_url("keystone"), "sqlite_synchronous": False},
        "token": {"provider": "fernet", "expiration": 14400},
        "fernet_tokens": {"key_repository": os.path.join(lib, "fernet-keys")},
        "fernet_receipts": {"key_repository": os.path.join(lib, "fernet-receipts")},
        "credential": {"key_repository": os.path.join(lib, "credential-keys")},
        **ctx.common("keystone"),
    })


def _manage(ctx, *args):
    subprocess.run(["keystone-manage", "--config-file", _conf(ctx), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def prepare(ctx):
    """Schema and keys (once per state directory)."""
    _manage(ctx, "db_sync")
    for what in ("fernet_setup", "receipt_setup", "credential_setup"):
        _manage(ctx, what, "--keystone-user", "root", "--keystone-group", "root")


def bootstrap(ctx):
    """The admin user, project and roles, and the identity endpoints of the main region
    (keystone-manage bootstrap is idempotent)."""
    url = ports.url(ports.KEYSTONE, "/v3")
    _manage(ctx, "bootstrap", "--bootstrap-password", ctx.password("admin"),
            "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin", "--bootstrap-service-name", "keystone",
            "--bootstrap-region-id", ctx.region,
            "--bootstrap-admin-url", url, "--bootstrap-internal-url", url, "--bootstrap-public-url", url)


def processes(ctx):
    return [uwsgi.app(ctx, "keystone", ports.KEYSTONE, "/usr/bin/keystone-wsgi-public",
                      {"OS_KEYSTONE_CONFIG_FILES": _conf(ctx)}, processes=2, probe="/v3")]


def answers():
    return http_answers(ports.url(ports.KEYSTONE, "/v3"))

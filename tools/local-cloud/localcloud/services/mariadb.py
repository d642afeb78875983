"""MariaDB, for the services that many processes write at once: Neutron (its schema
migrations do not run on sqlite, and Terraform's parallel requests rely on row locks in its
IP allocation), Nova, Placement and Cinder (on sqlite, a deploy's concurrent writes failed
with "database is locked" and left a server in BUILD for good). Keystone and Glance keep sqlite. It listens on a unix
socket in the state directory only (no TCP port) and ignores /etc/mysql (--no-defaults)."""
import os
import subprocess

from ..context import Proc
from ..readiness import unix_socket_open


def socket_path(ctx):
    return ctx.state.lib_file("mariadb", "mysqld.sock")


def _datadir(ctx):
    return ctx.state.lib("mariadb", "data")


def _server_args(ctx):
    return [
        "--no-defaults", f"--datadir={_datadir(ctx)}", f"--socket={socket_path(ctx)}",
        "--skip-networking", "--user=root", f"--pid-file={ctx.state.lib_file('mariadb', 'mysqld.pid')}",
        "--innodb-buffer-pool-size=32M", "--performance-schema=off", "--skip-log-bin",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
        "--max-connections=300",
    ]


def configure(ctx):
    data = _datadir(ctx)
    if not os.path.exists(os.path.join(data, "mysql")):
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
             "--auth-root-authentication-method=socket", "--skip-test-db"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )


def processes(ctx):
    return [Proc("mariadb", ["mariadbd", *_server_args(ctx)], ready=lambda: unix_socket_open(socket_path(ctx)))]


DATABASES = ("neutron", "nova_api", "nova_cell0", "nova_cell1", "placement", "cinder")


def database(ctx, name):
    """Creates a database and its user (idempotent); returns its SQLAlchemy URL."""
    password = ctx.password(f"mariadb-{name}")
    sql = (
        f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET utf8mb4;"
        f"CREATE USER IF NOT EXISTS '{name}'@'localhost' IDENTIFIED BY '{password}';"
        f"GRANT ALL PRIVILEGES ON {name}.* TO '{name}'@'localhost';"
    )
    subprocess.run(["mariadb", "--no-defaults", f"--socket={socket_path(ctx)}", "-u", "root", "-e", sql],
                   check=True, capture_output=True)
    return f"mysql+pymysql://{name}:{password}@localhost/{name}?unix_socket={socket_path(ctx)}&charset=utf8mb4"

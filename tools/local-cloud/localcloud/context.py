"""What every part of the harness shares: the state directory, the cloud's shape, and the
configuration blocks all services repeat (keystone auth, message queue, locks, policies)."""
import re
import sys
from dataclasses import dataclass, field

from . import ports

ADMIN_CLOUD = "factory-local-admin"
DOMAIN = "Default"
SERVICE_PROJECT = "service"


@dataclass
class Proc:
    """One background process of the cloud; `ready` says whether it does its job yet."""
    name: str
    argv: list
    env: dict = field(default_factory=dict)
    ready: object = None  # callable () -> bool, or None: running is enough


def log(message):
    print(f"local-cloud: {message}", file=sys.stderr, flush=True)


class Context:
    def __init__(self, state, shape):
        self.state = state
        self.shape = shape
        # SQLAlchemy URLs of the MariaDB databases, once MariaDB runs (cloud.up).
        self.databases = {}

    def database(self, name):
        return self.databases[name]

    @property
    def region(self):
        return self.shape["region"]

    @property
    def regions(self):
        """Every region; the first has every service, the others a Glance each."""
        return [self.region, *self.shape["imageRegions"]]

    @property
    def zones(self):
        return [z["name"] for z in self.shape["zones"]]

    def compute_hosts(self):
        """(host name, zone) of every fake compute host: a zone's hosts are compute-<zone>-<n>."""
        hosts = []
        for z in self.shape["zones"]:
            slug = re.sub(r"[^a-z0-9-]+", "-", z["name"].lower()).strip("-") or "zone"
            hosts += [(f"compute-{slug}-{n}", z["name"]) for n in range(1, z["hosts"] + 1)]
        return hosts

    def password(self, who):
        return self.state.password(who)

    @property
    def auth_url(self):
        return ports.url(ports.KEYSTONE, "/v3")

    def transport_url(self):
        return f"rabbit://guest:guest@{ports.HOST}:{ports.RABBITMQ}/"

    def service_auth(self, user, region=None):
        """A password auth block for a service user of the service project."""
        return {
            "auth_type": "password",
            "auth_url": ports.url(ports.KEYSTONE),
            "username": user,
            "password": self.password(user),
            "project_name": SERVICE_PROJECT,
            "user_domain_name": DOMAIN,
            "project_domain_name": DOMAIN,
            "region_name": region or self.region,
        }

    def authtoken(self, user, region=None):
        """[keystone_authtoken]: how a service validates tokens (its own user, no memcached)."""
        return {"www_authenticate_uri": ports.url(ports.KEYSTONE), **self.service_auth(user, region)}

    def common(self, service):
        """Sections every oslo service gets: defaults for policies (no /etc policy files),
        locks and logs in the state directory."""
        return {
            "oslo_policy": {
                # An absent file and no policy directory: the services' default policies, exactly.
                "policy_file": self.state.etc(service, "policy.yaml"),
                "policy_dirs": self.state.etc(service, "policy.d"),
            },
            "oslo_concurrency": {"lock_path": self.state.lib(service, "lock")},
        }

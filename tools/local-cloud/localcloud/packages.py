"""The Debian packages of the local cloud, installed without letting any of them configure itself.

Debian's OpenStack packages can create databases, register endpoints and start services from
their postinst scripts. The harness configures everything itself under its state directory, so
debconf is preseeded to say no to each of those questions, and a policy-rc.d that exits 101
keeps invoke-rc.d from starting anything while the packages install.
"""
import os
import subprocess
import sys

PACKAGES = [
    "keystone", "glance", "placement-api",
    "nova-api", "nova-conductor", "nova-scheduler", "nova-compute",
    # nova-compute needs a hypervisor package; the ironic one is the lightest (no libvirt).
    # The harness runs nova's fake driver.
    "nova-compute-ironic",
    "neutron-server", "neutron-linuxbridge-agent",
    "cinder-api", "cinder-scheduler", "cinder-volume",
    "python3-openstackclient",  # brings python3-openstacksdk, which bootstraps the cloud
    "rabbitmq-server",
    "mariadb-server",  # Neutron's database (its migrations do not run on sqlite)
    "qemu-utils",      # qemu-img makes the small qcow2 images registered in Glance
    "iproute2",        # veth pairs for the linuxbridge agents
]

# (package owning the question, question): every question that would make a package set up
# a database, a message queue user, keystone credentials or endpoints for itself.
_NO = [
    ("keystone", "keystone/configure_db"), ("keystone", "keystone/create-admin-tenant"),
    ("keystone", "keystone/register-endpoint"), ("keystone", "keystone/dbconfig-install"),
    ("glance-common", "glance/configure_db"), ("glance-common", "glance/configure_rabbit"),
    ("glance-common", "glance/configure_ksat"), ("glance-common", "glance-common/dbconfig-install"),
    ("glance-api", "glance/configure_api-endpoint"),
    ("placement-common", "placement/configure_db"), ("placement-common", "placement/configure_ksat"),
    ("placement-common", "placement-common/dbconfig-install"),
    ("placement-api", "placement/configure_api-endpoint"),
    ("nova-common", "nova/configure_db"), ("nova-common", "nova/configure_rabbit"),
    ("nova-common", "nova/configure_ksat"), ("nova-common", "nova/configure_neutron"),
    ("nova-common", "nova/configure_placement"), ("nova-common", "nova-common/dbconfig-install"),
    ("nova-api", "novaapi/configure_db"), ("nova-api", "nova/configure_api-endpoint"),
    ("nova-api", "nova-api/dbconfig-install"),
    ("neutron-common", "neutron/configure_db"), ("neutron-common", "neutron/configure_rabbit"),
    ("neutron-common", "neutron/configure_ksat"), ("neutron-common", "neutron/configure_nova"),
    ("neutron-common", "neutron-common/dbconfig-install"),
    ("neutron-server", "neutron/configure_api-endpoint"),
    ("cinder-common", "cinder/configure_db"), ("cinder-common", "cinder/configure_rabbit"),
    ("cinder-common", "cinder/configure_ksat"), ("cinder-common", "cinder-common/dbconfig-install"),
    ("cinder-api", "cinder/configure_api-endpoint"),
]

POLICY_RC_D = "/usr/sbin/policy-rc.d"


def missing():
    """The packages not installed yet."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Status}\n", *PACKAGES],
        capture_output=True, text=True,
    ).stdout
    installed = {line.split()[0] for line in out.splitlines() if line.endswith("install ok installed")}
    return [p for p in PACKAGES if p not in installed]


def ensure(log):
    """Installs the missing packages; returns the ones it installed."""
    todo = missing()
    if not todo:
        return []
    log(f"installing {len(todo)} Debian packages: {' '.join(todo)}")
    selections = "".join(f"{owner} {question} boolean false\n" for owner, question in _NO)
    subprocess.run(["debconf-set-selections"], input=selections, text=True, check=True)
    created_policy = not os.path.exists(POLICY_RC_D)
    if created_policy:
        with open(POLICY_RC_D, "w") as f:
            f.write("#!/bin/sh\n# local cloud harness: packages start nothing while they install\nexit 101\n")
        os.chmod(POLICY_RC_D, 0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=1200", "-o", "Dpkg::Options::=--force-confold"]
    try:
        install = subprocess.run([*apt, "install", "-y", "-q", "--no-install-recommends", *todo],
                                 env=env, stdout=sys.stderr, stderr=sys.stderr)
        if install.returncode != 0:
            # The package lists may be stale or absent on a fresh machine.
            subprocess.run([*apt, "update", "-q"], env=env, stdout=sys.stderr, stderr=sys.stderr, check=True)
            subprocess.run([*apt, "install", "-y", "-q", "--no-install-recommends", *todo],
                           env=env, stdout=sys.stderr, stderr=sys.stderr, check=True)
    finally:
        if created_policy:
            os.unlink(POLICY_RC_D)
    return todo

"""Waiting for the parts that register themselves: every fake compute host as a nova-compute
service and hypervisor (then mapped into cell1), its linuxbridge agent alive in Neutron, and
Cinder's volume backend in every zone."""
from .readiness import wait_for

TIMEOUT = 240


def ensure_hosts(ctx, conn, discover):
    hosts = {h for h, _ in ctx.compute_hosts()}

    def services_up():
        return hosts <= {s.host for s in conn.compute.services(binary="nova-compute") if s.state == "up"}
    wait_for("nova-compute services", services_up, TIMEOUT, interval=2)
    # A new host needs its cell mapping (nova-manage cell_v2 discover_hosts) before Nova lists
    # it as a hypervisor, schedules to it or lets it join an aggregate.
    if not hosts <= {h.name for h in conn.compute.hypervisors()}:
        discover()
    wait_for("hypervisors", lambda: hosts <= {h.name for h in conn.compute.hypervisors()}, TIMEOUT, interval=2)


def wait_agents(ctx, conn):
    hosts = {h for h, _ in ctx.compute_hosts()}

    def alive():
        return hosts <= {a.host for a in conn.network.agents(binary="neutron-linuxbridge-agent") if a.is_alive}
    wait_for("linuxbridge agents", alive, TIMEOUT, interval=2)


def wait_volume_backends(ctx, conn):
    zones = set(ctx.zones)

    def available():
        return zones <= {z.name for z in conn.block_storage.availability_zones() if z.state.get("available")}
    wait_for("cinder-volume backends in every zone", available, TIMEOUT, interval=2)

"""Waiting for the parts that register themselves: every fake compute host as a nova-compute
service and hypervisor (then mapped into cell1), Nova's conductor and scheduler, each host's
linuxbridge agent alive in Neutron, Cinder's volume backend in every zone and its scheduler."""
from .readiness import wait_for

TIMEOUT = 240


def ensure_hosts(ctx, conn, discover):
    hosts = {h for h, _ in ctx.compute_hosts()}

    def services_up():
        up = {(s.binary, s.host) for s in conn.compute.services() if s.state == "up"}
        return {h for b, h in up if b == "nova-compute"} >= hosts and \
            {"nova-conductor", "nova-scheduler"} <= {b for b, _ in up}
    wait_for("nova-compute, nova-conductor and nova-scheduler services", services_up, TIMEOUT, interval=2)
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
        # A zone is listed available while a cinder-volume backend in it reports.
        return zones <= {z.name for z in conn.block_storage.availability_zones() if z.state.get("available")}
    wait_for("cinder-volume backends in every zone", available, TIMEOUT, interval=2)

    def scheduler_up():
        services = conn.block_storage.get("/os-services").json()["services"]
        return any(s["binary"] == "cinder-scheduler" and s["state"] == "up" for s in services)
    wait_for("cinder-scheduler", scheduler_up, TIMEOUT, interval=2)

    def scheduler_knows_every_backend():
        # The scheduler places a volume only on a pool it has heard capabilities from (each
        # cinder-volume reports periodically); before that, a volume goes to error status
        # ("No valid backend"): seen when a deploy came right after up.
        services = conn.block_storage.get("/os-services").json()["services"]
        backends = {s["host"] for s in services if s["binary"] == "cinder-volume" and s["state"] == "up"}
        pools = conn.block_storage.get("/scheduler-stats/get_pools").json()["pools"]
        return backends and all(any(p["name"].startswith(f"{b}#") for p in pools) for b in backends)
    wait_for("cinder-scheduler's pools of every backend", scheduler_knows_every_backend, TIMEOUT, interval=2)

"""What an operator sets up before tenants arrive, as admin: a host aggregate per availability
zone, the flavors and public Glance images the environment files name, and the external
networks with a subnet for routers and floating IPs."""
import os
import subprocess

from .services import neutron

# 198.18.0.0/15 is set aside for benchmarks (RFC 2544): no address of it is routed anywhere,
# and nothing here routes it either (no L3 agent). External network i gets 198.18.i.0/24.
EXTERNAL_SUPERNET = "198.18"


def ensure_aggregates(conn, hosts):
    """hosts: (host name, zone). One aggregate `zone-<zone>` per zone, its hosts in it."""
    aggregates = {a.name: a for a in conn.compute.aggregates()}
    for host, zone in hosts:
        name = f"zone-{zone}"
        agg = aggregates.get(name)
        if agg is None:
            agg = aggregates[name] = conn.compute.create_aggregate(name=name, availability_zone=zone)
        if host not in (agg.hosts or []):
            agg = aggregates[name] = conn.compute.add_host_to_aggregate(agg, host)


def ensure_flavors(conn, flavors):
    have = {f.name for f in conn.compute.flavors(is_public=None)}
    for f in flavors:
        if f["name"] not in have:
            conn.compute.create_flavor(name=f["name"], vcpus=f["vcpus"], ram=f["ramMb"], disk=f["diskGb"], is_public=True)


def _qcow2(path):
    """A small, valid qcow2 disk: the fake hypervisor never reads it, Glance stores it for real."""
    if not os.path.exists(path):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "1G"], check=True)
    return path


def ensure_images(ctx, conn, names):
    have = {i.name for i in conn.image.images()}
    for name in names:
        if name not in have:
            conn.create_image(name, filename=_qcow2(ctx.state.lib_file("images", f"{name}.qcow2")),
                              disk_format="qcow2", container_format="bare", visibility="public", wait=True)


def ensure_external_networks(ctx, conn):
    for i, (name, physnet) in enumerate(neutron.external_physnets(ctx)):
        net = conn.network.find_network(name)
        if net is None:
            net = conn.network.create_network(
                name=name, is_router_external=True, is_shared=False,
                provider_network_type="flat", provider_physical_network=physnet,
            )
        if not list(conn.network.subnets(network_id=net.id)):
            prefix = f"{EXTERNAL_SUPERNET}.{i}"
            conn.network.create_subnet(
                name=f"{name}-subnet", network_id=net.id, ip_version=4, cidr=f"{prefix}.0/24",
                gateway_ip=f"{prefix}.1", is_dhcp_enabled=False,
                allocation_pools=[{"start": f"{prefix}.10", "end": f"{prefix}.250"}],
            )

"""Smoke checks of the local cloud, as a tenant's member user, with openstacksdk from one process:
what the factory's stacks and pipeline need from a cloud, done the way they do it.

  OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 smoke.py --cloud NAME [--admin-cloud NAME]

Everything it creates is named smoke-* and deleted again (also what an interrupted run left),
and the project is checked empty at the end: give it a tenant nothing else uses. Prints a
line per check and `N passed, N failed` last; exit 1 if any failed. Reads the cloud's shape
from the cloud itself: zones, external networks, images, flavors, regions.
"""
import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
import traceback

import openstack
from openstack import exceptions

PREFIX = "smoke-"
results = []
timings = {}


def check(name):
    def wrap(fn):
        def run(*args):
            t = time.monotonic()
            try:
                fn(*args)
            except Exception as e:  # a failed check reports and the others still run
                results.append((name, False))
                print(f"not ok - {name}: {type(e).__name__}: {e}", flush=True)
                traceback.print_exc(limit=3, file=sys.stdout)
                return
            results.append((name, True))
            print(f"ok - {name} ({time.monotonic() - t:.1f} s)", flush=True)
        return run
    return wrap


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def refused(fn, *codes):
    """fn() must fail with one of these HTTP codes (what a tenant may not do)."""
    try:
        fn()
    except exceptions.HttpException as e:
        expect(e.status_code in codes, f"refused with {e.status_code}, expected {codes}: {e}")
        return
    raise AssertionError("a tenant was allowed what only an admin may do")


def fault(conn, server):
    """The fault message of a server in ERROR (this SDK does not keep the attribute)."""
    return conn.compute.get(f"/servers/{server.id}").json()["server"].get("fault", {}).get("message", "")


def wait_status(get, wanted, timeout=120, failed=("error", "ERROR")):
    deadline = time.monotonic() + timeout
    while True:
        obj = get()
        if obj.status == wanted:
            return obj
        if obj.status in failed:
            return obj
        if time.monotonic() > deadline:
            raise AssertionError(f"still {obj.status} after {timeout} s, waiting for {wanted}")
        time.sleep(0.5)


class Smoke:
    def __init__(self, cloud, admin_cloud):
        self.conn = openstack.connect(cloud=cloud)
        self.admin = openstack.connect(cloud=admin_cloud)
        self.cloud = cloud
        c = self.conn
        self.zones = sorted(z.name for z in c.compute.availability_zones() if z.state.get("available"))
        self.external = next(c.network.networks(is_router_external=True))
        self.image = next(i for i in c.image.images() if i.visibility == "public")
        self.flavor = min(c.compute.flavors(), key=lambda f: (f.vcpus, f.ram))
        # How many hosts: the admin knows; the anti-affinity check fills them all, then one more.
        self.hosts = len(list(self.admin.compute.services(binary="nova-compute")))

    # --- network: what the network stack creates
    @check("network, subnet, router with external gateway, router interface")
    def network(self):
        c = self.conn
        self.net = c.network.create_network(name=PREFIX + "net")
        expect(self.net.provider_network_type is None, "a tenant sees no provider attributes")
        self.subnet = c.network.create_subnet(
            name=PREFIX + "subnet", network_id=self.net.id, ip_version=4, cidr="10.99.0.0/24",
            gateway_ip="10.99.0.1", dns_nameservers=["9.9.9.9"],
            allocation_pools=[{"start": "10.99.0.32", "end": "10.99.0.254"}],
        )
        self.router = c.network.create_router(name=PREFIX + "router",
                                              external_gateway_info={"network_id": self.external.id})
        c.network.add_interface_to_router(self.router, subnet_id=self.subnet.id)
        router = c.network.get_router(self.router.id)
        expect(router.external_gateway_info["network_id"] == self.external.id, "gateway set")
        expect(router.status == "ACTIVE", f"router {router.status}")

    @check("enable_snat on a router is refused to a tenant (Neutron's default policy)")
    def snat_refused(self):
        refused(lambda: self.conn.network.create_router(
            name=PREFIX + "snat", external_gateway_info={"network_id": self.external.id, "enable_snat": False}), 403)

    @check("creating a flavor is refused to a tenant")
    def flavor_refused(self):
        refused(lambda: self.conn.compute.create_flavor(name=PREFIX + "flavor", vcpus=1, ram=64, disk=1), 403)

    @check("security groups with a remote-group rule and a CIDR rule")
    def security_groups(self):
        c = self.conn
        self.sg_a = c.network.create_security_group(name=PREFIX + "a")
        self.sg_b = c.network.create_security_group(name=PREFIX + "b")
        c.network.create_security_group_rule(security_group_id=self.sg_b.id, direction="ingress", ethertype="IPv4",
                                             protocol="tcp", port_range_min=2049, port_range_max=2049,
                                             remote_group_id=self.sg_a.id)
        c.network.create_security_group_rule(security_group_id=self.sg_a.id, direction="ingress", ethertype="IPv4",
                                             protocol="tcp", port_range_min=22, port_range_max=22,
                                             remote_ip_prefix="203.0.113.0/24")
        rules = list(c.network.security_group_rules(security_group_id=self.sg_b.id, direction="ingress"))
        expect(any(r.remote_group_id == self.sg_a.id for r in rules), "remote-group rule stored")

    @check("port with a fixed address, address pair 0.0.0.0/0 and an extra DHCP option")
    def port(self):
        self.port_a = self.conn.network.create_port(
            name=PREFIX + "port-a", network_id=self.net.id, fixed_ips=[{"subnet_id": self.subnet.id, "ip_address": "10.99.0.5"}],
            security_group_ids=[self.sg_a.id], allowed_address_pairs=[{"ip_address": "0.0.0.0/0"}],
            extra_dhcp_opts=[{"opt_name": "router", "opt_value": "10.99.0.1"}],
        )
        expect(self.port_a.fixed_ips[0]["ip_address"] == "10.99.0.5", "fixed address kept")

    # --- compute: what the factory stack creates
    @check("server on a pre-made port with config drive, user-data and a key pair goes ACTIVE, bound, in its zone")
    def server(self):
        c = self.conn
        self.key = c.compute.create_keypair(
            name=PREFIX + "key",
            public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOG8tnS21Lsit5sDk4BGqZoG4xjQEq0zJelATPXduky smoke@example")
        t = time.monotonic()
        server = c.compute.create_server(
            name=PREFIX + "server", image_id=self.image.id, flavor_id=self.flavor.id, networks=[{"port": self.port_a.id}],
            availability_zone=self.zones[0], config_drive=True, key_name=self.key.name,
            user_data=base64.b64encode(b"#cloud-config\n{}\n").decode(),
        )
        server = wait_status(lambda: c.compute.get_server(server.id), "ACTIVE")
        timings["server boot at the API (ACTIVE)"] = time.monotonic() - t
        expect(server.status == "ACTIVE", f"server {server.status}: {fault(c, server)}")
        expect(server.availability_zone == self.zones[0], f"zone {server.availability_zone}")
        expect(server.key_name == self.key.name, "key pair")
        self.server_a = server
        port = c.network.get_port(self.port_a.id)
        expect(port.binding_vif_type not in (None, "binding_failed", "unbound") or port.device_id == server.id,
               f"port bound ({port.binding_vif_type})")
        expect(port.device_id == server.id, "port belongs to the server")

    @check("volumes in two zones; attach to the server and detach again")
    def volumes(self):
        c = self.conn
        vols = [c.block_storage.create_volume(name=f"{PREFIX}vol-{z}", size=1, availability_zone=z) for z in self.zones[:2]]
        vols = [wait_status(lambda v=v: c.block_storage.get_volume(v.id), "available") for v in vols]
        for v, z in zip(vols, self.zones):
            expect(v.status == "available", f"volume {v.status}")
            expect(v.availability_zone == z, f"volume zone {v.availability_zone}, asked {z}")
        vol = vols[0]
        c.compute.create_volume_attachment(self.server_a, volume_id=vol.id)
        vol = wait_status(lambda: c.block_storage.get_volume(vol.id), "in-use")
        expect(vol.status == "in-use", f"attached volume {vol.status}")
        c.compute.delete_volume_attachment(vol.id, self.server_a)
        vol = wait_status(lambda: c.block_storage.get_volume(vol.id), "available", failed=("error", "error_detaching"))
        expect(vol.status == "available", f"detached volume {vol.status}")
        # Growing a volume, as a user grows the NFS data volume.
        c.block_storage.extend_volume(vol, 2)
        vol = wait_status(lambda: c.block_storage.get_volume(vol.id), "available")
        expect(vol.size == 2, f"extended volume is {vol.size} GB")
        for v in vols:
            c.block_storage.delete_volume(v)

    @check("floating IP associated with the server's port")
    def floating_ip(self):
        c = self.conn
        self.fip = c.network.create_ip(floating_network_id=self.external.id, description=PREFIX + "fip")
        c.network.update_ip(self.fip, port_id=self.port_a.id)
        fip = c.network.get_ip(self.fip.id)
        expect(fip.port_id == self.port_a.id and fip.fixed_ip_address == "10.99.0.5", "associated")

    @check("anti-affinity: one server per host, and one more is refused")
    def anti_affinity(self):
        c = self.conn
        group = c.compute.create_server_group(name=PREFIX + "group", policies=["anti-affinity"])
        servers = []
        for i in range(self.hosts + 1):
            servers.append(c.compute.create_server(
                name=f"{PREFIX}aa-{i}", image_id=self.image.id, flavor_id=self.flavor.id,
                networks=[{"uuid": self.net.id}], scheduler_hints={"group": group.id}))
        done = [wait_status(lambda s=s: c.compute.get_server(s.id), "ACTIVE") for s in servers]
        active = [s for s in done if s.status == "ACTIVE"]
        failed = [s for s in done if s.status == "ERROR"]
        expect(len(active) == self.hosts, f"{len(active)} of {self.hosts + 1} ACTIVE, hosts: {self.hosts}")
        expect(len({s.host_id for s in active}) == self.hosts, "each on its own host")
        faults = [fault(c, s) for s in failed]
        # Nova refuses it one of two ways: the scheduler's filter finds no host ("No valid
        # host"), or, when the boots race, two land on one host, the compute's late check
        # refuses the second and its reschedules run out ("Anti-affinity instance group
        # policy was violated": seen with all boots at once on a busy machine).
        refused = ("No valid host", "Anti-affinity instance group policy was violated")
        expect(len(failed) == 1 and any(r in faults[0] for r in refused), f"the extra one: {faults}")
        for s in done:
            c.compute.delete_server(s)
        for s in done:
            c.compute.wait_for_delete(s, interval=0.5)
        c.compute.delete_server_group(group)

    @check("images in the second region are that region's Glance")
    def second_region(self):
        regions = [r.id for r in self.admin.identity.regions()]
        other = next((r for r in regions if r != self.conn.config.region_name), None)
        expect(other is not None, f"a second region (have {regions})")
        there = openstack.connect(cloud=self.cloud, region_name=other)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "smoke.qcow2")
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "64M"], check=True)
            image = there.create_image(PREFIX + "image", filename=path, disk_format="qcow2",
                                       container_format="bare", wait=True)
        expect(there.image.get_image(image.id).status == "active", "active in the second region")
        expect(self.conn.image.find_image(image.id) is None, "not in the first region's Glance")
        there.image.delete_image(image)

    @check("server deleted with force_delete")
    def force_delete(self):
        c = self.conn
        t = time.monotonic()
        c.compute.delete_server(self.server_a, force=True)
        c.compute.wait_for_delete(self.server_a, interval=0.2)
        timings["server force delete at the API (gone)"] = time.monotonic() - t
        expect(c.network.get_port(self.port_a.id).device_id == "", "the pre-made port outlives the server")

    def sweep(self):
        """Deletes whatever of the smoke's is left (its resources are named smoke-*)."""
        c = self.conn

        def mine(o):
            return (o.name or "").startswith(PREFIX)
        servers = [s for s in c.compute.servers() if mine(s)]
        for server in servers:
            try:  # a server deleted a moment ago may still be listed; force_delete ignores ignore_missing
                c.compute.delete_server(server, force=True)
            except exceptions.ResourceNotFound:
                pass
        for server in servers:
            c.compute.wait_for_delete(server, interval=0.5)
        for fip in c.network.ips():
            if fip.description.startswith(PREFIX):
                c.network.delete_ip(fip)
        for v in [v for v in c.block_storage.volumes() if mine(v)]:
            c.block_storage.delete_volume(v)
            c.block_storage.wait_for_delete(v, interval=0.5)
        for router in [r for r in c.network.routers() if mine(r)]:
            for port in c.network.ports(device_id=router.id, device_owner="network:router_interface"):
                c.network.remove_interface_from_router(router, port_id=port.id)
            c.network.delete_router(router)
        for port in [p for p in c.network.ports() if mine(p)]:
            c.network.delete_port(port)
        for net in [n for n in c.network.networks() if mine(n)]:
            c.network.delete_network(net)
        for sg in [g for g in c.network.security_groups() if mine(g)]:
            c.network.delete_security_group(sg)
        for key in [k for k in c.compute.keypairs() if mine(k)]:
            c.compute.delete_keypair(key)
        for group in [g for g in c.compute.server_groups() if mine(g)]:
            c.compute.delete_server_group(group)

    @check("cleanup leaves the project empty")
    def cleanup(self):
        self.sweep()
        c = self.conn
        leftovers = {
            "servers": list(c.compute.servers()), "volumes": list(c.block_storage.volumes()),
            "networks": [n for n in c.network.networks() if n.project_id == c.current_project_id],
            "ports": list(c.network.ports(project_id=c.current_project_id)),
            "routers": list(c.network.routers()), "floating IPs": list(c.network.ips()),
            "security groups": [g for g in c.network.security_groups() if g.name != "default"],
            "key pairs": list(c.compute.keypairs()), "server groups": list(c.compute.server_groups()),
        }
        left = {k: [getattr(o, "name", None) or o.id for o in v] for k, v in leftovers.items() if v}
        expect(not left, f"left behind: {left}")

    def run(self):
        self.sweep()  # what an interrupted run left
        for step in (self.network, self.snat_refused, self.flavor_refused, self.security_groups, self.port, self.server,
                     self.volumes, self.floating_ip, self.anti_affinity, self.second_region, self.force_delete,
                     self.cleanup):
            step()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cloud", required=True, help="a tenant's clouds.yaml entry")
    parser.add_argument("--admin-cloud", default="factory-local-admin")
    args = parser.parse_args()
    Smoke(args.cloud, args.admin_cloud).run()
    for what, seconds in timings.items():
        print(f"# {what}: {seconds:.2f} s")
    passed = sum(ok for _, ok in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the local cloud holds in each tenant, read back with openstacksdk in one process
(each `openstack` CLI call would cost seconds), as JSON on stdout:

    /usr/bin/python3 test/cloud/tenants.py --admin ADMIN_CLOUD CLOUD...

Reads clouds.yaml from OS_CLIENT_CONFIG_FILE. Every tenant is read with the admin's
connection, filtered to the tenant's project: the admin also sees what a member cannot
(each server's compute host) and everything a leak could leave behind.
"""
import argparse
import json
import sys

import openstack


def server(s):
    return {
        "id": s.id,
        "name": s.name,
        "status": s.status,
        "availability_zone": s.availability_zone,
        "compute_host": s.compute_host,
        "host_id": s.host_id,
        "image_id": (s.image or {}).get("id"),
        "flavor": (s.flavor or {}).get("original_name") or (s.flavor or {}).get("name"),
        "key_name": s.key_name,
        "metadata": dict(s.metadata or {}),
        "config_drive": s.has_config_drive,
        "volumes": sorted(v["id"] for v in (s.attached_volumes or [])),
        "addresses": {net: sorted(a["addr"] for a in addrs) for net, addrs in (s.addresses or {}).items()},
    }


def port(p):
    return {
        "id": p.id,
        "name": p.name,
        "device_id": p.device_id,
        "device_owner": p.device_owner,
        "fixed_ips": sorted(ip["ip_address"] for ip in p.fixed_ips or []),
        "security_group_ids": sorted(p.security_group_ids or []),
        "allowed_address_pairs": sorted(a["ip_address"] for a in p.allowed_address_pairs or []),
        "extra_dhcp_opts": sorted((o["opt_name"], o["opt_value"]) for o in p.extra_dhcp_opts or []),
        "binding_host": p.binding_host_id,
    }


def rule(r):
    return {
        "id": r.id,
        "direction": r.direction,
        "ethertype": r.ether_type,
        "protocol": r.protocol,
        "port_range_min": r.port_range_min,
        "port_range_max": r.port_range_max,
        "remote_ip_prefix": r.remote_ip_prefix,
        "remote_group_id": r.remote_group_id,
        "description": r.description,
    }


def tenant(conn, member):
    project_id = member.current_project_id
    net = conn.network
    mine = {"project_id": project_id}
    groups = list(net.security_groups(**mine))
    rules = list(net.security_group_rules(**mine))
    return {
        "project_id": project_id,
        "servers": sorted((server(s) for s in conn.compute.servers(details=True, all_projects=True, project_id=project_id)), key=lambda s: s["name"]),
        "server_groups": sorted(
            ({"name": g.name, "policies": g.policies or [g.policy], "members": sorted(g.member_ids or [])}
             for g in conn.compute.server_groups(all_projects=True) if g.project_id == project_id),
            key=lambda g: g["name"]),
        # Key pairs belong to users, not projects: the member's own.
        "keypairs": sorted(k.name for k in member.compute.keypairs()),
        "ports": sorted((port(p) for p in net.ports(**mine)), key=lambda p: (p["name"], p["id"])),
        "networks": sorted(n.name for n in net.networks(**mine)),
        "subnets": sorted(
            ({"name": s.name, "cidr": s.cidr, "gateway_ip": s.gateway_ip, "ip_version": s.ip_version,
              "dns_nameservers": s.dns_nameservers, "allocation_pools": s.allocation_pools, "enable_dhcp": s.is_dhcp_enabled}
             for s in net.subnets(**mine)), key=lambda s: s["name"]),
        "routers": sorted(
            ({"name": r.name, "external_gateway_info": r.external_gateway_info} for r in net.routers(**mine)),
            key=lambda r: r["name"]),
        "security_groups": sorted(
            ({"id": g.id, "name": g.name, "rules": sorted((rule(r) for r in rules if r.security_group_id == g.id),
                                                          key=lambda r: json.dumps(r, sort_keys=True, default=str))}
             for g in groups), key=lambda g: g["name"]),
        "floating_ips": sorted(
            ({"id": f.id, "address": f.floating_ip_address, "port_id": f.port_id, "fixed_ip_address": f.fixed_ip_address,
              "description": f.description} for f in net.ips(**mine)), key=lambda f: f["address"]),
        "volumes": sorted(
            ({"id": v.id, "name": v.name, "size": v.size, "status": v.status, "availability_zone": v.availability_zone,
              "attached_to": sorted(a["server_id"] for a in v.attachments or [])}
             for v in conn.block_storage.volumes(details=True, all_projects=True, project_id=project_id)),
            key=lambda v: v["name"] or v["id"]),
    }


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin", required=True)
    parser.add_argument("clouds", nargs="+")
    args = parser.parse_args(argv)
    admin = openstack.connect(cloud=args.admin)
    report = {}
    for name in args.clouds:
        # The tenant's own connection tells its project; the admin's reads everything in it.
        report[name] = tenant(admin, openstack.connect(cloud=name))
    json.dump(report, sys.stdout, indent=1, sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

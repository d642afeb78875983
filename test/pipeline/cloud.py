"""The pipeline suite's look at the local cloud, with openstacksdk in one process per call
(an `openstack` CLI call costs seconds; the scripts under test use the CLI, the tests
read back with this):

    /usr/bin/python3 test/pipeline/cloud.py COMMAND [ARGS]   (JSON on stdout)

  images  --cloud C --name N --regions R1,R2   the images of catalogue name N (property
                                               factory_image_name) each region stores,
                                               as the tenant C sees them, hidden ones too
  drop    --cloud C --name N --regions R1,R2   deletes the tenant's own images of N
  seed    --cloud C --region R --file F        creates the images of the JSON list on
                                               stdin (name, properties, visibility, hidden,
                                               protected) with F's bytes; prints their ids
  record  --cloud C --region R                 creates the image of stdin's spec (name,
                                               properties) as a record without data (what an
                                               upload that died leaves: status queued); its id
  project --cloud C                            the tenant's project id
  tenant  --cloud C                            what the tenant holds: servers (with metadata),
                                               ports (with tags), volumes (with metadata),
                                               key pairs
  wipe    --cloud C --regions R1,R2 [--keep-network]
                                               deletes everything the tenant owns (images in
                                               each region; the suite's own tenants only);
                                               --keep-network: all but networks, subnets,
                                               routers, floating IPs and security groups
  foreign --owner C --region R --file F        as the admin: a public image owned by C's
                                               project (another factory), from stdin's spec

Reads clouds.yaml from OS_CLIENT_CONFIG_FILE; the admin is factory-local-admin.
"""
import argparse
import json
import sys
import time

import openstack

ADMIN = "factory-local-admin"


def connect(cloud, region=None):
    return openstack.connect(cloud=cloud, region_name=region) if region else openstack.connect(cloud=cloud)


# Glance's own fields; everything else in an image's JSON is a property (openstacksdk's
# Image maps some properties, architecture or os_distro, to attributes: read the raw JSON).
CORE = {"id", "name", "status", "visibility", "protected", "os_hidden", "owner", "min_disk", "min_ram", "disk_format",
        "container_format", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "tags", "created_at",
        "updated_at", "file", "schema", "self", "direct_url", "locations", "stores"}


def image_view(raw):
    return {
        "id": raw["id"],
        "name": raw.get("name"),
        "status": raw["status"],
        "visibility": raw["visibility"],
        "hidden": bool(raw.get("os_hidden")),
        "protected": bool(raw.get("protected")),
        "owner": raw.get("owner"),
        "min_disk": raw.get("min_disk"),
        "min_ram": raw.get("min_ram"),
        "disk_format": raw.get("disk_format"),
        "container_format": raw.get("container_format"),
        "size": raw.get("size"),
        "checksum": raw.get("checksum"),
        "os_hash_algo": raw.get("os_hash_algo"),
        "os_hash_value": raw.get("os_hash_value"),
        "tags": sorted(raw.get("tags") or []),
        "created_at": raw["created_at"],
        "updated_at": raw["updated_at"],
        # What the openstack client adds on upload (owner_specified.openstack.*) is not ours.
        "properties": {k: v for k, v in raw.items() if k not in CORE and not k.startswith("owner_specified.")},
    }


def raw_images(conn, **query):
    """Every image the credentials see, as Glance's JSON (following its pages)."""
    out, url = [], "/images?" + "&".join(f"{k}={v}" for k, v in {"limit": 200, **query}.items())
    while url:
        page = conn.image.get(url).json()
        out.extend(page["images"])
        url = page.get("next", "").replace("/v2", "", 1) or None
    return out


def images(args):
    out = {}
    for region in args.regions.split(","):
        conn = connect(args.cloud, region)
        seen = {}
        for hidden in ("false", "true"):
            for raw in raw_images(conn, os_hidden=hidden, factory_image_name=args.name):
                seen[raw["id"]] = image_view(raw)
        out[region] = sorted(seen.values(), key=lambda v: (v["created_at"], v["id"]))
    return out


def drop(args):
    """Deletes the tenant's own images of catalogue name N (what a test file made)."""
    done = []
    for region, views in images(args).items():
        conn = connect(args.cloud, region)
        project = conn.current_project_id
        for v in views:
            if v["owner"] == project:
                if v["protected"]:
                    conn.image.update_image(v["id"], is_protected=False)
                conn.image.delete_image(v["id"])
                done.append(f"{region} {v['name']}")
    return done


def seed(args):
    conn = connect(args.cloud, args.region)
    data = open(args.file, "rb").read()
    ids = []
    for spec in json.load(sys.stdin):
        image = conn.image.create_image(
            name=spec["name"], data=data, disk_format="qcow2", container_format="bare",
            visibility=spec.get("visibility", "private"), wait=True, **spec.get("properties", {}))
        changes = {}
        if spec.get("hidden"):
            changes["is_hidden"] = True
        if spec.get("protected"):
            changes["is_protected"] = True
        if changes:
            conn.image.update_image(image, **changes)
        ids.append(image.id)
    return ids


def record(args):
    # The resource, not create_image: that uploads (data or nothing) and waits for active.
    # (The `openstack image create` CLI without --file uploads its stdin when that is no
    # terminal, so a CLI call from a script or a test makes an active image of 0 bytes.)
    from openstack.image.v2.image import Image
    spec = json.load(sys.stdin)
    conn = connect(args.cloud, args.region)
    image = Image.new(name=spec["name"], disk_format="qcow2", container_format="bare", **spec.get("properties", {}))
    return image.create(conn.image).id


def foreign(args):
    owner = connect(args.owner).current_project_id
    conn = connect(ADMIN, args.region)
    data = open(args.file, "rb").read()
    ids = []
    for spec in json.load(sys.stdin):
        image = conn.image.create_image(
            name=spec["name"], data=data, disk_format="qcow2", container_format="bare",
            visibility="public", wait=True, **spec.get("properties", {}))
        conn.image.update_image(image, owner=owner, **({"is_hidden": True} if spec.get("hidden") else {}))
        ids.append(image.id)
    return ids


def tenant(args):
    conn = connect(args.cloud)
    project = conn.current_project_id
    return {
        "project": project,
        "servers": sorted(({"id": s.id, "name": s.name, "status": s.status, "image": (s.image or {}).get("id"),
                            "metadata": dict(s.metadata or {}), "key_name": s.key_name,
                            "addresses": {n: sorted(a["addr"] for a in addrs) for n, addrs in (s.addresses or {}).items()},
                            "volumes": sorted(v["id"] for v in s.attached_volumes or [])}
                           for s in conn.compute.servers(details=True)), key=lambda s: s["name"]),
        "ports": sorted(({"id": p.id, "name": p.name, "device_id": p.device_id, "device_owner": p.device_owner,
                          "tags": sorted(p.tags or []), "security_groups": sorted(p.security_group_ids or [])}
                         for p in conn.network.ports(project_id=project) if not (p.device_owner or "").startswith("network:")),
                        key=lambda p: (p["name"], p["id"])),
        "volumes": sorted(({"id": v.id, "name": v.name, "status": v.status, "size": v.size, "metadata": dict(v.metadata or {}),
                            "availability_zone": v.availability_zone,
                            "attached_to": sorted(a["server_id"] for a in v.attachments or [])}
                           for v in conn.block_storage.volumes(details=True)), key=lambda v: (v["name"] or "", v["id"])),
        "keypairs": sorted(k.name for k in conn.compute.keypairs()),
    }


def wait_gone(what, find, seconds=120):
    deadline = time.time() + seconds
    while find():
        if time.time() > deadline:
            raise SystemExit(f"cloud.py wipe: {what} still there after {seconds} s")
        time.sleep(1)


def wipe(args):
    """Everything the tenant owns: only its own connection is used, so nothing of another
    project can be touched."""
    conn = connect(args.cloud)
    project = conn.current_project_id
    done = []
    for region in args.regions.split(","):
        rconn = connect(args.cloud, region)
        for hidden in (False, True):
            for i in list(rconn.image.images(is_hidden=hidden, owner=project)):
                if i.owner_id != project:
                    continue
                if i.is_protected:
                    rconn.image.update_image(i, is_protected=False)
                rconn.image.delete_image(i)
                done.append(f"image {region} {i.name}")
    for s in list(conn.compute.servers()):
        conn.compute.delete_server(s, force=True)
        done.append(f"server {s.name}")
    wait_gone("servers", lambda: list(conn.compute.servers()))
    for k in list(conn.compute.keypairs()):
        conn.compute.delete_keypair(k)
        done.append(f"keypair {k.name}")
    for v in list(conn.block_storage.volumes()):
        conn.block_storage.delete_volume(v, force=False)
        done.append(f"volume {v.name}")
    wait_gone("volumes", lambda: list(conn.block_storage.volumes()))
    net = conn.network
    if args.keep_network:
        for p in list(net.ports(project_id=project)):
            if not (p.device_owner or "").startswith("network:"):
                net.delete_port(p)
                done.append(f"port {p.name or p.id}")
        return done
    for f in list(net.ips(project_id=project)):
        net.delete_ip(f)
        done.append(f"floating ip {f.floating_ip_address}")
    for p in list(net.ports(project_id=project)):
        if not (p.device_owner or "").startswith("network:"):
            net.delete_port(p)
            done.append(f"port {p.name or p.id}")
    for r in list(net.routers(project_id=project)):
        for p in list(net.ports(device_id=r.id)):
            if p.device_owner == "network:router_interface":
                for ip in p.fixed_ips:
                    net.remove_interface_from_router(r, subnet_id=ip["subnet_id"])
        net.delete_router(r)
        done.append(f"router {r.name}")
    for n in list(net.networks(project_id=project)):
        net.delete_network(n)
        done.append(f"network {n.name}")
    for g in list(net.security_groups(project_id=project)):
        if g.name != "default":
            net.delete_security_group(g)
            done.append(f"security group {g.name}")
    return done


# Each command: what it runs, and its required options.
COMMANDS = {
    "images": (images, ["cloud", "name", "regions"]),
    "drop": (drop, ["cloud", "name", "regions"]),
    "seed": (seed, ["cloud", "region", "file"]),
    "record": (record, ["cloud", "region"]),
    "foreign": (foreign, ["owner", "region", "file"]),
    "project": (lambda a: connect(a.cloud).current_project_id, ["cloud"]),
    "tenant": (tenant, ["cloud"]),
    "wipe": (wipe, ["cloud", "regions"]),
}


def main(argv):
    parser = argparse.ArgumentParser(prog="cloud.py")
    sub = parser.add_subparsers(dest="command", required=True)
    for command, (run, options) in COMMANDS.items():
        p = sub.add_parser(command)
        for option in options:
            p.add_argument(f"--{option}", required=True)
        p.set_defaults(run=run)
    sub.choices["wipe"].add_argument("--keep-network", action="store_true")
    args = parser.parse_args(argv)
    json.dump(args.run(args), sys.stdout, indent=1, sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

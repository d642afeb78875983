"""The tenants: per cloud name of the environment files a project with a member user (no
admin role: what needs admin fails here as on a real cloud), quotas an operator would raise so
the environments fit, and the clouds.yaml with an entry per cloud name plus the admin's."""
import os

import yaml

from .context import ADMIN_CLOUD, DOMAIN

MEMBER_ROLE = "member"
# Neutron's defaults (10 groups, 100 rules) are tight for a factory plus its tests.
SECURITY_GROUPS = 50
SECURITY_GROUP_RULES = 1000


def ensure(ctx, ident):
    """ident: the Identity of the harness's admin connection."""
    conn = ident.conn
    for cloud in ctx.shape["clouds"]:
        name = cloud["name"]
        project = ident.project(name, f"tenant of the clouds.yaml entry {name}")
        ident.user(name, project, [MEMBER_ROLE])
        q = cloud["quota"]
        # By project id, straight at the APIs: the SDK's set_*_quotas look the project up each time.
        conn.compute.put(f"/os-quota-sets/{project.id}", json={"quota_set": {
            "instances": q["instances"], "cores": q["cores"], "ram": q["ramMb"],
            "server_group_members": q["serverGroupMembers"]}}).raise_for_status()
        conn.block_storage.put(f"/os-quota-sets/{project.id}", json={"quota_set": {
            "volumes": q["volumes"], "gigabytes": q["gigabytes"], "snapshots": q["volumes"]}}).raise_for_status()
        conn.network.put(f"/quotas/{project.id}", json={"quota": {
            "security_group": SECURITY_GROUPS, "security_group_rule": SECURITY_GROUP_RULES}}).raise_for_status()


def _entry(ctx, user, project):
    return {
        "auth": {
            "auth_url": ctx.auth_url,
            "username": user,
            "password": ctx.password(user),
            "project_name": project,
            "user_domain_name": DOMAIN,
            "project_domain_name": DOMAIN,
        },
        "region_name": ctx.region,
        # Without the list, clients refuse any other region (`--os-region-name RegionTwo`).
        "regions": ctx.regions,
        "identity_api_version": 3,
        "interface": "public",
    }


def write_clouds_yaml(ctx):
    clouds = {c["name"]: _entry(ctx, c["name"], c["name"]) for c in ctx.shape["clouds"]}
    clouds[ADMIN_CLOUD] = _entry(ctx, "admin", "admin")
    path = ctx.state.clouds_yaml
    tmp = path + ".tmp"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write("# Written by `npm run cloud -- up`: the local cloud's tenants, and its admin.\n")
        yaml.safe_dump({"clouds": clouds}, f, sort_keys=False)
    os.replace(tmp, path)
    return path

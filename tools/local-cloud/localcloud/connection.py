"""openstacksdk connections of the harness: the admin's, and a tenant member's."""
import openstack

from .context import DOMAIN


def connect(ctx, user="admin", project="admin", region=None):
    return openstack.connect(
        auth_url=ctx.auth_url, username=user, password=ctx.password(user), project_name=project,
        user_domain_name=DOMAIN, project_domain_name=DOMAIN, region_name=region or ctx.region,
        identity_api_version="3", interface="public",
        # The SDK otherwise retries a refused connection for minutes; the harness waits itself.
        connect_retries=2, status_code_retries=2,
    )

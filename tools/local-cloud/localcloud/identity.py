"""Keystone's contents beyond keystone-manage bootstrap: the regions, the service project and
its users (admin and service roles: Cinder accepts Nova's service token only with the service
role), the tenants' projects and users, and the catalog: every service in the main region, a
Glance in every region, the identity endpoint in every region. Each kind is listed once and
only what is missing is created (Keystone on sqlite takes a few hundred ms per call)."""
from . import ports
from .context import DOMAIN, SERVICE_PROJECT

SERVICE_USERS = ["glance", "placement", "nova", "neutron", "cinder"]
INTERFACES = ["public", "internal"]


class Identity:
    def __init__(self, ctx, conn):
        self.ctx, self.conn = ctx, conn
        ident = conn.identity
        self.domain = ident.find_domain(DOMAIN)
        self.projects = {p.name: p for p in ident.projects(domain_id=self.domain.id)}
        self.users = {u.name: u for u in ident.users(domain_id=self.domain.id)}
        self.roles = {r.name: r for r in ident.roles()}
        self.assignments = {(a.user["id"], a.scope["project"]["id"], a.role["id"])
                            for a in ident.role_assignments() if a.user and "project" in (a.scope or {})}

    def project(self, name, description):
        if name not in self.projects:
            self.projects[name] = self.conn.identity.create_project(name=name, domain_id=self.domain.id,
                                                                    description=description)
        return self.projects[name]

    def user(self, name, project, role_names):
        """A user with its password from the state directory and these roles on the project."""
        ident = self.conn.identity
        if name not in self.users:
            self.users[name] = ident.create_user(name=name, password=self.ctx.password(name),
                                                 domain_id=self.domain.id, default_project_id=project.id)
        user = self.users[name]
        for role_name in role_names:
            if role_name not in self.roles:
                self.roles[role_name] = ident.create_role(name=role_name)
            role = self.roles[role_name]
            if (user.id, project.id, role.id) not in self.assignments:
                ident.assign_project_role_to_user(project, user, role)
                self.assignments.add((user.id, project.id, role.id))
        return user

    def services_and_catalog(self, endpoints):
        """endpoints: (service name, service type, region, url) of every service but Keystone."""
        ident = self.conn.identity
        have_regions = {r.id for r in ident.regions()}
        for region in self.ctx.regions:
            if region not in have_regions:
                ident.create_region(id=region)
        service_project = self.project(SERVICE_PROJECT, "OpenStack's own services")
        for name in SERVICE_USERS:
            self.user(name, service_project, ["admin", "service"])

        keystone = [("keystone", "identity", r, ports.url(ports.KEYSTONE, "/v3")) for r in self.ctx.regions]
        services = {(s.name, s.type): s for s in ident.services()}
        existing = {(e.service_id, e.interface, e.region_id): e for e in ident.endpoints()}
        for name, kind, region, url in keystone + list(endpoints):
            if (name, kind) not in services:
                services[(name, kind)] = ident.create_service(name=name, type=kind, is_enabled=True)
            service = services[(name, kind)]
            for interface in INTERFACES:
                e = existing.get((service.id, interface, region))
                if e is None:
                    ident.create_endpoint(service_id=service.id, interface=interface, url=url,
                                          region_id=region, is_enabled=True)
                elif e.url != url:
                    ident.update_endpoint(e, url=url)

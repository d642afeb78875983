"""Neutron: neutron-server with ML2 and the linuxbridge mechanism driver (this kernel has no
openvswitch module), and one linuxbridge agent per compute host name: ML2 binds a port only
for a host whose agent is alive, and Nova fails a boot whose port does not bind. Flat external
networks and VLAN tenant networks, each physical network on one end of a veth pair. No DHCP,
L3 or metadata agents: ports and routers are real API objects, nothing is routed."""
import subprocess

from .. import inifile, ports, veth
from ..context import Proc
from ..readiness import http_answers

TENANT_PHYSNET = "tenant"
TENANT_VLANS = "100:1099"


def external_physnets(ctx):
    """(external network name, physical network) for every external network."""
    return [(name, f"ext{i}") for i, name in enumerate(ctx.shape["externalNetworks"])]


def physnets(ctx):
    return [p for _, p in external_physnets(ctx)] + [TENANT_PHYSNET]


def _conf(ctx):
    return ctx.state.etc("neutron", "neutron.conf")


def _ml2(ctx):
    return ctx.state.etc("neutron", "ml2_conf.ini")


def _agent_conf(ctx, host):
    return ctx.state.etc("neutron", f"linuxbridge-{host}.ini")


def configure(ctx):
    inifile.write(_conf(ctx), {
        "DEFAULT": {
            "debug": False,
            "core_plugin": "ml2",
            "service_plugins": "router",
            "auth_strategy": "keystone",
            "bind_host": ports.HOST,
            "bind_port": ports.NEUTRON,
            "transport_url": ctx.transport_url(),
            "state_path": ctx.state.lib("neutron"),
            "api_workers": 0,  # the API in the server process itself
            "rpc_workers": 1,
            "rpc_state_report_workers": 0,
            "notify_nova_on_port_status_changes": True,
            "notify_nova_on_port_data_changes": True,
            "api_paste_config": "/etc/neutron/api-paste.ini",
        },
        "database": {"connection": ctx.database("neutron")},
        "keystone_authtoken": ctx.authtoken("neutron"),
        "nova": ctx.service_auth("neutron"),
        "experimental": {"linuxbridge": True},  # Zed keeps the linuxbridge driver behind this flag
        **ctx.common("neutron"),
    })
    inifile.write(_ml2(ctx), {
        "ml2": {
            "type_drivers": "flat,vlan",
            "tenant_network_types": "vlan",
            "mechanism_drivers": "linuxbridge",
            "extension_drivers": "port_security",
        },
        "ml2_type_flat": {"flat_networks": [p for _, p in external_physnets(ctx)]},
        "ml2_type_vlan": {"network_vlan_ranges": f"{TENANT_PHYSNET}:{TENANT_VLANS}"},
    })
    mappings = [f"{p}:{veth.interface(p)}" for p in physnets(ctx)]
    for host, _zone in ctx.compute_hosts():
        inifile.write(_agent_conf(ctx, host), {
            "DEFAULT": {"debug": False, "host": host, "transport_url": ctx.transport_url(),
                        "state_path": ctx.state.lib("neutron", host)},
            # We are root: `env` as root helper instead of sudo, whose use_pty would put the
            # privsep helper in a session of its own, out of reach of `down`.
            "agent": {"root_helper": "env"},
            "linux_bridge": {"physical_interface_mappings": mappings},
            "vxlan": {"enable_vxlan": False},
            # The host's iptables stay untouched; the security-group API is Neutron's own.
            "securitygroup": {"firewall_driver": "noop", "enable_security_group": True},
            **ctx.common("neutron"),
        })


def prepare(ctx):
    subprocess.run(["neutron-db-manage", "--config-file", _conf(ctx), "--config-file", _ml2(ctx),
                    "upgrade", "heads"], check=True, capture_output=True)


def processes(ctx):
    procs = [Proc("neutron-server", ["neutron-server", "--config-file", _conf(ctx), "--config-file", _ml2(ctx)],
                  ready=lambda: http_answers(ports.url(ports.NEUTRON)))]
    for host, _zone in ctx.compute_hosts():
        procs.append(Proc(f"neutron-linuxbridge-agent-{host}",
                          ["neutron-linuxbridge-agent", "--config-file", _agent_conf(ctx, host)]))
    return procs


def endpoints(ctx):
    return [("neutron", "network", ctx.region, ports.url(ports.NEUTRON))]



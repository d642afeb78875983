"""RabbitMQ, the message queue of nova, neutron and cinder (oslo.messaging has no brokerless
transport between processes). Everything on loopback: AMQP, the Erlang distribution port and
epmd, which the harness runs itself so that it does not daemonize out of reach of `down`."""
import os

from .. import ports
from ..context import Proc
from ..readiness import tcp_open

NODE = "factory-cloud@localhost"


def _env(ctx):
    lib = ctx.state.lib("rabbitmq")
    etc = ctx.state.etc("rabbitmq")
    return {
        "HOME": lib,  # the Erlang cookie lives in $HOME
        "RABBITMQ_CONF_ENV_FILE": os.path.join(etc, "rabbitmq-env.conf"),
        "RABBITMQ_CONFIG_FILE": os.path.join(etc, "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(etc, "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": os.path.join(lib, "mnesia"),
        "RABBITMQ_LOG_BASE": ctx.state.log_dir,
        "RABBITMQ_NODENAME": NODE,
        "RABBITMQ_NODE_IP_ADDRESS": ports.HOST,
        "RABBITMQ_NODE_PORT": str(ports.RABBITMQ),
        "RABBITMQ_DIST_PORT": str(ports.RABBITMQ_DIST),
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "ERL_EPMD_ADDRESS": ports.HOST,
        "ERL_EPMD_PORT": str(ports.EPMD),
    }


def configure(ctx):
    etc = ctx.state.etc("rabbitmq")
    os.makedirs(etc, exist_ok=True)
    files = {
        "rabbitmq-env.conf": "# the harness sets the environment itself\n",
        "enabled_plugins": "[].\n",
        "rabbitmq.conf": "\n".join([
            f"listeners.tcp.default = {ports.HOST}:{ports.RABBITMQ}",
            "log.console = true",
            "log.console.level = warning",
            "log.file = false",
            "disk_free_limit.absolute = 50MB",
            "",
        ]),
    }
    for name, text in files.items():
        with open(os.path.join(etc, name), "w") as f:
            f.write(text)


def processes(ctx):
    env = _env(ctx)
    return [
        Proc("epmd", ["epmd", "-address", ports.HOST, "-port", str(ports.EPMD)], env,
             ready=lambda: tcp_open(ports.EPMD)),
        Proc("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], env,
             ready=lambda: tcp_open(ports.RABBITMQ)),
    ]

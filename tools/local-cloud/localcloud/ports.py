"""Every port the local cloud listens on, all on 127.0.0.1: OpenStack's usual ones, so the
catalog looks like any cloud's. `up` refuses to start while one of them is taken by a
process it did not start."""
HOST = "127.0.0.1"

KEYSTONE = 5000
NOVA = 8774
PLACEMENT = 8778
CINDER = 8776
NEUTRON = 9696
GLANCE_FIRST = 9292  # the main region's Glance; each further region's Glance takes the next port
RABBITMQ = 5672
RABBITMQ_DIST = 25672  # Erlang distribution (rabbitmqctl talks to the node over it)
EPMD = 4369


def glance(region_index):
    return GLANCE_FIRST + region_index


def url(port, path=""):
    return f"http://{HOST}:{port}{path}"

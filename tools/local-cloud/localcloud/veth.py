"""The veth pairs the linuxbridge agents map physical networks to (an agent refuses a mapping
to an interface that does not exist). Nothing is attached to them: with the fake hypervisor no
tap device appears, so the agents never build a bridge. The pairs `up` created are recorded
in the state directory, and `down` deletes exactly those."""
import json
import os
import subprocess

PREFIX = "fcl-"


def interface(physnet):
    name = PREFIX + physnet
    if len(name) > 13:  # the peer adds "-p"; the kernel allows 15 characters
        raise ValueError(f"physical network name too long for an interface: {physnet}")
    return name


def _exists(name):
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


def _record(state):
    return state.path("veths.json")


def created(state):
    try:
        with open(_record(state)) as f:
            return json.load(f)
    except FileNotFoundError:
        return []


def ensure(state, physnets):
    mine = created(state)
    for p in physnets:
        name = interface(p)
        if not _exists(name):
            subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "-p"], check=True)
            mine.append(name)
        elif name not in mine:
            raise RuntimeError(f"network interface {name} exists and was not made by this local cloud")
        for end in (name, name + "-p"):
            subprocess.run(["ip", "link", "set", end, "up"], check=True)
    os.makedirs(os.path.dirname(_record(state)), exist_ok=True)
    with open(_record(state), "w") as f:
        json.dump(sorted(set(mine)), f)


def remove(state):
    for name in created(state):
        if _exists(name):
            subprocess.run(["ip", "link", "delete", name], check=True)  # takes its peer along

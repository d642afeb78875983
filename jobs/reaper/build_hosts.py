#!/usr/bin/env python3
"""Which servers of `openstack server list --long -f json` (on stdin) are a factory's
build hosts, and which of them may be reaped.

  build_hosts.py count   --env E                 number of build hosts of factory E
  build_hosts.py expired --env E --now RFC3339   one line per reapable server:
                                                 <name> TAB <build-id> TAB <role>
  build_hosts.py orphans --env E --ports P.json --volumes V.json
                                                 one line per port or scratch volume of a
                                                 build host of E whose server is gone:
                                                 port|volume TAB <id> TAB <name> TAB <build-id>
  (P.json: `openstack port list --long -f json`, V.json: `openstack volume list --long -f json`)

A server is reapable when its metadata says factory=E, role=build-host (or image-test,
the stage-9 test servers), `expires-at` is in the past and `keep` is not "true". A
server whose expires-at is missing or unreadable is never touched (reported on stderr):
the reaper must not guess about a host someone may be using.

A build host's port carries the tags factory=E, role=build-host, build-id=ID and its scratch
volume the same metadata; one whose build has no server any more (deleted by hand, or a
destroy or reap that stopped halfway) is an orphan. The reaper looks under the spawn lock,
so a host whose port exists and whose server is still being created is never seen.
"""
import argparse
import json
import sys
from datetime import datetime, timezone

REAPABLE_ROLES = ("build-host", "image-test")


def properties(server):
    """The metadata of a server; OSC prints it as a dict (>= 6.x) or as k='v', k='v'."""
    raw = server.get("Properties", server.get("properties", {}))
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    result = {}
    for part in str(raw or "").split(", "):
        if "=" in part:
            key, value = part.split("=", 1)
            result[key.strip()] = value.strip().strip("'")
    return result


def parse_time(text):
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value


def factory_servers(servers, env, roles):
    for server in servers:
        meta = properties(server)
        if meta.get("factory") == env and meta.get("role") in roles:
            yield server, meta


def tags(port):
    """A port's tags as a dict of the key=value ones; OSC prints a list (or "a, b" text)."""
    raw = port.get("Tags", port.get("tags", []))
    items = raw if isinstance(raw, list) else [t.strip() for t in str(raw or "").split(",")]
    return dict(t.split("=", 1) for t in items if "=" in t)


def orphans(servers, ports, volumes, env):
    builds = {meta.get("build-id") for _, meta in factory_servers(servers, env, ("build-host",))}
    for kind, resources, meta_of in (("port", ports, tags), ("volume", volumes, properties)):
        for resource in resources:
            meta = meta_of(resource)
            if meta.get("factory") != env or meta.get("role") != "build-host" or not meta.get("build-id"):
                continue
            if meta["build-id"] not in builds:
                name = resource.get("Name", resource.get("name", ""))
                yield f"{kind}\t{resource.get('ID', resource.get('id', ''))}\t{name}\t{meta['build-id']}"


def main():
    parser = argparse.ArgumentParser(prog="build_hosts.py")
    parser.add_argument("command", choices=["count", "expired", "orphans"])
    parser.add_argument("--env", required=True)
    parser.add_argument("--now", help="RFC 3339 time; default: the current UTC time")
    parser.add_argument("--ports", help="orphans: `openstack port list --long -f json` output")
    parser.add_argument("--volumes", help="orphans: `openstack volume list --long -f json` output")
    args = parser.parse_args()
    servers = json.load(sys.stdin)
    if args.command == "orphans":
        if not args.ports or not args.volumes:
            parser.error("orphans needs --ports and --volumes")
        with open(args.ports, encoding="utf-8") as p, open(args.volumes, encoding="utf-8") as v:
            for line in orphans(servers, json.load(p), json.load(v), args.env):
                print(line)
        return
    if args.command == "count":
        print(sum(1 for _ in factory_servers(servers, args.env, ("build-host",))))
        return
    now = parse_time(args.now) if args.now else datetime.now(timezone.utc)
    for server, meta in factory_servers(servers, args.env, REAPABLE_ROLES):
        name = server.get("Name", server.get("name", ""))
        if meta.get("keep", "false").lower() == "true":
            continue
        try:
            expires = parse_time(meta["expires-at"])
        except (KeyError, ValueError):
            print(f"build_hosts.py: {name}: no readable expires-at ({meta.get('expires-at')!r}); left alone", file=sys.stderr)
            continue
        if expires <= now:
            print(f"{name}\t{meta.get('build-id', '')}\t{meta['role']}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The image catalogue of an environment file, as the pipeline needs it.

  catalogue.py entry --model FILE --image NAME [--template T] [--definition D] [--regions "R1 R2"]
      prints the catalogue entry of NAME as JSON, with the schema's defaults applied, the
      job's overrides (empty = catalogue value) and the factory facts the stages need.
  catalogue.py meta --entry entry.json --build-id ID --git-commit SHA --date TIME [--base-url URL]
      prints META.json (the contract with jobs/publish/*.sh): the entry's image facts, the
      build's, and what the SCS image metadata (scs-0102) derives from them. TIME is when the
      build started (RFC 3339, UTC): every update published before it is in the image.
  catalogue.py get [--default VALUE] FILE KEY.PATH
      prints one value of a JSON file (lists space-separated, booleans true/false); a
      missing key is an error, or VALUE when given (the optional `owner`, for one).

`entry` reads the environment as `factory templates` resolved it, validated and with the
schema's defaults applied: the model file jobs/build-hosts/<env>/factory.json (--model).
Runs wherever cloud-init does (python3 is its dependency).
"""
import argparse
import calendar
import datetime
import json
import sys

def fail(message):
    print(f"catalogue.py: {message}", file=sys.stderr)
    sys.exit(1)


def resolve_entry(args):
    with open(args.model, encoding="utf-8") as f:
        env = json.load(f)["environment"]
    env_file = f"environments/{env['name']}.yaml"
    images = env["images"]
    found = [i for i in images if i.get("name") == args.image]
    if not found:
        names = ", ".join(i.get("name", "?") for i in images) or "none"
        fail(f"{env_file}: images: no image named {args.image!r} (have: {names})")
    entry = dict(found[0])
    upload_regions = env["uploadRegions"]
    entry.setdefault("regions", upload_regions)
    if args.template:
        entry["template"] = args.template
    if args.definition:
        entry["definition"] = args.definition
    if args.regions is not None and args.regions.strip():
        entry["regions"] = args.regions.split()
    templates = {t["name"]: t for t in env["buildHosts"]["templates"]}
    template = templates.get(entry["template"])
    if template is None:
        fail(f"{env_file}: buildHosts.templates: no template named {entry['template']!r} (have: {', '.join(templates) or 'none'})")
    if template["tooling"] != entry["tooling"]:
        fail(f"template {template['name']!r} has tooling {template['tooling']}, image {args.image!r} needs {entry['tooling']}")
    if env["region"] in entry["regions"]:
        fail(f"regions: {env['region']!r} is the factory's own region; list only the other regions")
    web = env.get("web") or {}
    # The web servers serve plain HTTP (no TLS keys in user-data; README), as the web
    # stack's web_urls output says: published signature and hash-list URLs must match.
    entry["factory"] = {
        "environment": env["name"],
        "region": env["region"],
        "maxInstances": env["buildHosts"]["maxInstances"],
        "ttlHours": env["buildHosts"]["ttlHours"],
        "templateFlavor": template["flavor"],
        "imageRetentionMonths": env["imageRetentionMonths"],
        "webBaseUrl": f"http://{web['domain']}" if web.get("domain") and web.get("count", 0) > 0 else "",
        # The name the controller resolves to find the web servers it pushes the tree to.
        "webDomain": web["domain"] if web.get("domain") and web.get("count", 0) > 0 else "",
        # What the image's package manager uses (stage 7 hands them to the image tool); "" = the tool's default.
        "mirrors": {"debian": (env.get("mirrors") or {}).get("debian", ""), "debianSecurity": (env.get("mirrors") or {}).get("debianSecurity", "")},
    }
    json.dump(entry, sys.stdout, indent=2, sort_keys=True)
    print()


def add_months(day, months):
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def write_meta(args):
    with open(args.entry, encoding="utf-8") as f:
        entry = json.load(f)
    try:
        started = datetime.datetime.fromisoformat(args.date.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--date {args.date!r}: not an RFC 3339 time")
    if started.tzinfo is None:
        fail(f"--date {args.date!r}: the time needs its zone (Z for UTC)")
    started = started.astimezone(datetime.timezone.utc)
    keys = ["name", "definition", "tooling", "minDiskGb", "minRamMb", "visibility", "os", "regions", "guestAgent", "diskBus", "vifModel",
            "loginUser", "description", "purpose", "replaceFrequency", "providedUntil", "hotfixHours", "hypervisorType", "rngModel", "maintainedUntil"]
    meta = {k: entry[k] for k in keys if k in entry}
    base = f"{args.base_url.rstrip('/')}/{entry['name']}/{args.build_id}" if args.base_url else ""
    qcow2 = f"{entry['name']}.qcow2"
    os_ = entry["os"]
    meta.update(
        buildId=args.build_id,
        gitCommit=args.git_commit,
        date=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        signatureUrl=f"{base}/{qcow2}.asc" if base else "",
        hashListUrl=f"{base}/{entry['name']}.hashdeep" if base else "",
        # SCS: where the image can be downloaded ("private": nowhere), and what it is.
        imageSource=f"{base}/{qcow2}" if base else "private",
        imageDescription=entry.get("description")
        or (f"{base}/" if base else f"{os_['distro']} {os_['version']} ({os_['architecture']}) from {entry['definition']} at {args.git_commit}"),
        # Retention deletes an image no earlier than imageRetentionMonths after its build.
        uuidValidity=add_months(started.date(), int(entry["factory"]["imageRetentionMonths"])).isoformat(),
    )
    json.dump(meta, sys.stdout, indent=2, sort_keys=True)
    print()


def get(args):
    with open(args.file, encoding="utf-8") as f:
        value = json.load(f)
    for key in args.path.split("."):
        if not isinstance(value, dict) or key not in value:
            if args.default is not None:
                print(args.default)
                return
            fail(f"{args.file}: no key {args.path!r}")
        value = value[key]
    if isinstance(value, bool):
        print("true" if value else "false")
    elif isinstance(value, list):
        print(" ".join(str(v) for v in value))
    elif isinstance(value, dict):
        print(json.dumps(value, sort_keys=True))
    else:
        print(value)


def main():
    parser = argparse.ArgumentParser(prog="catalogue.py")
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("entry")
    e.add_argument("--model", required=True)
    e.add_argument("--image", required=True)
    e.add_argument("--template", default="")
    e.add_argument("--definition", default="")
    e.add_argument("--regions", default=None)
    e.set_defaults(run=resolve_entry)
    m = sub.add_parser("meta")
    m.add_argument("--entry", required=True)
    m.add_argument("--build-id", required=True)
    m.add_argument("--git-commit", required=True)
    m.add_argument("--date", required=True)
    m.add_argument("--base-url", default="")
    m.set_defaults(run=write_meta)
    g = sub.add_parser("get")
    g.add_argument("--default", default=None)
    g.add_argument("file")
    g.add_argument("path")
    g.set_defaults(run=get)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

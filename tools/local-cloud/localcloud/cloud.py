"""up, status and down of the local cloud: the order things are configured, started, waited
for and bootstrapped in."""
import concurrent.futures
import os
import shutil
import subprocess
import time

from . import packages, ports, shape as shapes, usage, veth
from .context import ADMIN_CLOUD, Context, log
from .processes import Processes
from .readiness import tcp_open, wait_for

# Started first and stopped last: what every other process talks to.
INFRASTRUCTURE = ["epmd", "rabbitmq", "mariadb"]
START_TIMEOUT = 300


def _once(ctx, key, fn):
    """Runs a one-time setup step (a schema, keys) unless this state directory has done it."""
    marker = ctx.state.lib_file("done", key)
    if not os.path.exists(marker):
        fn()
        open(marker, "w").close()


def _parallel(*steps):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(steps)) as pool:
        for future in [pool.submit(s) for s in steps]:
            future.result()


def _services():
    from .services import cinder, glance, keystone, mariadb, neutron, nova, placement, rabbitmq
    return dict(rabbitmq=rabbitmq, mariadb=mariadb, keystone=keystone, glance=glance,
                placement=placement, nova=nova, neutron=neutron, cinder=cinder)


def all_processes(ctx):
    s = _services()
    return [p for name in ("rabbitmq", "mariadb", "keystone", "glance", "placement", "nova", "neutron", "cinder")
            for p in s[name].processes(ctx)]


def _listening_ports(ctx):
    return [ports.KEYSTONE, ports.NOVA, ports.PLACEMENT, ports.CINDER, ports.NEUTRON, ports.RABBITMQ,
            ports.RABBITMQ_DIST, ports.EPMD, *[ports.glance(i) for i in range(len(ctx.regions))]]


def _check_ports_free(ctx, procs):
    """Before starting anything: a port in use while none of our processes runs is someone else's."""
    if any(procs.running(p.name) for p in all_processes(ctx)):
        return
    taken = [p for p in _listening_ports(ctx) if tcp_open(p)]
    if taken:
        owners = subprocess.run(["ss", "-Hltnp", *sum([["sport", "=", f":{p}", "or"] for p in taken], [])[:-1]],
                                capture_output=True, text=True).stdout.strip()
        raise RuntimeError(f"ports {', '.join(map(str, taken))} on {ports.HOST} are in use by other processes:\n{owners}")


def _start_missing(procs, wanted):
    """Starts what is not running; restarts what runs with a configuration that has changed
    since (the cloud grew: a zone, an external network, a region)."""
    for p in wanted:
        if procs.running(p.name) and not procs.current(p.name, p.argv, p.env):
            log(f"restarting {p.name}: its configuration changed")
            procs.stop(p.name)
        if not procs.running(p.name):
            procs.start(p.name, p.argv, p.env)


def _wait_ready(procs, wanted):
    def one(p):
        if p.ready is None:
            wait_for(p.name, lambda: True, 1, alive=lambda: procs.running(p.name))
            return
        try:
            wait_for(p.name, p.ready, START_TIMEOUT, alive=lambda: procs.running(p.name))
        except RuntimeError as e:
            raise RuntimeError(f"{e}; its log: {procs.log_path(p.name)}\n{_tail(procs.log_path(p.name))}") from None
    _parallel(*[lambda p=p: one(p) for p in wanted])


def _tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except FileNotFoundError:
        return ""


def up(state, config_files):
    t0 = time.monotonic()

    def phase(what):
        log(f"{what} after {time.monotonic() - t0:.0f} s")
    if packages.ensure(log):
        phase("packages installed")
    state.create()
    log(f"state directory: {state.root}")
    shape = shapes.compute(state, config_files)
    state.save_shape(shape)  # what the cloud is being made into: status and down go by it
    ctx = Context(state, shape)
    procs = Processes(state.run_dir, state.log_dir)
    s = _services()
    _check_ports_free(ctx, procs)
    veth.ensure(state, s["neutron"].physnets(ctx))

    for name in ("rabbitmq", "mariadb", "keystone", "glance"):
        s[name].configure(ctx)
    infra = [p for p in all_processes(ctx) if p.name in INFRASTRUCTURE]
    _start_missing(procs, infra)

    def identity():
        _once(ctx, "keystone-schema", lambda: s["keystone"].prepare(ctx))
        keystone = s["keystone"].processes(ctx)
        _start_missing(procs, keystone)
        _wait_ready(procs, keystone)
        _once(ctx, "keystone-bootstrap", lambda: s["keystone"].bootstrap(ctx))

    def sql_services():
        # Their configuration names their databases, which exist once MariaDB runs.
        _wait_ready(procs, [p for p in infra if p.name == "mariadb"])
        ctx.databases = {db: s["mariadb"].database(ctx, db) for db in s["mariadb"].DATABASES}
        for name in ("neutron", "placement", "nova", "cinder"):
            s[name].configure(ctx)
        _parallel(*(lambda name=name: _once(ctx, f"{name}-schema", lambda: s[name].prepare(ctx))
                    for name in ("neutron", "placement", "nova", "cinder")))

    _parallel(identity, sql_services, lambda: _wait_ready(procs, infra), lambda: s["glance"].prepare(ctx))
    # The SDK only in the main thread: it loads eventlet's greenlet, and a thread that used
    # it never finishes exiting here.
    from . import connection, identity
    endpoints = [e for name in ("glance", "placement", "nova", "neutron", "cinder") for e in s[name].endpoints(ctx)]
    ident = identity.Identity(ctx, connection.connect(ctx))
    ident.services_and_catalog(endpoints)
    phase("databases, Keystone and its catalog ready")
    everything = all_processes(ctx)
    _start_missing(procs, everything)
    _wait_ready(procs, everything)
    phase("every API answers")

    from . import compute, resources, tenants
    conn = connection.connect(ctx)  # a fresh token: its catalog has every endpoint now
    compute.ensure_hosts(ctx, conn, lambda: s["nova"].discover_hosts(ctx))
    compute.wait_agents(ctx, conn)
    compute.wait_volume_backends(ctx, conn)
    phase("compute hosts, agents and volume backends registered")
    resources.ensure_aggregates(conn, ctx.compute_hosts())
    resources.ensure_flavors(conn, shape["flavors"])
    resources.ensure_external_networks(ctx, conn)
    resources.ensure_images(ctx, conn, shape["images"])
    ident.conn = conn
    tenants.ensure(ctx, ident)
    path = tenants.write_clouds_yaml(ctx)
    phase(f"ready (admin entry: {ADMIN_CLOUD})")
    return path


def status(state, cpu_seconds=0):
    """Lines of `name pid state` and the totals, and whether everything runs and answers."""
    shape = state.shape()
    procs = Processes(state.run_dir, state.log_dir)
    if shape is None and not procs.names():
        return [f"no local cloud in {state.root}"], False
    wanted = all_processes(Context(state, shape)) if shape else []
    known = {p.name: p for p in wanted}
    names = [p.name for p in wanted] + [n for n in procs.names() if n not in known]
    lines, ok = [], shape is not None
    for name in names:
        rec = procs.record(name)
        if not procs.running(name):
            what, ok = "stopped", False
        elif known.get(name) and known[name].ready and not known[name].ready():
            what, ok = "running, not answering", False
        else:
            what = "running, answering" if known.get(name) and known[name].ready else "running"
        lines.append(f"{name:<48} {rec['pid'] if rec else '-':>8}  {what}")
    count, rss = usage.rss_mib(procs)
    lines.append(f"resident memory: {rss:.0f} MiB in {count} processes")
    if cpu_seconds > 0:
        lines.append(f"CPU over {cpu_seconds:.0f} s: {100 * usage.cpu_share(procs, cpu_seconds):.1f} % of one core")
    return lines, ok


def down(state):
    """Stops exactly the processes `up` recorded, deletes its veth pairs and the state directory."""
    if not state.exists():
        log(f"no local cloud in {state.root}")
        return True
    procs = Processes(state.run_dir, state.log_dir)
    names = procs.names()
    first = [n for n in names if n not in INFRASTRUCTURE]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(first))) as pool:
        results += list(pool.map(procs.stop, first))
    for name in reversed(INFRASTRUCTURE):
        if name in names:
            results.append(procs.stop(name))
    if not all(results):
        raise RuntimeError("some processes did not stop; state directory kept: " + state.root)
    veth.remove(state)
    left = _processes_mentioning(state.root)
    if left:
        raise RuntimeError(f"processes still name {state.root} (not stopped): {left}")
    shutil.rmtree(state.root)
    log(f"stopped {len(names)} processes, removed {state.root}")
    return True


def _processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found

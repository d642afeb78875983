"""The one state directory holding everything of a local cloud: configuration (etc/), data
(lib/), logs (log/), process records (run/), the cloud's shape, generated passwords and the
clouds.yaml. `down` removes it whole."""
import json
import os
import secrets
import sqlite3

DEFAULT_DIR = "/var/tmp/factory-cloud"
ENV_VAR = "FACTORY_CLOUD_DIR"


class State:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def etc(self, *parts):
        return self.path("etc", *parts)

    def lib(self, *parts):
        """A data directory (made if missing)."""
        p = self.path("lib", *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def lib_file(self, *parts):
        """A data file's path (its directory made if missing)."""
        return os.path.join(self.lib(*parts[:-1]), parts[-1])

    @property
    def run_dir(self):
        return self.path("run")

    @property
    def log_dir(self):
        return self.path("log")

    @property
    def clouds_yaml(self):
        return self.path("clouds.yaml")

    @property
    def shape_file(self):
        return self.path("shape.json")

    def exists(self):
        return os.path.isdir(self.root)

    def create(self):
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        os.chmod(self.root, 0o700)

    def shape(self):
        try:
            with open(self.shape_file) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def save_shape(self, shape):
        with open(self.shape_file, "w") as f:
            json.dump(shape, f, indent=2)

    def password(self, who):
        """A generated password, the same on every `up` of this state directory."""
        path = self.path("passwords.json")
        try:
            with open(path) as f:
                known = json.load(f)
        except FileNotFoundError:
            known = {}
        if who not in known:
            known[who] = secrets.token_hex(16)
            tmp = path + ".tmp"
            with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                json.dump(known, f, indent=2)
            os.replace(tmp, path)
        return known[who]

    def sqlite_url(self, service, name=None):
        """sqlite with WAL and a 30 s busy timeout: without them, "database is locked" under load."""
        db = self.lib_file(service, f"{name or service}.sqlite")
        with sqlite3.connect(db) as conn:  # WAL is a property of the file: set once, kept
            conn.execute("PRAGMA journal_mode=WAL")
        return f"sqlite:///{db}?timeout=30"

"""The cloud's shape, computed from the environment files by the project's own loader
(tools/local-cloud/shape.ts, compiled to dist/), grown from the shape the cloud already has."""
import json
import os
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCRIPT = os.path.join(REPO, "dist", "tools", "local-cloud", "shape.js")


class ShapeError(Exception):
    pass


def compute(state, config_files):
    if not os.path.exists(SCRIPT):
        raise ShapeError(f"{SCRIPT} is missing: run `npm run build` (npm run cloud does)")
    previous = ["--previous", state.shape_file] if os.path.exists(state.shape_file) else []
    r = subprocess.run(["node", SCRIPT, *previous, *config_files], capture_output=True, text=True)
    if r.returncode != 0:
        raise ShapeError(r.stderr.strip() or f"shape.js exited {r.returncode}")
    return json.loads(r.stdout)

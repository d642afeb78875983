"""Writes an OpenStack service's ini file from a dict of sections, in the order given."""
import os


def render(sections):
    out = []
    for section, options in sections.items():
        out.append(f"[{section}]")
        for key, value in options.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple)):
                value = ",".join(str(v) for v in value)
            out.append(f"{key} = {value}")
        out.append("")
    return "\n".join(out)


def write(path, sections):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = render(sections)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)  # service passwords
    os.replace(tmp, path)
    return path

#!/usr/bin/env python3
"""The Jenkins plugin set of the controller, derived from the jenkinsci `bom` and the
plugins' own sources (nothing here can reach the Jenkins update site or Maven repository).

  jenkins-plugins.py bom --bom-repo DIR --tag TAG --line 2.555.x > jobs/jenkins/bom-2.555.x.txt
      The versions a bom line manages (groupId:artifactId version), from a git clone of
      https://github.com/jenkinsci/bom at the release tag TAG, and the Jenkins version the
      bom tests that line with (sample-plugin's profile).

  jenkins-plugins.py resolve --bom FILE --sources DIR [--plugins jobs/jenkins/plugins.txt]
      Takes the plugins under "# Used directly" in plugins.txt, adds every plugin they need
      (transitively, from each plugin's pom.xml at the version the bom pins), pins them all
      to the bom's versions and rewrites plugins.txt; writes what each plugin declares it
      needs (Jenkins core and plugin dependencies with their minimum versions) to
      plugin-requirements.txt next to it. DIR holds git clones of the plugins' repositories,
      as DIR/<owner>+<repo>/repo (the layout of a mirror) or DIR/<repo>.

Both outputs are committed; test/jenkins-plugins.test.ts checks them against each other.
Run with Debian's /usr/bin/python3 (standard library only).
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"m": "http://maven.apache.org/POM/4.0.0"}
PLUGINS_FILE = "plugins.txt"
REQUIREMENTS_FILE = "plugin-requirements.txt"
DIRECT_HEADER = "# Used directly"
TRANSITIVE_HEADER = "# Needed by the above"
# Repositories whose name is not <artifactId>-plugin (checked in their pom.xml).
REPOSITORY_OF = {
    "ssh-slaves": "ssh-agents-plugin",
    "workflow-aggregator": "pipeline-plugin",
    "pipeline-model-api": "pipeline-model-definition-plugin",
    "pipeline-model-extensions": "pipeline-model-definition-plugin",
    "pipeline-stage-tags-metadata": "pipeline-model-definition-plugin",
    "mina-sshd-api-common": "mina-sshd-api-plugin",
    "mina-sshd-api-core": "mina-sshd-api-plugin",
    "jquery3-api": "jquery3-api-plugin",
}


def fail(message):
    print(f"jenkins-plugins.py: {message}", file=sys.stderr)
    sys.exit(1)


def git(repo, *args):
    result = subprocess.run(["git", "--git-dir", repo, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise LookupError(result.stderr.strip())
    return result.stdout


def git_dir(path):
    for candidate in (os.path.join(path, "repo"), os.path.join(path, ".git"), path):
        if os.path.isfile(os.path.join(candidate, "HEAD")):
            return candidate
    return None


def text(element, path):
    found = element.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


class Pom:
    """One pom.xml at a commit of a repository, with its in-repository parents."""

    def __init__(self, repo, commit, path, parent=None):
        self.repo, self.commit, self.path = repo, commit, path
        self.root = ET.fromstring(git(repo, "show", f"{commit}:{path}"))
        self.parent = parent
        self.artifact_id = text(self.root, "m:artifactId")
        self.group_id = text(self.root, "m:groupId") or (parent.group_id if parent else text(self.root, "m:parent/m:groupId"))
        self.packaging = text(self.root, "m:packaging") or "jar"
        own = {child.tag.split("}")[1]: (child.text or "").strip() for child in self.root.findall("m:properties/*", NS)}
        self.properties = {**(parent.properties if parent else {}), **own}
        self.properties.setdefault("project.groupId", self.group_id or "")
        self.properties["project.artifactId"] = self.artifact_id

    def expand(self, value, depth=0):
        if value is None or "${" not in value or depth > 10:
            return value
        return self.expand(re.sub(r"\$\{([^}]+)\}", lambda m: self.properties.get(m.group(1), m.group(0)), value), depth + 1)

    def dependencies(self, section):
        """(groupId, artifactId, version, scope, optional, type, classifier) of a section, own then inherited."""
        found = []
        for dep in self.root.findall(f"{section}/m:dependency", NS):
            found.append(tuple(self.expand(text(dep, f"m:{field}")) for field in ("groupId", "artifactId", "version", "scope", "optional", "type", "classifier")))
        return found + (self.parent.dependencies(section) if self.parent else [])


def read_bom(repo, tag, artifact_id, seen=None):
    """{groupId:artifactId: version} managed by bom `artifact_id` at `tag` (imports followed;
    the pom's own entries win over imported ones, earlier imports over later ones)."""
    seen = seen or set()
    if artifact_id in seen:
        return {}
    seen.add(artifact_id)
    root_pom = Pom(repo, tag, "pom.xml")
    root_pom.properties["project.version"] = tag
    pom = Pom(repo, tag, f"{artifact_id}/pom.xml", parent=root_pom)
    pom.properties["project.version"] = tag
    managed, imported = {}, []
    for group, artifact, version, scope, _optional, kind, classifier in pom.dependencies("m:dependencyManagement/m:dependencies"):
        if scope == "import" and kind == "pom":
            imported.append(read_bom(repo, version if version != tag else tag, artifact, seen))
        elif not classifier:
            managed.setdefault(f"{group}:{artifact}", version)
    for more in imported:
        for key, version in more.items():
            managed.setdefault(key, version)
    return managed


def bom_command(args):
    repo = git_dir(args.bom_repo) or fail(f"{args.bom_repo} is not a git clone of jenkinsci/bom")
    commit = git(repo, "rev-list", "-n", "1", args.tag).strip()
    managed = read_bom(repo, args.tag, f"bom-{args.line}")
    sample = ET.fromstring(git(repo, "show", f"{args.tag}:sample-plugin/pom.xml"))
    jenkins_version = None
    for profile in sample.findall("m:profiles/m:profile", NS):
        if text(profile, "m:id") == args.line:
            jenkins_version = text(profile, "m:properties/m:jenkins.version")
    jenkins_version or fail(f"sample-plugin/pom.xml at {args.tag} has no profile {args.line}")
    print(f"# The versions bom-{args.line} manages: https://github.com/jenkinsci/bom, release {args.tag} (commit {commit}).")
    print(f"# Regenerate: tools/jenkins-plugins.py bom --bom-repo <clone of jenkinsci/bom> --tag {args.tag} --line {args.line}")
    print(f"jenkins.version {jenkins_version}")
    for key in sorted(managed):
        print(f"{key} {managed[key]}")


def load_bom_file(path):
    versions, jenkins_version, source = {}, None, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = re.match(r"# The versions bom-(\S+) manages: \S+, release (\S+) \(commit ([0-9a-f]+)\)", line)
            if m:
                source = m.groups()
            if not line or line.startswith("#"):
                continue
            key, version = line.split()
            if key == "jenkins.version":
                jenkins_version = version
            else:
                versions[key.split(":")[1]] = (key.split(":")[0], version)
    return versions, jenkins_version, source


def commit_of(repo, artifact_id, version):
    """The commit a plugin version was released from: its tag, or the hash in a CD version."""
    for ref in (version, f"{artifact_id}-{version}", f"v{version}", f"{artifact_id}-parent-{version}"):
        try:
            return git(repo, "rev-list", "-n", "1", ref, "--").strip()
        except LookupError:
            pass
    m = re.search(r"\.v([0-9a-f_]+)$", version)
    if m:
        try:
            return git(repo, "rev-parse", "--verify", m.group(1).replace("_", "") + "^{commit}").strip()
        except LookupError:
            pass
    raise LookupError(f"no tag or commit for {artifact_id} {version}")


def source_commit(repo, artifact_id, version, allow_older):
    """(commit, exact): the release commit, or with allow_older the clone's newest commit
    when the clone ends before the release (then the requirements are of an older version)."""
    try:
        return commit_of(repo, artifact_id, version), True
    except LookupError:
        if not allow_older:
            raise
        return git(repo, "rev-parse", "HEAD").strip(), False


def plugin_pom(repo, commit, artifact_id):
    """The module pom.xml of `artifact_id` at `commit`, with its in-repository parents."""
    paths = sorted((p for p in git(repo, "ls-tree", "-r", "--name-only", commit).split("\n") if p == "pom.xml" or p.endswith("/pom.xml")), key=len)
    by_dir = {}
    for path in paths:
        try:
            root = ET.fromstring(git(repo, "show", f"{commit}:{path}"))
        except ET.ParseError:
            continue
        by_dir[os.path.dirname(path)] = root
        if text(root, "m:artifactId") == artifact_id and (text(root, "m:packaging") or "jar") in ("hpi", "jpi"):
            chain, directory = [], os.path.dirname(path)
            while True:
                chain.insert(0, os.path.join(directory, "pom.xml") if directory else "pom.xml")
                if not directory:
                    break
                directory = os.path.dirname(directory)
                if directory not in by_dir and (os.path.join(directory, "pom.xml") if directory else "pom.xml") not in paths:
                    break
            pom = None
            for link in chain:
                pom = Pom(repo, commit, link, parent=pom)
            return pom
    raise LookupError(f"no hpi module {artifact_id} at {commit}")


def requirements(pom, version, bom_repo, plugin_names):
    """(core version, [(plugin, minimum version, optional)]) a plugin's pom declares; "*"
    where the version comes from a parent pom outside the repository (unknown here)."""
    # Modules of one repository are released together, at the plugin's own version.
    pom.properties["project.version"] = version
    managed = {}
    for group, artifact, version, scope, _optional, kind, classifier in pom.dependencies("m:dependencyManagement/m:dependencies"):
        if scope == "import" and kind == "pom":
            if group == "io.jenkins.tools.bom":
                for key, v in read_bom(bom_repo, version, artifact).items():
                    managed.setdefault(key.split(":")[1], v)
        elif not classifier:
            managed.setdefault(artifact, version)
    needs = []
    for group, artifact, version, scope, optional, kind, classifier in pom.dependencies("m:dependencies"):
        if plugin_names.get(artifact) != group or scope in ("test", "provided") or classifier:
            continue
        wanted = pom.expand(version) or managed.get(artifact) or "*"
        if "${" in wanted:
            raise LookupError(f"{pom.artifact_id}: cannot resolve the version {wanted} of its dependency {artifact}")
        needs.append((artifact, wanted, optional == "true"))
    core = pom.expand(pom.properties.get("jenkins.version")) or "*"
    return core, needs


def read_plugins(path):
    direct = []
    section = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(DIRECT_HEADER):
                section = direct
            elif line.startswith(TRANSITIVE_HEADER):
                section = None
            elif section is not None and line and not line.startswith("#"):
                section.append(line.split(":")[0])
    direct or fail(f"{path}: no plugins under '{DIRECT_HEADER}'")
    return direct


def find_repository(sources, artifact_id):
    names = [REPOSITORY_OF.get(artifact_id, f"{artifact_id}-plugin"), artifact_id]
    for name in names:
        for candidate in (f"jenkinsci+{name}", name):
            found = git_dir(os.path.join(sources, candidate))
            if found:
                return found
    raise LookupError(f"no clone of jenkinsci/{names[0]} under {sources}")


def resolve_command(args):
    bom, jenkins_version, source = load_bom_file(args.bom)
    bom_repo = git_dir(args.bom_repo) if args.bom_repo else find_repository(args.sources, "bom")
    direct = read_plugins(args.plugins)
    plugin_names = {name: group for name, (group, _version) in bom.items()}
    pins, needs, missing, queue = {}, {}, [], list(direct)
    while queue:
        name = queue.pop(0)
        if name in pins:
            continue
        if name not in bom:
            fail(f"{name} is not managed by the bom ({args.bom})")
        version = bom[name][1]
        pins[name] = version
        if name in args.no_source:
            needs[name] = ("*", [], "unread")
            continue
        try:
            repo = find_repository(args.sources, name)
            commit, exact = source_commit(repo, name, version, args.allow_older_sources)
            pom = plugin_pom(repo, commit, name)
            core, deps = requirements(pom, version, bom_repo, plugin_names)
        except LookupError as e:
            missing.append(str(e))
            continue
        needs[name] = (core, deps, "" if exact else commit[:12])
        queue.extend(dep for dep, _v, optional in deps if not optional)
    if missing:
        fail("cannot read every plugin's pom.xml:\n  " + "\n  ".join(missing))
    directory = os.path.dirname(args.plugins)
    transitive = sorted(set(pins) - set(direct))
    line, tag, commit = source
    flags = (" --allow-older-sources" if args.allow_older_sources else "") + (f" --no-source {','.join(args.no_source)}" if args.no_source else "")
    with open(args.plugins, "w") as f:
        f.write(f"""# Jenkins plugins, installed at first boot by jenkins-plugin-cli --latest false (name:version).
# Every plugin is pinned, dependencies included, to the versions of the jenkinsci bom line
# {line} (release {tag}, jobs/jenkins/bom-{line}.txt) for Jenkins {jenkins_version}, so the
# plugin manager resolves nothing by itself. To change the set: edit '{DIRECT_HEADER}', then
#   tools/jenkins-plugins.py resolve --bom jobs/jenkins/bom-{line}.txt --sources <clones>{flags}
# (rewrites this file and plugin-requirements.txt); a new controller, or jenkins-plugin-cli
# with this file and a restart, installs it.
{DIRECT_HEADER}
""")
        for name in direct:
            f.write(f"{name}:{pins[name]}\n")
        f.write(f"{TRANSITIVE_HEADER} (transitively; from their pom.xml at these versions)\n")
        for name in transitive:
            f.write(f"{name}:{pins[name]}\n")
    with open(os.path.join(directory, REQUIREMENTS_FILE), "w") as f:
        f.write(f"""# What each pinned plugin declares it needs, read from its pom.xml at the pinned version
# (jenkins.version, and its plugin dependencies with the versions its pom or the bom it
# imports gives them; "?" marks an optional dependency). Written by
# tools/jenkins-plugins.py resolve; test/jenkins-plugins.test.ts checks plugins.txt against it.
# A plugin whose clone ended before the pinned release was read at the clone's newest
# commit instead, named as "@<commit>" after its version: its needs are those of an older
# version (a pinned release can only need as much or more of the same plugins); one whose
# source could not be had at all is marked "@unread" (core "*": unknown).
# plugin version[@older-commit] core dependency:version...
""")
        for name in sorted(needs):
            core, deps, older = needs[name]
            rendered = " ".join(f"{dep}:{version}{'?' if optional else ''}" for dep, version, optional in sorted(deps))
            f.write(f"{name} {pins[name]}{'@' + older if older else ''} {core} {rendered}".rstrip() + "\n")
    print(f"{len(pins)} plugins ({len(direct)} direct) pinned to bom-{line} {tag}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(prog="jenkins-plugins.py")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bom")
    b.add_argument("--bom-repo", required=True)
    b.add_argument("--tag", required=True)
    b.add_argument("--line", required=True)
    r = sub.add_parser("resolve")
    r.add_argument("--bom", required=True)
    r.add_argument("--sources", required=True)
    r.add_argument("--bom-repo", help="clone of jenkinsci/bom (default: under --sources)")
    r.add_argument("--plugins", default=os.path.join("jobs", "jenkins", PLUGINS_FILE))
    r.add_argument("--no-source", type=lambda v: v.split(","), default=[], help="comma-separated plugins whose repository cannot be had: pinned, requirements unread (marked)")
    r.add_argument("--allow-older-sources", action="store_true", help="read a plugin whose clone ends before its pinned release at the clone's newest commit (marked in the output)")
    args = parser.parse_args()
    {"bom": bom_command, "resolve": resolve_command}[args.command](args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The JCasC keys of the classes jobs/jenkins/security-ldap.yaml configures, read from the
plugins' own sources at the versions plugins.txt pins (nothing here can start Jenkins).

  jenkins-casc-keys.py --sources DIR [--requirements jobs/jenkins/plugin-requirements.txt] > jobs/jenkins/casc-keys.txt

For each class: the symbols JCasC knows it by (@Symbol on its descriptor; a Configurator's
getName()) and the keys it takes: the parameters of its @DataBoundConstructor, the
properties of its @DataBoundSetter methods, a Configurator's attributes. Each plugin is
read at the commit plugin-requirements.txt names for it (its release tag, or "@<commit>"
when the clone ended before the release). DIR holds git clones as DIR/<owner>+<repo>/repo.
test/jobs-security.test.ts checks security-ldap.yaml against the output.
Run with Debian's /usr/bin/python3 (standard library only).
"""
import argparse
import os
import re
import subprocess
import sys

# plugin, repository, source file, class (nested: Outer.Inner)
CLASSES = [
    ("ldap", "jenkinsci/ldap-plugin", "src/main/java/hudson/security/LDAPSecurityRealm.java", "LDAPSecurityRealm"),
    ("ldap", "jenkinsci/ldap-plugin", "src/main/java/hudson/security/LDAPSecurityRealm.java", "LDAPSecurityRealm.CacheConfiguration"),
    ("ldap", "jenkinsci/ldap-plugin", "src/main/java/jenkins/security/plugins/ldap/LDAPConfiguration.java", "LDAPConfiguration"),
    ("ldap", "jenkinsci/ldap-plugin", "src/main/java/jenkins/security/plugins/ldap/FromGroupSearchLDAPGroupMembershipStrategy.java", "FromGroupSearchLDAPGroupMembershipStrategy"),
    ("matrix-auth", "jenkinsci/matrix-auth-plugin", "src/main/java/org/jenkinsci/plugins/matrixauth/integrations/casc/GlobalMatrixAuthorizationStrategyConfigurator.java", "GlobalMatrixAuthorizationStrategyConfigurator"),
    ("matrix-auth", "jenkinsci/matrix-auth-plugin", "src/main/java/org/jenkinsci/plugins/matrixauth/integrations/casc/MatrixAuthorizationStrategyConfigurator.java", "MatrixAuthorizationStrategyConfigurator"),
    ("matrix-auth", "jenkinsci/matrix-auth-plugin", "src/main/java/org/jenkinsci/plugins/matrixauth/integrations/casc/DefinitionEntry.java", "DefinitionEntry"),
    ("matrix-auth", "jenkinsci/matrix-auth-plugin", "src/main/java/org/jenkinsci/plugins/matrixauth/integrations/casc/DefinitionEntry.java", "DefinitionEntry.Child"),
]
# Permission ids as matrix-auth's own JCasC examples write them (its test resources).
PERMISSION_EXAMPLES = ("matrix-auth", "jenkinsci/matrix-auth-plugin", "src/test/resources/org/jenkinsci/plugins/matrixauth/integrations/casc/configuration-as-code-v3.yml")


def fail(message):
    print(f"jenkins-casc-keys.py: {message}", file=sys.stderr)
    sys.exit(1)


def git(repo, *args):
    r = subprocess.run(["git", "--git-dir", repo, *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"git {' '.join(args)} in {repo}: {r.stderr.strip()}")
    return r.stdout


def pinned_commits(requirements):
    """plugin -> (version, revision to read: the @commit, else the version's tag)."""
    out = {}
    for line in open(requirements):
        if line.startswith("#") or not line.strip():
            continue
        name, pinned = line.split()[:2]
        version, _, older = pinned.partition("@")
        out[name] = (version, older)
    return out


def strip_java(text):
    """Comments and string contents blanked (same length: offsets stay those of the raw text), so braces can be counted."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", lambda m: " " * len(m.group(0)), text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', lambda m: '"' + "_" * (len(m.group(0)) - 2) + '"', text)


def body_of(code, start):
    """The text between the brace at or after start and its match."""
    open_at = code.index("{", start)
    depth = 0
    for i in range(open_at, len(code)):
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        if depth == 0:
            return open_at + 1, i
    fail("unbalanced braces")


def class_body(code, dotted):
    start, end = 0, len(code)
    for name in dotted.split("."):
        m = re.compile(r"\b(class|interface)\s+" + re.escape(name) + r"\b").search(code, start, end)
        if not m:
            fail(f"class {dotted} not found")
        start, end = body_of(code, m.end())
    return start, end


def own_text(code, start, end):
    """A class body without the bodies of the classes nested in it."""
    parts, i = [], start
    for m in re.finditer(r"\bclass\s+\w+[^{;]*", code[start:end]):
        s = start + m.start()
        if s < i:
            continue
        b_start, b_end = body_of(code, start + m.end())
        parts.append(code[i:b_start])
        i = b_end
    parts.append(code[i:end])
    return "".join(parts)


def keys_of(raw, dotted):
    code = strip_java(raw)
    start, end = class_body(code, dotted)
    own = own_text(code, start, end)
    simple = dotted.split(".")[-1]
    keys = []
    ctor = re.search(r"@DataBoundConstructor\s+(?:@\w+\s+)*public\s+" + re.escape(simple) + r"\s*\(([^)]*)\)", own)
    if ctor:
        for param in filter(None, (p.strip() for p in ctor.group(1).split(","))):
            keys.append(param.split()[-1])
    for setter in re.finditer(r"@DataBoundSetter\s+(?:@\w+\s+)*public\s+void\s+set(\w+)\s*\(", own):
        keys.append(setter.group(1)[0].lower() + setter.group(1)[1:])
    # A Configurator's attributes and name (the string literals come from the raw text at the same offsets).
    for attr in re.finditer(r"Attribute<[^>]*>\(\"", code[start:end]):
        at = start + attr.end()
        keys.append(raw[at:raw.index('"', at)])
    symbols = []
    for sym in re.finditer(r"@Symbol\(([^)]*)\)", code[start:end]):
        s, e = start + sym.start(1), start + sym.end(1)
        symbols += re.findall(r'"([^"]+)"', raw[s:e])
    name = re.search(r"String\s+getName\(\)\s*\{\s*return\s+\"", code[start:end])
    if name:
        at = start + name.end()
        symbols.append(raw[at:raw.index('"', at)])
    return symbols, keys


def main():
    parser = argparse.ArgumentParser(prog="jenkins-casc-keys.py")
    parser.add_argument("--sources", required=True)
    parser.add_argument("--requirements", default=os.path.join("jobs", "jenkins", "plugin-requirements.txt"))
    args = parser.parse_args()
    pins = pinned_commits(args.requirements)
    out = ["# JCasC keys of the classes jobs/jenkins/security-ldap.yaml configures, read from the plugins' sources.",
           "# Regenerate: tools/jenkins-casc-keys.py --sources <dir of plugin clones> > jobs/jenkins/casc-keys.txt",
           "# plugin version@read-at class symbols=... keys=..."]
    def read(plugin, repository, path):
        if plugin not in pins:
            fail(f"{plugin} is not in {args.requirements}")
        version, older = pins[plugin]
        repo = os.path.join(args.sources, repository.replace("/", "+"), "repo")
        revision = older or next((t for t in git(repo, "tag", "--list").split() if t.endswith(version)), None)
        if not revision:
            fail(f"no tag of {plugin} {version} in {repo}")
        commit = git(repo, "rev-parse", "--short=12", f"{revision}^{{commit}}").strip()
        return version, commit, git(repo, "show", f"{commit}:{path}")
    for plugin, repository, path, dotted in CLASSES:
        version, commit, raw = read(plugin, repository, path)
        symbols, keys = keys_of(raw, dotted)
        package = re.search(r"^package\s+([\w.]+);", raw, re.M).group(1)
        out.append(f"{plugin} {version}@{commit} {package}.{dotted} symbols={','.join(symbols) or '-'} keys={','.join(keys) or '-'}")
    plugin, repository, path = PERMISSION_EXAMPLES
    version, commit, raw = read(plugin, repository, path)
    permissions = sorted(set(re.findall(r"^\s*-\s+([A-Z]\w*/[A-Z]\w*)\s*$", raw, re.M)))
    out.append(f"{plugin} {version}@{commit} permissions={','.join(permissions)}")
    print("\n".join(out))


if __name__ == "__main__":
    main()

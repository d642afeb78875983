// What git accepts of the jobs repository's address and branch. Both reach `git clone
// --branch <branch> <url>` and `git fetch origin <branch>` on the controller's first boot
// (userdata/scripts/jenkins-bootstrap.sh) and Jenkins' git checkouts, so a value git would
// read as an option (`--upload-pack=...`) or as a local path must never get that far.

/**
 * Why `name` is not a branch name, as `git check-ref-format --branch` decides it (git's
 * refs.c: check_refname_format on refs/heads/<name>, plus no leading "-" and not "HEAD");
 * undefined when it is one. test/git-names.test.ts checks this against the real git.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.startsWith("-")) return 'must not start with "-" (git would read it as an option)';
  if (name === "HEAD") return 'must not be "HEAD"';
  // Control characters (below 0x20, DEL), space and the characters refs reserve for
  // revision syntax (~ ^ :), globs (? * [) and escapes (\).
  const bad = /[\x00-\x20\x7f~^:?*[\\]/.exec(name);
  if (bad) return `must not contain ${describeChar(bad[0])} (git check-ref-format)`;
  if (name.includes("..")) return 'must not contain ".." (git check-ref-format)';
  if (name.includes("@{")) return 'must not contain "@{" (git check-ref-format)';
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) {
    return 'must not start or end with "/" or contain "//" (git check-ref-format)';
  }
  if (name.endsWith(".")) return 'must not end with "." (git check-ref-format)';
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return `no part between slashes may start with "." ("${component}"; git check-ref-format)`;
    if (component.endsWith(".lock")) return `no part between slashes may end with ".lock" ("${component}"; git check-ref-format)`;
  }
  return undefined;
}

function describeChar(c: string): string {
  if (c === " ") return "a space";
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, "0")})`;
  return `"${c}"`;
}

/** A host name, IPv4 address or bracketed IPv6 address; never starting with "-" (git blocks those). */
const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])`;
const USER = String.raw`[A-Za-z0-9._~+][A-Za-z0-9._~+-]*`;
/** git's scp-like syntax, `[user@]host:path`: a colon before any slash (connect.c, url_is_local_not_ssh). */
const SCP_LIKE = new RegExp(`^(?:(${USER})@)?(${HOST}):(?!//)([^/].*|/.+)$`);

/**
 * Why git could not clone `url` as the jobs repository, undefined when it can: an
 * https:// or ssh:// URL, or git's scp-like `[user@]host:path`. Unencrypted transports
 * (http://, git://) are refused: the jobs repository decides every job Jenkins runs, with
 * the cloud's credentials, so nobody on the way may alter it; file:// points at the
 * controller's own disk, which is empty when the controller is created.
 */
export function cloneUrlProblem(url: string): string | undefined {
  if (/\s/.test(url)) return "must not contain whitespace";
  if (url.startsWith("-")) return 'must not start with "-" (git would read it as an option)';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const scp = SCP_LIKE.exec(url);
    if (scp) return scp[3].startsWith("-") ? 'the path must not start with "-" (git blocks it)' : undefined;
    if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url))
      return "remote-helper addresses (<transport>::<address>) are not allowed: use https://, ssh:// or user@host:path";
    return `"${url}" is not a URL git clones from a server (git would take it for a local path): use https://host/path, ssh://[user@]host/path or [user@]host:path`;
  }
  if (scheme !== "https" && scheme !== "ssh") {
    const why =
      scheme === "file"
        ? "it points at the controller's own disk, empty when the controller is created"
        : "it is not encrypted, and the jobs repository decides what Jenkins runs";
    return `URL scheme "${scheme}" is not allowed here (use https, ssh or user@host:path): ${why}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.password) return "URL must not contain a password";
  if (!new RegExp(`^${HOST}$`).test(parsed.hostname)) return `"${parsed.hostname}" is not a host name or address`;
  if (parsed.username.startsWith("-")) return 'the user must not start with "-" (git blocks it)';
  if (scheme === "ssh" && (parsed.pathname === "" || parsed.pathname === "/")) return "an ssh:// URL needs the repository's path";
  return undefined;
}

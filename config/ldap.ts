// Offline checks of the `ldap` settings: distinguished names (RFC 4514), search filters
// (RFC 4515), ldaps:// URIs and the CA certificate. The npm parsers of DNs and filters
// accept what directory servers refuse ("dc=example,,dc=org", "(cn=(x)"), so these follow
// the RFCs' grammars; test/ldap-directory.test.ts holds them against slapd's own verdicts.
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";

// descr / numericoid (RFC 4512), with attribute options (;lang-en) for filters
const DESCR = "[A-Za-z][A-Za-z0-9-]*";
const NUMERICOID = "(?:0|[1-9][0-9]*)(?:\\.(?:0|[1-9][0-9]*))+";
const ATTRIBUTE_TYPE = new RegExp(`^(?:${DESCR}|${NUMERICOID})$`);

/** Why `dn` is not a distinguished name (RFC 4514, every value non-empty), or undefined. */
export function checkDn(dn: string): string | undefined {
  if (dn.trim() === "") return "must not be empty";
  if (/[\n\r\0]/.test(dn)) return "must be one line";
  let i = 0;
  let rdn = 1;
  for (;;) {
    const eq = dn.indexOf("=", i);
    if (eq < 0) return `RDN ${rdn} ("${dn.slice(i)}") has no "=": write attribute=value, e.g. dc=example,dc=org`;
    const type = dn.slice(i, eq);
    if (!ATTRIBUTE_TYPE.test(type)) {
      return /^\s|\s$/.test(type)
        ? `"${type}" has spaces around it: no spaces after commas (RFC 4514), e.g. dc=example,dc=org`
        : `"${type}" is not an attribute type (a name like cn, ou, dc, or a numeric OID)`;
    }
    const value = readDnValue(dn, eq + 1);
    if (typeof value === "string") return `in "${type}=": ${value}`;
    i = value.end;
    if (i === dn.length) return undefined;
    const separator = dn[i];
    i++;
    if (separator === ",") rdn++;
    if (i === dn.length) return `ends with "${separator}"`;
    if (dn[i] === "," || dn[i] === "+") return `an empty RDN at position ${i + 1} ("${separator}${dn[i]}")`;
  }
}

/** Reads an attribute value from `start`: its end, or what is wrong with it. */
function readDnValue(dn: string, start: number): { end: number } | string {
  // RFC 4514 allows #<hex of the BER encoding>; slapd refuses it (test/ldap-directory.test.ts).
  if (dn[start] === "#")
    return "a value starting with # (BER in hex) is not taken by directory servers: write the value as text, a leading # escaped as \\#";
  let i = start;
  let lastEscaped = false;
  while (i < dn.length && dn[i] !== "," && dn[i] !== "+") {
    const c = dn[i];
    if (c === "\\") {
      const next = dn.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(next)) i += 3;
      else if (next.length > 0 && ` "#+,;<=>\\`.includes(next[0])) i += 2;
      else return `"\\${next[0] ?? ""}" is no escape: escape a character as \\, or as two hex digits`;
      lastEscaped = true;
      continue;
    }
    if (`";<>`.includes(c)) return `"${c}" must be escaped as \\${c}`;
    if (c === " " && i === start) return "a value must not start with a space (escape it as \\ )";
    lastEscaped = false;
    i++;
  }
  if (i === start) return "the value is empty";
  if (dn[i - 1] === " " && !lastEscaped) return "a value must not end with a space (escape it as \\ )";
  return { end: i };
}

/** Why `filter` is not a search filter (RFC 4515, in parentheses), or undefined. */
export function checkFilter(filter: string): string | undefined {
  if (/[\n\r\0]/.test(filter)) return "must be one line";
  if (!filter.startsWith("(")) return `a filter is written in parentheses, e.g. (${filter})`;
  try {
    const end = readFilter(filter, 0);
    if (end !== filter.length) return `unexpected "${filter.slice(end)}" after the filter's closing parenthesis`;
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

// filter = "(" filtercomp ")"; returns the index after its closing parenthesis.
function readFilter(s: string, i: number): number {
  if (s[i] !== "(") throw new Error(`expected "(" at position ${i + 1}`);
  i++;
  if (s[i] === "&" || s[i] === "|") {
    i++;
    while (s[i] === "(") i = readFilter(s, i);
  } else if (s[i] === "!") {
    i = readFilter(s, i + 1);
  } else {
    i = readItem(s, i);
  }
  if (s[i] !== ")")
    throw new Error(i >= s.length ? "unbalanced parentheses: a ( is not closed" : `expected ")" at position ${i + 1}, found "${s[i]}"`);
  return i + 1;
}

// item = simple / present / substring / extensible: attr [;options] (=|~=|>=|<=|:...) value
function readItem(s: string, i: number): number {
  const item = /^([A-Za-z0-9.;-]*)(:dn)?(:[A-Za-z0-9.-]+)?(~=|>=|<=|:=|=)/.exec(s.slice(i));
  if (!item) throw new Error(`"${s.slice(i, s.indexOf(")", i) < 0 ? undefined : s.indexOf(")", i))}" is no attribute=value item`);
  const [whole, attr, dnFlag, rule, op] = item;
  const [type, ...options] = attr.split(";");
  if (type === "" && !(op === ":=" && rule)) throw new Error(`an item at position ${i + 1} has no attribute name`);
  if (type !== "" && !ATTRIBUTE_TYPE.test(type)) throw new Error(`"${type}" is not an attribute type`);
  if (options.some((o) => !/^[A-Za-z0-9-]+$/.test(o))) throw new Error(`"${attr}" has a malformed attribute option`);
  if ((dnFlag || rule) && op !== ":=") throw new Error(`"${whole}": an extensible match ends in :=`);
  i += whole.length;
  const start = i;
  while (i < s.length && s[i] !== ")") {
    const c = s[i];
    if (c === "(") throw new Error(`"(" in a value must be escaped as \\28 (position ${i + 1})`);
    if (c === "\\") {
      if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3)))
        throw new Error(`"\\" in a value starts two hex digits (\\2a for *, \\28 for "("), position ${i + 1}`);
      i += 3;
      continue;
    }
    i++;
  }
  const value = s.slice(start, i);
  if (value === "" && op === "=") throw new Error(`"${whole}" has no value (use ${type}=* for "present")`);
  if (op !== "=" && value.includes("*")) throw new Error(`"*" is only allowed with =`);
  return i;
}

/** Why `uri` is not an ldaps:// URI of a directory server, or undefined. */
export function checkLdapsUri(uri: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9A-Fa-f:.]+\]|[^/:?#[\]@]+)(?::(\d{1,5}))?\/?$/.exec(uri);
  if (!m) return `"${uri}" is not a URI like ldaps://ldap.example.org or ldaps://ldap.example.org:636 (no user, path or query)`;
  const [, scheme, host, port] = m;
  if (scheme === "ldap")
    return "plain ldap:// is not allowed: use ldaps:// (TLS from the first byte), so that no password or directory data crosses the network in clear";
  if (scheme !== "ldaps") return `scheme "${scheme}" is not allowed here (use ldaps)`;
  const bare = host.replace(/^\[|\]$/g, "");
  const hostname = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  if (host.startsWith("[") ? isIP(bare) !== 6 : isIP(bare) === 0 && !hostname.test(bare))
    return `"${host}" is not a host name or IP address`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is not 1 to 65535`;
  return undefined;
}

/** The CA certificates of a PEM text, or what is wrong with it. */
export function checkCaCertificates(pem: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(pem)) return "holds a private key: give only the CA's certificate (public)";
  const blocks = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  const rest = blocks.reduce((text, b) => text.replace(b, ""), pem);
  if (blocks.length === 0) return "no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)";
  if (rest.trim() !== "") return "has text outside its -----BEGIN CERTIFICATE----- blocks";
  for (const [i, block] of blocks.entries()) {
    const which = blocks.length > 1 ? `certificate ${i + 1}: ` : "";
    if (!block.startsWith("-----BEGIN CERTIFICATE-----")) return `${which}${block.split("\n")[0]} is not a certificate`;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (e) {
      return `${which}does not parse as an X.509 certificate (${(e as Error).message})`;
    }
    if (!cert.ca)
      return `${which}"${cert.subject.replace(/\n/g, ", ")}" is not a CA certificate (basicConstraints CA:TRUE): give the certificate of the CA that signed the directory's`;
  }
  return undefined;
}

/** A POSIX group name sssd, sudoers and Jenkins take as it is. */
export const GROUP_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

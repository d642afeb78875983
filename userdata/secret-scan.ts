// Finds what must never be in user-data or synthesized output: private keys, passwords,
// tokens. Public keys, key fingerprints and the names of files that hold secrets on the
// server are fine.

const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ["PEM/OpenSSH private key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/],
  ["PuTTY private key", /PuTTY-User-Key-File-\d/],
  ["cloud-init password key", /^\s*(-\s+)?(password|passwd|hashed_passwd|plain_text_passwd|chpasswd)\s*:/m],
  ["crypt(3) password hash", /\$(1|2[abxy]?|5|6|y|gy|7)\$[./A-Za-z0-9$]{20,}/],
  ["password assignment", /\b[A-Za-z_]*(PASSWORD|PASSWD|SECRET|TOKEN)[A-Za-z_]*\s*[=:]\s*["']?[^\s"'$]{6,}/],
  ["AWS access key id", /\bAKIA[0-9A-Z]{16}\b/],
  ["OpenStack application credential secret", /application_credential_secret/i],
  ["URL with a password", /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

/** Names of the secret kinds found in `text` (empty: clean). */
export function findSecrets(text: string): string[] {
  return PATTERNS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

// Offline validation of OpenSSH public keys: the format, the embedded key type, and a
// minimum strength (the seeds ask for state-of-the-art cryptography only).

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);
export const MIN_RSA_BITS = 3072;

/** Returns undefined for a valid public key, else what is wrong with it. */
export function checkSshPublicKey(line: string): string | undefined {
  if (/PRIVATE KEY/.test(line)) return "this is a private key; put only public keys in the environment file";
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return 'expected "<type> <base64> [comment]", e.g. "ssh-ed25519 AAAA... admin@example"';
  const [type, blob] = parts;
  if (!KEY_TYPES.has(type)) return `unsupported key type "${type}" (use ssh-ed25519, ecdsa-sha2-* or ssh-rsa ≥ ${MIN_RSA_BITS} bits)`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return "key data is not base64";
  const data = Buffer.from(blob, "base64");
  const fields = readSshStrings(data);
  if (!fields || fields.length === 0) return "key data is truncated or malformed";
  if (fields[0].toString("latin1") !== type) {
    return `key data says "${fields[0].toString("latin1")}" but the line says "${type}"`;
  }
  if (type === "ssh-ed25519" && (fields.length !== 2 || fields[1].length !== 32)) return "ed25519 key data is malformed";
  if (type === "ssh-rsa") {
    if (fields.length !== 3) return "RSA key data is malformed";
    const modulus = fields[2][0] === 0 ? fields[2].subarray(1) : fields[2];
    const bits = modulus.length * 8;
    if (bits < MIN_RSA_BITS) return `RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`;
  }
  return undefined;
}

/** Splits SSH wire-format data into its length-prefixed strings, or undefined if malformed. */
function readSshStrings(data: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 4 > data.length) return undefined;
    const len = data.readUInt32BE(offset);
    offset += 4;
    if (offset + len > data.length) return undefined;
    out.push(data.subarray(offset, offset + len));
    offset += len;
  }
  return out;
}

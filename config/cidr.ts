// A CIDR, parsed once: the environment schema turns each CIDR string it validates into a
// Cidr (config/schema.ts), so the address plan, the security groups and the user-data take
// the parsed value and nothing parses an environment's CIDR again. Also what parses CIDRs
// from elsewhere (a Terraform plan's rule prefixes, the jump hosts' /32s).
import { BlockList, isIP } from "node:net";

export class Cidr {
  /** Parses `a.b.c.d/n` or `x:y::/n`; returns an error message instead of throwing. */
  static parse(text: string): Cidr | string {
    const slash = text.indexOf("/");
    if (slash < 0) return `"${text}" is not a CIDR (expected address/prefix, e.g. 203.0.113.0/24)`;
    const address = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const version = isIP(address);
    if (version === 0) return `"${address}" is not an IPv4 or IPv6 address`;
    const bits = version === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return `prefix length "/${prefixText}" must be between 0 and ${bits}`;
    }
    const prefix = Number(prefixText);
    const value = toBigInt(address, version);
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((value & hostMask) !== 0n) {
      const network = fromBigInt(value & ~hostMask, version);
      return `"${text}" has host bits set; did you mean ${network}/${prefix}?`;
    }
    return new Cidr(text, version as 4 | 6, address, prefix);
  }

  private constructor(
    /** The CIDR as written: what Neutron, nftables and the model file get. */
    readonly text: string,
    readonly version: 4 | 6,
    /** The network address (host bits are refused, so it is the address as written). */
    readonly address: string,
    /** The prefix length. */
    readonly prefix: number,
  ) {
    Object.freeze(this);
  }

  /** The n-th address of an IPv4 network (n may be negative: counted from the broadcast end). */
  nthAddress(n: number): string {
    if (this.version !== 4) throw new Error(`nthAddress supports IPv4 only, got ${this.text}`);
    const size = 2n ** BigInt(32 - this.prefix);
    const offset = n >= 0 ? BigInt(n) : size + BigInt(n);
    if (offset < 0n || offset >= size) throw new Error(`address #${n} is outside ${this.text}`);
    return fromBigInt(toBigInt(this.address, 4) + offset, 4);
  }

  /** Whether every address of `other` is in this network (a /25 inside its /24). */
  contains(other: Cidr): boolean {
    if (other.version !== this.version || other.prefix < this.prefix) return false;
    const family = this.version === 4 ? "ipv4" : "ipv6";
    const network = new BlockList();
    network.addSubnet(this.address, this.prefix, family);
    return network.check(other.address, family);
  }

  /** Serialized (the model file, factory.json) and interpolated as written. */
  toJSON(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }
}

function toBigInt(address: string, version: number): bigint {
  if (version === 4) {
    return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expand = (parts: string[]) => parts.flatMap((p) => (p.includes(".") ? v4ToGroups(p) : [p]));
  const h = expand(headParts);
  const t = expand(tailParts);
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

function v4ToGroups(v4: string): string[] {
  const n = toBigInt(v4, 4);
  return [((n >> 16n) & 0xffffn).toString(16), (n & 0xffffn).toString(16)];
}

function fromBigInt(value: bigint, version: number): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join(".");
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.len).join(":")}`;
}

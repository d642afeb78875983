// A source of traffic given by address: one or more CIDRs (IPv4 or IPv6).
import { Token } from "cdktf";
import { Cidr } from "../config/cidr";

/** One source prefix as a Neutron rule takes it. */
interface Prefix {
  readonly cidr: string;
  readonly ethertype: "IPv4" | "IPv6";
}

/**
 * A peer's CIDRs: the environment's come parsed (the schema's Cidr); a string (a constant,
 * a host's `/32`, a floating IP's token) is parsed here, once, when the peer is made.
 */
type CidrSource = Cidr | string;

export class Peer {
  /** Every IPv4 and IPv6 address. */
  static world(): Peer {
    return new Peer(
      "world",
      ["0.0.0.0/0", "::/0"],
      (i) => `${i}`,
      (i) => `world-${i}`,
    );
  }
  static cidrs(label: string, cidrs: readonly CidrSource[]): Peer {
    const key = (i: number) => (cidrs.length > 1 ? `${i}` : undefined);
    return new Peer(label, cidrs, key, (i) => (key(i) ? `${label}-${key(i)}` : label));
  }
  /**
   * A list people edit (the admins' CIDRs): each rule is named after its CIDR, so adding
   * or removing one CIDR adds or removes one rule and replaces none of the others (named by
   * position, the rules after it would be replaced: found on the local cloud).
   */
  static cidrList(label: string, cidrs: readonly Cidr[]): Peer {
    return new Peer(
      label,
      cidrs,
      (i) => cidrs[i].text.replace(/[^0-9A-Za-z]+/g, "-").replace(/-+$/, ""),
      (i) => `${label} ${cidrs[i].text}`,
    );
  }

  /** Each CIDR with the ethertype Neutron wants for it. */
  readonly prefixes: readonly Prefix[];

  private constructor(
    readonly label: string,
    cidrs: readonly CidrSource[],
    /** The part of a rule's id that tells this peer's CIDRs apart (none for a single one). */
    readonly keyOf: (index: number) => string | undefined,
    /** The source of a rule from CIDR `index`, in words (its description in Neutron). */
    readonly describe: (index: number) => string,
  ) {
    this.prefixes = cidrs.map((source) => {
      // A token (an address known only at apply time: a floating IP) is an IPv4 /32 by construction.
      if (typeof source === "string" && Token.isUnresolved(source)) return { cidr: source, ethertype: "IPv4" };
      const parsed = typeof source === "string" ? Cidr.parse(source) : source;
      // Taken for IPv4, a mistyped CIDR would reach Neutron as a rule it refuses at deploy time.
      if (typeof parsed === "string") throw new Error(`peer "${label}": ${parsed}`);
      return { cidr: parsed.text, ethertype: parsed.version === 6 ? "IPv6" : "IPv4" };
    });
  }
}

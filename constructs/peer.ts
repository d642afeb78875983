// A source of traffic given by address: one or more CIDRs (IPv4 or IPv6).
import { parseCidr } from "../config/cidr";

export class Peer {
  /** Every IPv4 and IPv6 address. */
  static world(): Peer {
    return new Peer("world", ["0.0.0.0/0", "::/0"]);
  }
  static cidrs(label: string, cidrs: readonly string[]): Peer {
    return new Peer(label, cidrs);
  }

  private constructor(
    readonly label: string,
    readonly cidrs: readonly string[],
  ) {}

  /** Each CIDR with the ethertype Neutron wants for it. */
  get prefixes(): Array<{ cidr: string; ethertype: "IPv4" | "IPv6" }> {
    return this.cidrs.map((cidr) => {
      const parsed = parseCidr(cidr);
      // A token (an address known only at apply time) is an IPv4 /32 by construction.
      const version = typeof parsed === "string" ? 4 : parsed.version;
      return { cidr, ethertype: version === 6 ? "IPv6" : "IPv4" };
    });
  }
}

// The traffic a security-group rule admits: a protocol and port range, named for the reader.
// (Not a Neutron port: that is `ServerPort`.) The numbers are the model's (config/roles.ts).
import { PORTS } from "../config/roles";

export type Protocol = "tcp" | "udp" | "vrrp" | "any";

export class Traffic {
  static tcp(port: number, label = `tcp/${port}`): Traffic {
    return new Traffic("tcp", label, port, port);
  }
  static ssh(): Traffic {
    return Traffic.tcp(PORTS.ssh, "ssh");
  }
  static http(): Traffic {
    return Traffic.tcp(PORTS.http, "http");
  }
  static https(): Traffic {
    return Traffic.tcp(PORTS.https, "https");
  }
  /** Jenkins' web UI and API (reached through an SSH tunnel via a jump host). */
  static jenkinsHttp(): Traffic {
    return Traffic.tcp(PORTS.jenkinsHttp, "jenkins-http");
  }
  /** NFSv4 needs a single TCP port: no portmapper, no mountd. */
  static nfs(): Traffic {
    return Traffic.tcp(PORTS.nfs, "nfs");
  }
  /** iperf3 on the Jenkins controller, for the pipeline's network tests. */
  static iperf3(): Traffic {
    return Traffic.tcp(PORTS.iperf3, "iperf3");
  }
  /** keepalived's VRRP adverts between the jump hosts sharing the egress VIP. */
  static vrrp(): Traffic {
    return new Traffic("vrrp", "vrrp");
  }
  static all(): Traffic {
    return new Traffic("any", "all");
  }

  /**
   * What is admitted, as a construct id part: `tcp-22`, `tcp-6000-6010`, `vrrp`, `any`. Rule
   * ids are made of it, not of the label, so that a new label renames no Terraform address.
   */
  get id(): string {
    if (this.fromPort === undefined) return this.protocol;
    return this.fromPort === this.toPort ? `${this.protocol}-${this.fromPort}` : `${this.protocol}-${this.fromPort}-${this.toPort}`;
  }

  private constructor(
    readonly protocol: Protocol,
    /** For people: the rules' Neutron descriptions (`ssh from jump`). */
    readonly label: string,
    readonly fromPort?: number,
    readonly toPort?: number,
  ) {}
}

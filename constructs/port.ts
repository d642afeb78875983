// A protocol and port range that a security-group rule admits, named for the reader. The
// numbers are the model's (config/roles.ts).
import { PORTS } from "../config/roles";

export type Protocol = "tcp" | "udp" | "vrrp" | "any";

export class Port {
  static tcp(port: number, label = `tcp/${port}`): Port {
    return new Port("tcp", label, port, port);
  }
  static ssh(): Port {
    return Port.tcp(PORTS.ssh, "ssh");
  }
  static http(): Port {
    return Port.tcp(PORTS.http, "http");
  }
  static https(): Port {
    return Port.tcp(PORTS.https, "https");
  }
  /** Jenkins' web UI and API (reached through an SSH tunnel via a jump host). */
  static jenkinsHttp(): Port {
    return Port.tcp(PORTS.jenkinsHttp, "jenkins-http");
  }
  /** NFSv4 needs a single TCP port: no portmapper, no mountd. */
  static nfs(): Port {
    return Port.tcp(PORTS.nfs, "nfs");
  }
  /** iperf3 on the Jenkins controller, for the pipeline's network tests. */
  static iperf3(): Port {
    return Port.tcp(PORTS.iperf3, "iperf3");
  }
  /** keepalived's VRRP adverts between the jump hosts sharing the egress VIP. */
  static vrrp(): Port {
    return new Port("vrrp", "vrrp");
  }
  static allTraffic(): Port {
    return new Port("any", "all");
  }

  private constructor(
    readonly protocol: Protocol,
    readonly label: string,
    readonly fromPort?: number,
    readonly toPort?: number,
  ) {}
}

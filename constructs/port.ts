// A protocol and port range that a security-group rule admits, named for the reader.

export type Protocol = "tcp" | "udp" | "vrrp" | "any";

export class Port {
  static tcp(port: number, label = `tcp/${port}`): Port {
    return new Port("tcp", label, port, port);
  }
  static ssh(): Port {
    return Port.tcp(22, "ssh");
  }
  static http(): Port {
    return Port.tcp(80, "http");
  }
  static https(): Port {
    return Port.tcp(443, "https");
  }
  /** Jenkins' web UI and API (reached through an SSH tunnel via a jump host). */
  static jenkinsHttp(): Port {
    return Port.tcp(8080, "jenkins-http");
  }
  /** NFSv4 needs a single TCP port: no portmapper, no mountd. */
  static nfs(): Port {
    return Port.tcp(2049, "nfs");
  }
  /** iperf3 on the Jenkins controller, for the pipeline's network tests. */
  static iperf3(): Port {
    return Port.tcp(5201, "iperf3");
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

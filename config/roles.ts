// What each server role is, beyond its addresses and zones: the ports it serves, the paths
// and users it has. The one place these are declared: the security groups, user-data,
// stacks and (through the model file, jobs/build-hosts/<env>/factory.json) Jenkins' jobs
// read them here. test/model-facts.test.ts fails when one of them is written out elsewhere.

/** The TCP ports the factory's traffic uses. */
export const PORTS = {
  ssh: 22,
  http: 80,
  https: 443,
  /** Jenkins' web UI and API (reached through an SSH tunnel via a jump host). */
  jenkinsHttp: 8080,
  /** NFSv4 needs this one port: no portmapper, no mountd. */
  nfs: 2049,
  /** iperf3 on the controller, for the pipeline's network tests. */
  iperf3: 5201,
} as const;

/** One uid for whoever writes the shared NFS areas (jenkins, the build hosts' agent): NFSv4 with sec=sys compares numbers. */
const SHARED_DATA_UID = 2000;

const JENKINS_HOME = "/var/lib/jenkins";
const DATA_ROOT = "/srv/factory";
const AGENT_HOME = "/home/agent";

export interface RoleUser {
  readonly name: string;
  readonly uid?: number;
  readonly home?: string;
}

/** The admin user every server has (keys from `admin.sshPublicKeys`, sudo). */
export const ADMIN: RoleUser = { name: "factory" };

export const ROLES = {
  jump: {
    /** What may listen on the network (checked at first boot). */
    listens: [PORTS.ssh],
  },
  jenkins: {
    listens: [PORTS.ssh, PORTS.jenkinsHttp, PORTS.iperf3],
    user: { name: "jenkins", uid: SHARED_DATA_UID, home: JENKINS_HOME },
    paths: {
      home: JENKINS_HOME,
      /** The controller's clone of the jobs repository (JCasC, plugins, seed). */
      jobsCheckout: `${JENKINS_HOME}/factory-repo`,
      /** The credential files the admin places (JCasC reads them). */
      credentialsDir: `${JENKINS_HOME}/secrets/factory`,
      /** The private key Jenkins reaches the build hosts' agent with (`.pub`: its public half). */
      buildHostKey: `${JENKINS_HOME}/.ssh/build-host`,
      /** The controller's per-build directories on its local disk (build hosts' Terraform state). */
      localBuilds: `${JENKINS_HOME}/factory-builds`,
      /** The web servers' SSH host keys, which the push of the published tree trusts. */
      webKnownHosts: `${JENKINS_HOME}/.ssh/web_known_hosts`,
    },
  },
  nfs: {
    listens: [PORTS.ssh, PORTS.nfs],
    paths: {
      /** The data volume's mount point. */
      dataRoot: DATA_ROOT,
      /** The built and published image tree (exported). */
      images: `${DATA_ROOT}/images`,
      /** Per-build workspaces, build hosts' Terraform state, logs (exported). */
      builds: `${DATA_ROOT}/builds`,
      /** The git mirror (local to the NFS server, not exported). */
      git: `${DATA_ROOT}/git`,
    },
  },
  web: {
    listens: [PORTS.ssh, PORTS.http],
    /** Jenkins pushes the published tree with rsync, as this user, which can do nothing else. */
    user: { name: "publish", home: "/var/lib/publish" },
    paths: { root: "/srv/www/images" },
  },
  buildHost: {
    /** Jenkins' agent connects over SSH. */
    listens: [PORTS.ssh],
    /** The user Jenkins' agent runs as: the controller's uid on the shares. */
    user: { name: "agent", uid: SHARED_DATA_UID, home: AGENT_HOME },
    paths: {
      /** Where the scratch volume is mounted, when the template has one. */
      scratch: "/srv/scratch",
      /** The Jenkins agent's working directory. */
      agentDir: `${AGENT_HOME}/jenkins`,
    },
  },
} as const;

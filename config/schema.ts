// The environment file contract: one YAML file per factory in environments/.
// Keys named in the foundation issue keep their names and meaning; every key added
// since is optional with a default. Unknown keys are errors (strict objects).
import { isIP } from "node:net";
// zod's v3 API (shipped inside zod 4): it loads in a third of the time of zod 4's core,
// and loading is most of what `factory synth` costs beyond cdktf itself (npm run bench).
import { z } from "zod/v3";
import { DYNAMIC_POOL_OFFSET, MAX_SUBNET_PREFIX } from "./address-plan";
import { parseCidr } from "./cidr";
import { branchNameProblem, cloneUrlProblem } from "./git";
import { checkCaCertificates, checkDn, checkFilter, checkLdapsUri, GROUP_NAME } from "./ldap";
import { checkSshPublicKey } from "./ssh-key";

const NAME = /^[a-z][a-z0-9-]*$/;
const nameOf = (what: string, max: number) =>
  z
    .string()
    .regex(NAME, `${what} must match [a-z][a-z0-9-]* (lower-case letters, digits, dashes; starts with a letter)`)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((s) => !s.endsWith("-") && !s.includes("--"), `${what} must not end with "-" or contain "--"`);

const text = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

const cidr = (versions: Array<4 | 6>, why = "") =>
  z.string().superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    else if (!versions.includes(parsed.version)) {
      ctx.addIssue({ code: "custom", message: `"${value}" must be an IPv${versions[0]} CIDR${why}` });
    }
  });

/** An IPv4 subnet the address plan fits in (fixed addresses below .32, dynamic above). */
const subnetCidr = (what: string) =>
  cidr([4]).refine((c) => {
    const p = parseCidr(c);
    return typeof p === "string" || p.prefix <= MAX_SUBNET_PREFIX;
  }, `the ${what} must be /${MAX_SUBNET_PREFIX} or larger (fixed addresses below .${DYNAMIC_POOL_OFFSET}, dynamic ones above)`);

const sshPublicKey = z.string().superRefine((value, ctx) => {
  const problem = checkSshPublicKey(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const url = (schemes: string[]) =>
  z.string().superRefine((value, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value}" is not a URL` });
      return;
    }
    const scheme = parsed.protocol.replace(/:$/, "");
    if (!schemes.includes(scheme)) {
      ctx.addIssue({ code: "custom", message: `URL scheme "${scheme}" is not allowed here (use ${schemes.join(", ")})` });
    }
    if (parsed.password) ctx.addIssue({ code: "custom", message: "URL must not contain a password" });
  });

/** A check that returns why a value is wrong (or nothing) as a zod string. */
const checked = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });

const pgpFingerprint = z
  .string()
  .transform((s) => s.replace(/\s+/g, "").toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{16}|[0-9A-F]{40})$/, "must be an OpenPGP fingerprint (40 hex digits) or long key id (16 hex digits)"));

/** jenkins-plugin-cli (the plugin installation manager; not packaged by Debian). */
const DEFAULT_PLUGIN_CLI_URL =
  "https://github.com/jenkinsci/plugin-installation-manager-tool/releases/download/2.13.2/jenkins-plugin-manager-2.13.2.jar";
/**
 * The Jenkins LTS the plugins in jobs/jenkins/plugins.txt are pinned for: the version the
 * jenkinsci bom tests its line with (jobs/jenkins/bom-2.555.x.txt). Java 21 or 25.
 */
export const DEFAULT_JENKINS_VERSION = "2.555.3";
/** The key signing the Jenkins apt repository since 2026 (jenkins.io-2026.key), long key id. */
const DEFAULT_JENKINS_KEY_FINGERPRINT = "7198F4B714ABFC68";
const DEFAULT_TERRAFORM_REPO = "https://apt.releases.hashicorp.com";
const DEFAULT_TERRAFORM_KEY_FINGERPRINT = "798AEC654E5C15428C8E42EEAA16FCBCA621E701";

const positiveInt = (what: string) => z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1`);
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "must be a DNS name such as images.example.com");

const hostOrAddress = z.string().refine((s) => isIP(s) !== 0 || hostname.safeParse(s).success, "must be a host name or IP address");

/** An e-mail address (the dot-atom local part mail relays take), domain part a DNS name. */
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const emailAddress = z.string().regex(EMAIL, "must be an e-mail address such as images@example.com");
/** A sender: `addr@example.com` or `Display Name <addr@example.com>` (no quotes, commas or semicolons). */
const mailbox = z
  .string()
  .refine((s) => EMAIL.test(s) || /^[^<>",;\n]+ <([^<>]+)>$/.exec(s)?.[1].match(EMAIL) != null, "must be an e-mail address, or a name and an address: Image Factory <images@example.com>");

/** Connection security of the SMTP relay, as the mailer and email-ext plugins offer it. */
const SmtpSecurity = z.enum(["none", "starttls", "ssl"]);
/** The plugins' own default port of each (javax.mail's 25; 587 with useTls, 465 with useSsl). */
const DEFAULT_SMTP_PORT = { none: 25, starttls: 587, ssl: 465 } as const;

/** JENKINS_HOME's volume: plugins, build history and logs (the images themselves are on NFS). */
export const DEFAULT_JENKINS_HOME_GB = 50;

/** The Jenkins URL that works through the jenkins_ui_tunnel output's tunnel (ssh -L 8080:<jenkins>:8080). */
const DEFAULT_JENKINS_URL = "http://localhost:8080/";

const mail = z
  .strictObject({
    /** The relay every mail goes through (Jenkins connects to it from the private subnet). */
    smtpHost: hostOrAddress,
    /** default: 25, 587 with starttls, 465 with ssl */
    smtpPort: z.number().int("smtpPort must be a whole number").min(1, "smtpPort must be 1 to 65535").max(65535, "smtpPort must be 1 to 65535").optional(),
    security: SmtpSecurity.default("none"),
    /** SMTP AUTH login; its password is the file smtp-password on the controller (credential `smtp`). */
    username: text("username").optional(),
    /** From: of every mail Jenkins sends (Jenkins' admin address); replies go there. */
    from: mailbox,
    /** The team, in CC of every build mail. */
    teamEmail: emailAddress.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.username !== undefined && m.security === "none") {
      ctx.addIssue({ code: "custom", path: ["security"], message: "a username (SMTP AUTH) needs security: starttls or ssl: the password must not cross the network in clear" });
    }
  })
  .transform((m) => ({ ...m, smtpPort: m.smtpPort ?? DEFAULT_SMTP_PORT[m.security] }));

const groupName = (what: string) =>
  z.string().regex(GROUP_NAME, `${what} must be a group name: a letter, then letters, digits, . _ - (at most 64)`);

/**
 * LDAP logins on every server (sssd) and in Jenkins (the ldap security realm). Nothing
 * here is secret: a bind password never enters the environment file or user-data; it is
 * pushed to the running servers (`factory ldap-password`).
 */
const ldap = z.strictObject({
  /** ldaps:// URIs of the directory servers, tried in order. */
  uris: z
    .array(checked(checkLdapsUri))
    .min(1, "at least one ldaps:// URI is required")
    .superRefine((list, ctx) => {
      list.forEach((u, i) => {
        if (list.indexOf(u) !== i) ctx.addIssue({ code: "custom", path: [i], message: `duplicate URI "${u}"` });
      });
    }),
  /** Where users and groups are searched (subtree). */
  baseDn: checked(checkDn),
  /** PEM of the CA(s) that signed the directory servers' certificates: trusted for LDAP only. */
  caCertificate: checked(checkCaCertificates),
  /** Only entries matching this filter are users (ANDed with uid=<login>), e.g. (employeeType=staff). */
  userFilter: checked(checkFilter)
    .refine((f) => !/[?{}]/.test(f), "must not contain ? { or } (sssd's search-base syntax and Jenkins' {0} placeholders use them; escape as \\3f \\7b \\7d)")
    .optional(),
  /** posixGroup names (cn): admins may log in and sudo, and administer Jenkins; users may log in, and build and read in Jenkins. */
  groups: z
    .strictObject({ admins: groupName("groups.admins"), users: groupName("groups.users") })
    .refine((g) => g.admins !== g.users, { message: "admins and users must be different groups", path: ["users"] }),
  /** The DN to bind as; absent: anonymous binds. Its password is pushed after deploy, never written here. */
  bind: z.strictObject({ dn: checked(checkDn) }).optional(),
});

const uniqueStrings = (what: string, min = 0, minMessage = "") =>
  z.array(text(what)).min(min, minMessage).superRefine((list, ctx) => {
    list.forEach((item, i) => {
      if (list.indexOf(item) !== i) ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${what} "${item}"` });
    });
  });

const server = {
  image: text("image"),
  flavor: text("flavor"),
};

const Tooling = z.enum(["kiwi", "dib"]);

const buildHostTemplate = z.strictObject({
  name: nameOf("template name", 32),
  image: text("image"),
  flavor: text("flavor"),
  tooling: Tooling,
  /** Scratch volume for the build, in GB; 0 or absent: none. */
  scratchVolumeGb: z.number().int("scratchVolumeGb must be a whole number").min(0).default(0),
  /** JRE for the Jenkins agent; default: Java 21 of the template's distribution family. */
  javaPackage: text("javaPackage").optional(),
});

/** The build statistics report's directory in the published tree (jobs/stats/report.py). */
const STATS_DIR = "stats";

const imageEntry = z.strictObject({
  /** Glance name stem: published as <name>_latest, <name>_prev, <name>_YYYYMMDD. */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "image name must start with a letter and contain only letters, digits, _ . -")
    .max(64)
    .refine((n) => !/_(latest|prev|\d{8})$/.test(n), "image name must not end in _latest, _prev or a date: those suffixes are added on publish")
    .refine((n) => n !== STATS_DIR, `image name must not be "${STATS_DIR}": the published tree's ${STATS_DIR}/ holds the build statistics`),
  /** Path of the image description in the jobs repository (a KIWI description or a DIB element set). */
  definition: text("definition").refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a relative path inside the jobs repository"),
  tooling: Tooling,
  /** Build-host template the image is built on. */
  template: nameOf("template", 32),
  minDiskGb: z.number().int().min(1).default(4),
  minRamMb: z.number().int().min(1).optional(),
  visibility: z.enum(["private", "shared", "public"]).default("private"),
  os: z.strictObject({
    distro: text("os.distro"),
    version: z.union([z.string(), z.number()]).transform(String),
    architecture: z.enum(["x86_64", "aarch64"]).default("x86_64"),
  }),
  /** Regions the image is published in besides the factory's; default: uploadRegions. */
  regions: uniqueStrings("region").optional(),
  /** The image runs qemu-guest-agent (sets hw_qemu_guest_agent and os_require_quiesce). */
  guestAgent: z.boolean().default(false),
  diskBus: z.enum(["virtio", "scsi", "ide"]).default("virtio"),
  vifModel: z.enum(["virtio", "e1000"]).default("virtio"),
  /** Who answers for the image: its build mails go to this address (the team in CC). */
  owner: emailAddress.optional(),
});

const backend = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("local"),
      /** Directory of the state files, relative to the directory holding the synth output. */
      dir: z.string().default("."),
    }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: text("bucket"),
      region: text("region"),
      /** Key prefix; each stack's state is <keyPrefix>/<stack>.tfstate. */
      keyPrefix: z.string().default("image-factory"),
      /** S3-compatible endpoint (e.g. Swift's S3 API or Ceph RGW); absent: AWS. */
      endpoint: url(["https", "http"]).optional(),
      usePathStyle: z.boolean().default(true),
    }),
    z.strictObject({
      type: z.literal("http"),
      /** Base address; each stack's state lives at <address>/<stack>. */
      address: url(["https", "http"]),
      lockMethod: z.string().optional(),
      unlockMethod: z.string().optional(),
    }),
  ],
  { errorMap: () => ({ message: 'backend.type must be one of "local", "s3", "http"' }) },
);

export const EnvironmentSchema = z
  .strictObject({
    name: nameOf("name", 24),
    cloud: text("cloud"),
    region: text("region"),
    availabilityZones: uniqueStrings("availability zone", 1, "at least one availability zone is required"),
    network: z.strictObject({
      cidr: subnetCidr("private subnet"),
      externalNetwork: text("externalNetwork"),
      // The factory's and the web subnets are IPv4, and Neutron refuses a subnet whose
      // nameservers are of another IP version (400 InvalidInput, found on the local cloud).
      dnsNameservers: z
        .array(z.string().refine((s) => isIP(s) === 4, "must be an IPv4 address (the subnets are IPv4, and Neutron refuses a nameserver of another IP version)"))
        .default([]),
      egress: z.enum(["router", "jump"]),
      /**
       * With `egress: jump`, false turns the router's SNAT off, so that the jump hosts are
       * the only way out (the router keeps the floating IPs). Neutron's default policy lets
       * only admins set it: default true, what a tenant may deploy.
       */
      routerSnat: z.boolean().default(true),
    }).refine((n) => n.egress === "jump" || n.routerSnat, { path: ["routerSnat"], message: "egress: router needs the router's SNAT; routerSnat: false only goes with egress: jump" }),
    admin: z.strictObject({
      // IPv4 only: the factory's subnet, the jump hosts' addresses and Neutron's floating
      // IPs are IPv4, so an IPv6 admin could never reach a jump host (its rules would only
      // look like access).
      cidrs: uniqueStrings("CIDR")
        .pipe(z.array(cidr([4], ": the jump hosts are reached at IPv4 floating IPs only (the factory's subnets are IPv4), so an IPv6 admin could never connect")))
        .refine((l) => l.length > 0, "at least one admin CIDR is required"),
      sshPublicKeys: z.array(sshPublicKey).min(1, "at least one SSH public key is required"),
    }),
    servers: z.strictObject({
      jenkins: z.strictObject({
        ...server,
        /**
         * JENKINS_HOME's volume in the data stack, so credentials, build history and keys
         * survive a recreated factory. 0: none, JENKINS_HOME on the root disk (lost with the server).
         */
        homeVolumeGb: z.number().int("homeVolumeGb must be a whole number").min(0, "homeVolumeGb must be 0 (none) or more").default(DEFAULT_JENKINS_HOME_GB),
      }),
      nfs: z.strictObject({ ...server, dataVolumeGb: positiveInt("dataVolumeGb") }),
      jump: z.strictObject({ ...server, count: positiveInt("count").max(16, "count must be at most 16") }),
    }),
    web: z
      .strictObject({
        cloud: text("cloud").optional(),
        image: text("image"),
        flavor: text("flavor"),
        count: z.number().int().min(0, "count must be 0 or more"),
        domain: hostname,
        /** CIDR of the web tenant's own network. */
        cidr: subnetCidr("web subnet").default("10.30.0.0/24"),
        /** Public keys allowed to publish (rsync over SSH, restricted to the image tree): Jenkins' publish key. */
        publishKeys: z.array(sshPublicKey).default([]),
      })
      .optional(),
    jenkins: z.strictObject({
      /** Cloned on the controller's first boot: https://, ssh:// or [user@]host:path, and a branch git check-ref-format accepts. */
      jobsRepo: z.strictObject({ url: checked(cloneUrlProblem), branch: checked(branchNameProblem).default("main") }),
      packageRepo: url(["https", "http"]),
      /** Key of the package repository; default: <packageRepo>/jenkins.io-2026.key, pinned to the Jenkins project's key. */
      signingKey: z
        .strictObject({ url: url(["https", "http"]).optional(), fingerprint: pgpFingerprint.default(DEFAULT_JENKINS_KEY_FINGERPRINT) })
        .default({}),
      /** Jenkins package version to install, so a recreated controller is the same; default: the LTS the plugins are pinned for. */
      version: z.string().regex(/^\d+(\.\d+)+$/, "must be a Jenkins version such as 2.555.3").default(DEFAULT_JENKINS_VERSION),
      /** JRE of the controller (Jenkins 2.555 runs on Java 21 or 25: Debian 13's openjdk-21). */
      javaPackage: text("javaPackage").default("openjdk-21-jre-headless"),
      /** jenkins-plugin-cli jar; without sha256 it is checked against the <url>.sha256 published next to it. */
      pluginCli: z
        .strictObject({
          url: url(["https", "http"]).default(DEFAULT_PLUGIN_CLI_URL),
          sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in lower-case hex").optional(),
        })
        .default({}),
      /** Jenkins' own address in links (build mails, BUILD_URL); default: through the admins' SSH tunnel. */
      url: url(["https", "http"])
        .transform((u) => (u.endsWith("/") ? u : `${u}/`))
        .default(DEFAULT_JENKINS_URL),
      /** The SMTP relay and addresses of build mails; absent: Jenkins sends no mail (builds and the first boot say so). */
      mail: mail.optional(),
      /** apt repository of Terraform (HashiCorp's, or a mirror of it) and its pinned key. */
      terraformRepo: z
        .strictObject({
          url: url(["https", "http"]).default(DEFAULT_TERRAFORM_REPO),
          /** default: <url>/gpg */
          keyUrl: url(["https", "http"]).optional(),
          fingerprint: pgpFingerprint.default(DEFAULT_TERRAFORM_KEY_FINGERPRINT),
        })
        .default({}),
    }),
    buildHosts: z.strictObject({
      maxInstances: positiveInt("maxInstances"),
      ttlHours: positiveInt("ttlHours"),
      templates: z.array(buildHostTemplate).superRefine((list, ctx) => {
        list.forEach((t, i) => {
          if (list.findIndex((o) => o.name === t.name) !== i) {
            ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate template name "${t.name}"` });
          }
        });
      }),
    }),
    uploadRegions: uniqueStrings("region").default([]),
    /** The image catalogue: one image-build job per entry. */
    images: z.array(imageEntry).default([]),
    /** Dated (hidden) images older than this are deleted, unless a server still uses them. */
    imageRetentionMonths: z.number().int().min(1).default(24),
    backend: backend.default({ type: "local", dir: "." }),
    /** Package mirrors the servers use instead of the distribution's (the seeds use local mirrors). */
    mirrors: z
      .strictObject({
        debian: url(["https", "http"]).optional(),
        debianSecurity: url(["https", "http"]).optional(),
      })
      .default({}),
    /** NTP servers of every server; empty: the distribution's default pool. */
    timeServers: z.array(hostOrAddress).default([]),
    /** LDAP logins for people (sssd on every server, Jenkins' security realm); absent: only the `factory` user and Jenkins' admin. */
    ldap: ldap.optional(),
    /** Wait for cloud-init on every server during deploy (null_resource over SSH). */
    readinessCheck: z.boolean().default(true),
  })
  .superRefine((env, ctx) => {
    if (env.uploadRegions.includes(env.region)) {
      ctx.addIssue({
        code: "custom",
        path: ["uploadRegions", env.uploadRegions.indexOf(env.region)],
        message: `"${env.region}" is the factory's own region; list only the other regions`,
      });
    }
    const templates = new Map(env.buildHosts.templates.map((t) => [t.name, t]));
    env.images.forEach((image, i) => {
      const template = templates.get(image.template);
      if (!template) {
        ctx.addIssue({ code: "custom", path: ["images", i, "template"], message: `no build-host template named "${image.template}" (have: ${[...templates.keys()].join(", ") || "none"})` });
      } else if (template.tooling !== image.tooling) {
        ctx.addIssue({ code: "custom", path: ["images", i, "tooling"], message: `template "${template.name}" has tooling ${template.tooling}, not ${image.tooling}` });
      }
      if (env.images.findIndex((o) => o.name === image.name) !== i) {
        ctx.addIssue({ code: "custom", path: ["images", i, "name"], message: `duplicate image name "${image.name}"` });
      }
      image.regions?.forEach((r, j) => {
        if (r === env.region) ctx.addIssue({ code: "custom", path: ["images", i, "regions", j], message: `"${r}" is the factory's own region; list only the other regions` });
      });
    });
    if (env.web && env.web.cidr === env.network.cidr && !env.web.cloud) {
      ctx.addIssue({ code: "custom", path: ["web", "cidr"], message: "must differ from network.cidr in the same tenant" });
    }
  });

export type Environment = z.output<typeof EnvironmentSchema>;
export type BuildHostTemplate = Environment["buildHosts"]["templates"][number];
export type ImageEntry = Environment["images"][number];
export type MailSettings = NonNullable<Environment["jenkins"]["mail"]>;
export type LdapSettings = NonNullable<Environment["ldap"]>;

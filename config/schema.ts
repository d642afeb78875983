// The environment file contract: one YAML file per factory in environments/.
// Keys named in the foundation issue keep their names and meaning; every key added
// since is optional with a default. Unknown keys are errors (strict objects).
// Each key's `.describe()` is its documentation: environment.schema.json (editors' hover and
// completion) and the README's environment reference are generated from it
// (tools/generate-environment-schema.ts). Say there what a value means and what its type
// cannot show (a CIDR, a DN); types, bounds and defaults are derived from the schema.
import { isIP } from "node:net";
// zod's v3 API (shipped inside zod 4): it loads in a third of the time of zod 4's core,
// and loading is most of what `factory synth` costs beyond cdktf itself (npm run bench).
import { z } from "zod/v3";
import { DYNAMIC_POOL_OFFSET, MAX_SUBNET_PREFIX, OFFSETS } from "./address-plan";
import { Cidr } from "./cidr";
import { ADMIN, PORTS } from "./roles";
import { branchNameProblem, cloneUrlProblem } from "./git";
import { checkCaCertificates, checkDn, checkFilter, checkLdapsUri, GROUP_NAME } from "./ldap";
import { checkSshPublicKey, MIN_RSA_BITS } from "./ssh-key";

const NAME = /^[a-z][a-z0-9-]*$/;
const nameOf = (what: string, max: number) =>
  z
    .string()
    .regex(NAME, `${what} must match [a-z][a-z0-9-]* (lower-case letters, digits, dashes; starts with a letter)`)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((s) => !s.endsWith("-") && !s.includes("--"), `${what} must not end with "-" or contain "--"`);

const text = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

/**
 * A CIDR string, kept parsed: the value is a Cidr (config/cidr.ts), whose JSON is the text as
 * written, so the address plan and the security groups take it without parsing it again.
 * `check` is what the key needs beyond the IP version (a subnet's size).
 */
const cidr = (versions: Array<4 | 6>, why = "", check?: (parsed: Cidr) => string | undefined) =>
  z.string().transform((value, ctx): Cidr => {
    const parsed = Cidr.parse(value);
    if (typeof parsed === "string") {
      ctx.addIssue({ code: "custom", message: parsed });
      return z.NEVER;
    }
    if (!versions.includes(parsed.version)) {
      ctx.addIssue({ code: "custom", message: `"${value}" must be an IPv${versions[0]} CIDR${why}` });
    }
    const problem = check?.(parsed);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
    // With an issue added the parse fails anyway; the checks across keys still see the value.
    return parsed;
  });

/** An IPv4 subnet the address plan fits in (fixed addresses below .32, dynamic above). */
const subnetCidr = (what: string) =>
  cidr([4], "", (c) =>
    c.prefix <= MAX_SUBNET_PREFIX
      ? undefined
      : `the ${what} must be /${MAX_SUBNET_PREFIX} or larger (fixed addresses below .${DYNAMIC_POOL_OFFSET}, dynamic ones above)`,
  );

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

/** A calendar date, YYYY-MM-DD. */
const isoDate = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${what} must be a date YYYY-MM-DD`)
    .refine(
      (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
      `${what} must be a real date`,
    );

const positiveInt = (what: string) => z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1`);
const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    "must be a DNS name such as images.example.com",
  );

const hostOrAddress = z.string().refine((s) => isIP(s) !== 0 || hostname.safeParse(s).success, "must be a host name or IP address");

/** An e-mail address (the dot-atom local part mail relays take), domain part a DNS name. */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const emailAddress = z.string().regex(EMAIL, "must be an e-mail address such as images@example.com");
/** A sender: `addr@example.com` or `Display Name <addr@example.com>` (no quotes, commas or semicolons). */
const mailbox = z
  .string()
  .refine(
    (s) => EMAIL.test(s) || /^[^<>",;\n]+ <([^<>]+)>$/.exec(s)?.[1].match(EMAIL) != null,
    "must be an e-mail address, or a name and an address: Image Factory <images@example.com>",
  );

/** Connection security of the SMTP relay, as the mailer and email-ext plugins offer it. */
const SmtpSecurity = z.enum(["none", "starttls", "ssl"]);
/** The plugins' own default port of each (javax.mail's 25; 587 with useTls, 465 with useSsl). */
const DEFAULT_SMTP_PORT = { none: 25, starttls: 587, ssl: 465 } as const;

/** JENKINS_HOME's volume: plugins, build history and logs (the images themselves are on NFS). */
export const DEFAULT_JENKINS_HOME_GB = 50;

/** The Jenkins URL that works through the jenkins_ui_tunnel output's tunnel (ssh -L <port>:<jenkins>:<port>). */
const DEFAULT_JENKINS_URL = `http://localhost:${PORTS.jenkinsHttp}/`;

const mail = z
  .strictObject({
    smtpHost: hostOrAddress.describe(
      "Host name or IP address of the relay every mail goes through, reached from the private subnet (through the router, or with `egress: jump` the jump hosts)",
    ),
    smtpPort: z
      .number()
      .int("smtpPort must be a whole number")
      .min(1, "smtpPort must be 1 to 65535")
      .max(65535, "smtpPort must be 1 to 65535")
      .optional()
      .describe(
        `The relay's port; default ${DEFAULT_SMTP_PORT.none}, ${DEFAULT_SMTP_PORT.starttls} with \`starttls\`, ${DEFAULT_SMTP_PORT.ssl} with \`ssl\``,
      ),
    security: SmtpSecurity.default("none").describe(
      "`none`: plaintext; `starttls`: STARTTLS required (the plugins' `useTls`); `ssl`: TLS from the first byte (`useSsl`)",
    ),
    username: text("username")
      .optional()
      .describe(
        "SMTP AUTH login (needs `starttls` or `ssl`); its password is the file `smtp-password` on the controller (credential `smtp`), never in the environment file (see the secrets under [Build flow](#build-flow))",
      ),
    from: mailbox.describe(
      "From: of every mail (Jenkins' admin address), replies go there: an e-mail address, or a name and an address (`Image Factory <images@example.com>`)",
    ),
    teamEmail: emailAddress
      .optional()
      .describe("E-mail address of the team, in CC of every build mail (the image's owners in `NOTIFY` and the requester are in To:)"),
  })
  .superRefine((m, ctx) => {
    if (m.username !== undefined && m.security === "none") {
      ctx.addIssue({
        code: "custom",
        path: ["security"],
        message: "a username (SMTP AUTH) needs security: starttls or ssl: the password must not cross the network in clear",
      });
    }
  })
  .transform((m) => ({ ...m, smtpPort: m.smtpPort ?? DEFAULT_SMTP_PORT[m.security] }));

const groupName = (what: string) =>
  z.string().regex(GROUP_NAME, `${what} must be a group name: a letter, then letters, digits, . _ - (at most 64)`);

// Nothing in `ldap` is secret: a bind password never enters the environment file or
// user-data; it is pushed to the running servers (`factory ldap-password`).
const ldap = z.strictObject({
  uris: z
    .array(checked(checkLdapsUri))
    .min(1, "at least one ldaps:// URI is required")
    .superRefine((list, ctx) => {
      list.forEach((u, i) => {
        if (list.indexOf(u) !== i) ctx.addIssue({ code: "custom", path: [i], message: `duplicate URI "${u}"` });
      });
    })
    .describe("The directory servers, `ldaps://host[:port]` each, tried in order; plain `ldap://` is refused"),
  baseDn: checked(checkDn).describe("DN (RFC 4514, no spaces after commas) where users and groups are searched (subtree)"),
  caCertificate: checked(checkCaCertificates).describe(
    "PEM, one or more CA certificates: the CA that signed the directory servers' certificates; trusted for LDAP only (sssd, Jenkins' JVM), never system-wide; a server certificate or a private key is refused",
  ),
  userFilter: checked(checkFilter)
    .refine(
      (f) => !/[?{}]/.test(f),
      "must not contain ? { or } (sssd's search-base syntax and Jenkins' {0} placeholders use them; escape as \\3f \\7b \\7d)",
    )
    .optional()
    .describe(
      "LDAP filter in parentheses (RFC 4515): only entries matching it are users, e.g. `(!(loginShell=/usr/sbin/nologin))`; ANDed with `objectClass=posixAccount` and the login",
    ),
  groups: z
    .strictObject({
      admins: groupName("groups.admins").describe("posixGroup (cn) whose members log in everywhere, may `sudo`, and administer Jenkins"),
      users: groupName("groups.users").describe("posixGroup (cn) whose members log in, may not `sudo`, and read and build in Jenkins"),
    })
    .refine((g) => g.admins !== g.users, { message: "admins and users must be different groups", path: ["users"] })
    .describe("Two different posixGroups; anyone else in the directory is refused on the servers and sees nothing in Jenkins"),
  bind: z
    .strictObject({
      dn: checked(checkDn).describe(
        "DN of the account sssd and Jenkins bind as; its password is never in the environment file (`ldap.bind.password` is refused): `factory ldap-password` pushes it",
      ),
    })
    .optional()
    .describe("The account to bind as; absent: anonymous binds"),
});

const uniqueStrings = (what: string, min = 0, minMessage = "") =>
  z
    .array(text(what))
    .min(min, minMessage)
    .superRefine((list, ctx) => {
      list.forEach((item, i) => {
        if (list.indexOf(item) !== i) ctx.addIssue({ code: "custom", path: [i], message: `duplicate ${what} "${item}"` });
      });
    });

const server = {
  image: text("image").describe("Glance image (name) the server boots"),
  flavor: text("flavor").describe("Nova flavor (name) of the server"),
};

const Tooling = z.enum(["kiwi", "dib"]);

const buildHostTemplate = z.strictObject({
  name: nameOf("template name", 32).describe(
    "Names the template (unique; images name it in `template`) and its stack, `<environment name>-build-host-<template name>`",
  ),
  image: text("image").describe("Glance image (name) the build host boots"),
  flavor: text("flavor").describe("Nova flavor (name) of the build host"),
  tooling: Tooling.describe("The image builder installed on the build host: KIWI or diskimage-builder"),
  scratchVolumeGb: z
    .number()
    .int("scratchVolumeGb must be a whole number")
    .min(0)
    .default(0)
    .describe("Scratch volume for the build, in GB; 0: none (the build uses the root disk)"),
  javaPackage: text("javaPackage")
    .optional()
    .describe("JRE package of the Jenkins agent; default: Java 21 of the template's distribution family"),
});

/** The build statistics report's directory in the published tree (jobs/stats/report.py). */
const STATS_DIR = "stats";

const imageEntry = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "image name must start with a letter and contain only letters, digits, _ . -")
    .max(64)
    .refine(
      (n) => !/_(latest|prev|\d{8})$/.test(n),
      "image name must not end in _latest, _prev or a date: those suffixes are added on publish",
    )
    .refine((n) => n !== STATS_DIR, `image name must not be "${STATS_DIR}": the published tree's ${STATS_DIR}/ holds the build statistics`)
    .describe(
      `Glance name stem, unique: published as \`<name>_latest\`, \`<name>_prev\`, \`<name>_YYYYMMDD\`, so it must not end in one of those suffixes; not \`${STATS_DIR}\` (the published tree's [statistics](#build-statistics-and-trends))`,
    ),
  definition: text("definition")
    .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a relative path inside the jobs repository")
    .describe("Path of the image description in the jobs repository (a KIWI description or a DIB element set), relative and inside it"),
  tooling: Tooling.describe("The builder the description is written for"),
  template: nameOf("template", 32).describe(
    "Build-host template the image is built on: the `name` of a `buildHosts.templates` entry with the same `tooling`",
  ),
  minDiskGb: z.number().int().min(1).default(4).describe("Glance `min_disk` in GB; also the built image's virtual size limit"),
  minRamMb: z.number().int().min(1).default(1024).describe("Glance `min_ram` in MB (mandatory in SCS scs-0102)"),
  visibility: z.enum(["private", "shared", "public"]).default("private").describe("Glance visibility of the published image"),
  os: z
    .strictObject({
      distro: text("os.distro").describe("Glance `os_distro`, e.g. `debian`"),
      version: z
        .union([z.string(), z.number()])
        .transform(String)
        .describe("Glance `os_version`, e.g. `12` (a number is taken as its text)"),
      architecture: z.enum(["x86_64", "aarch64"]).default("x86_64").describe("Glance `architecture`, and what the builder builds for"),
    })
    .describe("What the image holds, as Nova reads it from the image's properties"),
  regions: uniqueStrings("region")
    .optional()
    .describe("Regions the image is copied to besides the factory's, unique; default: `uploadRegions`"),
  guestAgent: z.boolean().default(false).describe("The image runs qemu-guest-agent (sets `hw_qemu_guest_agent` and `os_require_quiesce`)"),
  diskBus: z.enum(["virtio", "scsi", "ide"]).default("virtio").describe("Glance `hw_disk_bus` (`scsi` adds `hw_scsi_model=virtio-scsi`)"),
  vifModel: z.enum(["virtio", "e1000"]).default("virtio").describe("Glance `hw_vif_model`"),
  owner: emailAddress.optional().describe("E-mail address of who answers for the image: its build mails go there, the team in CC"),
  // What users are promised about the image, as Glance properties of SCS scs-0102 (Image
  // Metadata); README "SCS image metadata" maps each key to its property.
  loginUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*$/, "loginUser must be a user name such as linux")
    .default("linux")
    .describe("The image's default login user (`image_original_user`; stage 9 logs in as it)"),
  description: text("description")
    .refine((d) => !/[\u0000-\u001f]/.test(d), "description must be one line")
    .optional()
    .describe("Release notes or a description (`image_description`); absent: the build's page on the web servers"),
  purpose: z
    .enum(["generic", "minimal", "k8snode", "gpu", "network", "custom"])
    .default("generic")
    .describe("What the image is for (`os_purpose`)"),
  replaceFrequency: z
    .enum(["yearly", "quarterly", "monthly", "weekly", "daily", "critical_bug", "never"])
    .default("monthly")
    .describe("How often `<name>_latest` is replaced at least (`replace_frequency`)"),
  providedUntil: z
    .union([isoDate("providedUntil"), z.enum(["notice", "none"])])
    .default("notice")
    .describe("Until when the name is provided and updated (`provided_until`): a date YYYY-MM-DD, `notice` or `none`"),
  hotfixHours: z
    .number()
    .int("hotfixHours must be a whole number")
    .min(0)
    .optional()
    .describe("Hours to a fixed image after a critical issue (`hotfix_hours`); absent: no commitment, 0: best effort"),
  hypervisorType: z
    .enum(["qemu", "kvm", "xen", "hyper-v", "esxi", "any"])
    .default("qemu")
    .describe(
      "The hypervisor the image is made for (`hypervisor_type`; qemu covers KVM). Nova schedules an image with `hypervisor_type` only onto hosts of that hypervisor (ImagePropertiesFilter); `any`: not set, the image boots on every hypervisor",
    ),
  rngModel: z.enum(["virtio", "none"]).default("virtio").describe("The virtual RNG the image uses (`hw_rng_model`); `none`: not set"),
  maintainedUntil: isoDate("maintainedUntil")
    .optional()
    .describe("The OS vendor maintains the release until at least this date (`maintained_until`)"),
});

const backend = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("local").describe("State files on the operator's disk"),
      dir: z.string().default(".").describe("Directory of the state files, relative to the directory holding the synth output"),
    }),
    z.strictObject({
      type: z.literal("s3").describe("State in an S3 bucket (AWS, or an S3-compatible store)"),
      bucket: text("bucket").describe("The bucket"),
      region: text("region").describe("The bucket's region"),
      keyPrefix: z.string().default("image-factory").describe("Key prefix: each stack's state is `<keyPrefix>/<stack>.tfstate`"),
      endpoint: url(["https", "http"])
        .optional()
        .describe("URL of an S3-compatible endpoint (e.g. Swift's S3 API or Ceph RGW); absent: AWS"),
      usePathStyle: z
        .boolean()
        .default(true)
        .describe("Address the bucket in the path, not in the host name (what most S3-compatible stores need)"),
    }),
    z.strictObject({
      type: z.literal("http").describe("State behind Terraform's http backend (a REST service)"),
      address: url(["https", "http"]).describe("Base URL: each stack's state lives at `<address>/<stack>`"),
      lockMethod: z.string().optional().describe("HTTP method that locks the state; absent: Terraform's default (`LOCK`)"),
      unlockMethod: z.string().optional().describe("HTTP method that unlocks the state; absent: Terraform's default (`UNLOCK`)"),
    }),
  ],
  { errorMap: () => ({ message: 'backend.type must be one of "local", "s3", "http"' }) },
);

export const EnvironmentSchema = z
  .strictObject({
    name: nameOf("name", 24).describe("Prefixes every stack and resource name; no trailing `-`, no `--`"),
    cloud: text("cloud").describe("`clouds.yaml` entry of the factory tenant"),
    region: text("region").describe("Region of the factory"),
    availabilityZones: uniqueStrings("availability zone", 1, "at least one availability zone is required").describe(
      "Availability zones, unique; the servers are spread over them round-robin",
    ),
    network: z
      .strictObject({
        cidr: subnetCidr("private subnet").describe(
          `IPv4 CIDR of the private subnet, /${MAX_SUBNET_PREFIX} or larger; fixed addresses below \`.${DYNAMIC_POOL_OFFSET}\` (router \`.${OFFSETS.router}\`, egress VIP \`.${OFFSETS.egressVip}\`, Jenkins \`.${OFFSETS.jenkins}\`, NFS \`.${OFFSETS.nfs}\`, jump hosts from \`.${OFFSETS.jump}\`), build hosts above`,
        ),
        externalNetwork: text("externalNetwork").describe("External network for the router and the floating IPs"),
        // The factory's and the web subnets are IPv4, and Neutron refuses a subnet whose
        // nameservers are of another IP version (400 InvalidInput, found on the local cloud).
        dnsNameservers: z
          .array(
            z
              .string()
              .refine(
                (s) => isIP(s) === 4,
                "must be an IPv4 address (the subnets are IPv4, and Neutron refuses a nameserver of another IP version)",
              ),
          )
          .default([])
          .describe("IPv4 addresses of the DNS servers DHCP hands out on the factory's and the web subnets"),
        egress: z
          .enum(["router", "jump"])
          .describe(
            "Who SNATs the subnet: the router, or the jump hosts (as in the seeds, a VIP held by one of them); see [Egress](#egress)",
          ),
        // Neutron's default policy lets only admins set the router's SNAT: default true, what a tenant may deploy.
        routerSnat: z
          .boolean()
          .default(true)
          .describe(
            "`false` (with `egress: jump` only) turns the router's SNAT off, so that the jump hosts are the only way out (the router keeps the floating IPs); needs admin rights in Neutron's default policy",
          ),
      })
      .refine((n) => n.egress === "jump" || n.routerSnat, {
        path: ["routerSnat"],
        message: "egress: router needs the router's SNAT; routerSnat: false only goes with egress: jump",
      })
      .describe("The factory's private network and its way out"),
    admin: z
      .strictObject({
        // IPv4 only: the factory's subnet, the jump hosts' addresses and Neutron's floating
        // IPs are IPv4, so an IPv6 admin could never reach a jump host (its rules would only
        // look like access).
        cidrs: uniqueStrings("CIDR", 1, "at least one admin CIDR is required")
          .pipe(
            z.array(
              cidr(
                [4],
                ": the jump hosts are reached at IPv4 floating IPs only (the factory's subnets are IPv4), so an IPv6 admin could never connect",
              ),
            ),
          )
          .describe("IPv4 CIDRs, unique, that may SSH to the jump hosts (IPv6 is refused: the jump hosts' floating IPs are IPv4)"),
        sshPublicKeys: z
          .array(sshPublicKey)
          .min(1, "at least one SSH public key is required")
          .describe(
            `OpenSSH public keys of the admins (ed25519, ecdsa, or RSA ≥ ${MIN_RSA_BITS} bits): they log in as \`factory\` (with sudo) on every server`,
          ),
      })
      .describe("Who administers the factory"),
    servers: z
      .strictObject({
        jenkins: z
          .strictObject({
            ...server,
            homeVolumeGb: z
              .number()
              .int("homeVolumeGb must be a whole number")
              .min(0, "homeVolumeGb must be 0 (none) or more")
              .default(DEFAULT_JENKINS_HOME_GB)
              .describe(
                "JENKINS_HOME's volume in GB, in the data stack (protected), so credentials, build history and keys survive a recreated factory; 0: none, JENKINS_HOME on the root disk, lost with the server",
              ),
          })
          .describe("The Jenkins controller"),
        nfs: z
          .strictObject({
            ...server,
            dataVolumeGb: positiveInt("dataVolumeGb").describe(
              "The NFS data volume (images, builds, git mirror) in GB, in the data stack (protected)",
            ),
          })
          .describe("The NFS server"),
        jump: z
          .strictObject({ ...server, count: positiveInt("count").max(16, "count must be at most 16").describe("How many jump hosts") })
          .describe("The jump hosts: the admins' way in, and with `egress: jump` the subnet's way out"),
      })
      .describe("The factory's servers"),
    web: z
      .strictObject({
        cloud: text("cloud").optional().describe("`clouds.yaml` entry of the web tenant; default: `cloud`"),
        image: text("image").describe("Glance image (name) the web servers boot"),
        flavor: text("flavor").describe("Nova flavor (name) of the web servers"),
        count: z.number().int().min(0, "count must be 0 or more").describe("How many web servers; 0: no web stack"),
        domain: hostname.describe("DNS name the web servers serve the images under, e.g. `images.example.com`"),
        cidr: subnetCidr("web subnet")
          .default("10.30.0.0/24")
          .describe(`IPv4 CIDR of the web tenant's own network, /${MAX_SUBNET_PREFIX} or larger`),
        publishKeys: z
          .array(sshPublicKey)
          .default([])
          .describe("SSH public keys allowed to publish (rsync into the image tree only): Jenkins' publish key"),
      })
      .optional()
      .describe("Web servers publishing the images; absent: no web stack"),
    jenkins: z
      .strictObject({
        jobsRepo: z
          .strictObject({
            url: checked(cloneUrlProblem).describe(
              "`https://…`, `ssh://…` or scp-like `[user@]host:path`, no password in it (`http://`, `git://` are refused: the repository decides what Jenkins runs; `file://` would be the new controller's empty disk)",
            ),
            branch: checked(branchNameProblem)
              .default("main")
              .describe("Branch to check out: a name `git check-ref-format --branch` accepts"),
          })
          .describe("Git repository Jenkins loads its jobs from, cloned on the controller's first boot"),
        packageRepo: url(["https", "http"]).describe("Jenkins LTS apt repository, or a mirror of it"),
        signingKey: z
          .strictObject({
            url: url(["https", "http"]).optional().describe("URL of the key; default: `<packageRepo>/jenkins.io-2026.key`"),
            fingerprint: pgpFingerprint
              .default(DEFAULT_JENKINS_KEY_FINGERPRINT)
              .describe("The key is trusted only if its primary key has this fingerprint: 40 hex digits, or a 16-digit long key id"),
          })
          .default({})
          .describe("Key of `packageRepo`, fetched at first boot"),
        version: z
          .string()
          .regex(/^\d+(\.\d+)+$/, "must be a Jenkins version such as 2.555.3")
          .default(DEFAULT_JENKINS_VERSION)
          .describe(
            "The Jenkins package version to install, so a recreated controller runs the same Jenkins as before. The default is the LTS the plugins in `jobs/jenkins/plugins.txt` are pinned for (see [Plugins](#plugins)); another version needs a plugin set for its line",
          ),
        javaPackage: text("javaPackage")
          .default("openjdk-21-jre-headless")
          .describe(
            "The controller's JRE: Jenkins 2.555 runs on Java 21 or 25 only (`executable.Main`), so the controller's image must provide Java 21 — Debian 13 (the example's `servers.jenkins.image`), or a mirror providing it; Debian 12 has only Java 17",
          ),
        pluginCli: z
          .strictObject({
            url: url(["https", "http"])
              .default(DEFAULT_PLUGIN_CLI_URL)
              .describe("URL of the jar (the plugin installation manager's release)"),
            sha256: z
              .string()
              .regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in lower-case hex")
              .optional()
              .describe("SHA-256 of the jar; absent: checked against the `<url>.sha256` published next to it"),
          })
          .default({})
          .describe("The `jenkins-plugin-cli` jar that installs the plugins"),
        url: url(["https", "http"])
          .transform((u) => (u.endsWith("/") ? u : `${u}/`))
          .default(DEFAULT_JENKINS_URL)
          .describe(
            `Jenkins' own address in build mails and \`BUILD_URL\` (a \`/\` is added if missing). The default is where the \`jenkins_ui_tunnel\` output's tunnel puts Jenkins (\`ssh -N -L ${PORTS.jenkinsHttp}:<Jenkins>:${PORTS.jenkinsHttp} ${ADMIN.name}@<jump host>\`, the only way in the factory opens), so links work for whoever has that tunnel open; set the address of a reverse proxy or VPN route when the mails' readers come another way. See [Reaching Jenkins](#reaching-jenkins)`,
          ),
        mail: mail
          .optional()
          .describe(
            "The SMTP relay of build mails; absent: Jenkins sends no mail, each build's log says so, and the first boot logs a WARNING",
          ),
        terraformRepo: z
          .strictObject({
            url: url(["https", "http"])
              .default(DEFAULT_TERRAFORM_REPO)
              .describe("URL of the apt repository: HashiCorp's, or a mirror of it"),
            keyUrl: url(["https", "http"]).optional().describe("URL of its signing key; default: `<url>/gpg`"),
            fingerprint: pgpFingerprint
              .default(DEFAULT_TERRAFORM_KEY_FINGERPRINT)
              .describe("The key is trusted only if its primary key has this fingerprint: 40 hex digits, or a 16-digit long key id"),
          })
          .default({})
          .describe("apt repository of Terraform (the controller applies the build-host stacks) and its pinned key"),
      })
      .describe("The Jenkins controller's software and settings"),
    buildHosts: z
      .strictObject({
        maxInstances: positiveInt("maxInstances").describe("How many build hosts may run at once; a build waits for a free slot"),
        ttlHours: positiveInt("ttlHours").describe("Hours after its spawn a build host may be reaped (unless kept)"),
        templates: z
          .array(buildHostTemplate)
          .superRefine((list, ctx) => {
            list.forEach((t, i) => {
              if (list.findIndex((o) => o.name === t.name) !== i) {
                ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate template name "${t.name}"` });
              }
            });
          })
          .describe("The build-host templates: each a stack Jenkins applies for a build and destroys after"),
      })
      .describe("The ephemeral servers images are built on"),
    uploadRegions: uniqueStrings("region")
      .default([])
      .describe("Other regions the finished images are copied to, unique; not the factory's own"),
    images: z.array(imageEntry).default([]).describe("The image catalogue: one image-build job per entry"),
    imageRetentionMonths: z
      .number()
      .int()
      .min(1)
      .default(24)
      .describe("Dated (hidden) images older than this are deleted, unless a server still uses them"),
    backend: backend.default({ type: "local", dir: "." }).describe("Where Terraform keeps the stacks' state"),
    mirrors: z
      .strictObject({
        debian: url(["https", "http"]).optional().describe("URL of a mirror of the Debian archive (`deb.debian.org/debian`)"),
        debianSecurity: url(["https", "http"])
          .optional()
          .describe("URL of a mirror of the Debian security archive (`security.debian.org/debian-security`)"),
      })
      .default({})
      .describe(
        "apt mirrors of every Debian server instead of the distribution's (cloud-init's `apt` module; the image's `debian.sources` is disabled when set); absent: the distribution's",
      ),
    timeServers: z
      .array(hostOrAddress)
      .default([])
      .describe("Host names or IP addresses of the NTP servers of every server; empty: the distribution's pool"),
    ldap: ldap
      .optional()
      .describe(
        "LDAP logins for people on every server (sssd) and in Jenkins (its LDAP security realm); absent: only the `factory` user and Jenkins' admin. See [LDAP logins](#ldap-logins-for-people)",
      ),
    readinessCheck: z
      .boolean()
      .default(true)
      .describe(
        "Deploy waits until every server's first boot has finished, and the data volumes are quiesced before they are detached (both over SSH through the first jump host)",
      ),
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
        ctx.addIssue({
          code: "custom",
          path: ["images", i, "template"],
          message: `no build-host template named "${image.template}" (have: ${[...templates.keys()].join(", ") || "none"})`,
        });
      } else if (template.tooling !== image.tooling) {
        ctx.addIssue({
          code: "custom",
          path: ["images", i, "tooling"],
          message: `template "${template.name}" has tooling ${template.tooling}, not ${image.tooling}`,
        });
      }
      if (env.images.findIndex((o) => o.name === image.name) !== i) {
        ctx.addIssue({ code: "custom", path: ["images", i, "name"], message: `duplicate image name "${image.name}"` });
      }
      image.regions?.forEach((r, j) => {
        if (r === env.region)
          ctx.addIssue({
            code: "custom",
            path: ["images", i, "regions", j],
            message: `"${r}" is the factory's own region; list only the other regions`,
          });
      });
    });
    // A CIDR that did not parse is no Cidr here (its own issue is reported): nothing to compare.
    const [web, network] = [env.web?.cidr, env.network.cidr];
    if (env.web && !env.web.cloud && web instanceof Cidr && network instanceof Cidr && web.text === network.text) {
      ctx.addIssue({ code: "custom", path: ["web", "cidr"], message: "must differ from network.cidr in the same tenant" });
    }
  })
  .describe("An image factory on OpenStack: one environment file per factory in `environments/`");

export type Environment = z.output<typeof EnvironmentSchema>;
/** Who SNATs the factory's subnet (`network.egress`): the router, or the jump hosts. */
export type Egress = Environment["network"]["egress"];
export type BuildHostTemplate = Environment["buildHosts"]["templates"][number];
export type MailSettings = NonNullable<Environment["jenkins"]["mail"]>;
export type LdapSettings = NonNullable<Environment["ldap"]>;

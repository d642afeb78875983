// The Jenkins controller: Jenkins LTS from the configured repository, Java, Terraform and
// the OpenStack CLI for the pipeline, the NFS shares, then a hand-over to git: the jobs
// repository's JCasC file, plugin list and Job DSL seed (jobs/jenkins/ in that repo).
import { PORTS, ROLES } from "../config/roles";
import type { Environment, LdapSettings, MailSettings } from "../config/schema";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { addNfsClient } from "./nfs-shares";
import { addEgressWait } from "./egress";
import { scriptFile, scriptPath } from "./scripts";
import { addVolume, diskSerial } from "./volumes";
import { LDAP_CA_FILE } from "./ldap";

const { home: JENKINS_HOME, jobsCheckout: JOBS_CHECKOUT, credentialsDir: CREDENTIALS_DIR } = ROLES.jenkins.paths;
const CASC_FILE = `${JOBS_CHECKOUT}/jobs/jenkins/casc.yaml`;
/** Who logs in to Jenkins: loaded with casc.yaml (CASC_JENKINS_CONFIG names both). */
const SECURITY_FILES = {
  local: `${JOBS_CHECKOUT}/jobs/jenkins/security-local.yaml`,
  ldap: `${JOBS_CHECKOUT}/jobs/jenkins/security-ldap.yaml`,
} as const;
/** Jenkins' JVM trust store with LDAP logins: Java's CAs plus the directory's (made before every start). */
const LDAP_TRUSTSTORE = `${JENKINS_HOME}/ldap-truststore.p12`;
const HOME_LABEL = "jenkins-home";
/** The credential file of the directory's bind password (written by `factory ldap-password`; empty with anonymous binds). */
export const LDAP_BIND_PASSWORD_FILE = `${CREDENTIALS_DIR}/ldap-bind-password`;
/** The SMTP login credential JCasC declares (user jenkins.mail.username, password file smtp-password). */
export const SMTP_CREDENTIALS = "smtp";
/** Credential of the jobs repository: the first boot's deploy key for ssh URLs, none for http(s) and file. */
export function jobsRepoCredentials(url: string): string {
  return /^(https?|file):/.test(url) ? "" : "jobs-repo-deploy-key";
}
/** What jobs/stats/*.py import, from Debian (test/stats-*.test.ts runs them with these). */
export const STATS_PACKAGES = ["python3-fastjsonschema", "python3-tap", "python3-matplotlib", "python3-jinja2"];

export function addJenkins(config: CloudConfig, model: UserDataContext, homeVolumeId?: string, homeDiskSerial?: string): void {
  const { env, plan, roles } = model;
  const { user } = roles.jenkins;
  if (homeVolumeId !== undefined || homeDiskSerial !== undefined) {
    const serial = diskSerial(homeVolumeId ?? "", homeDiskSerial, "jenkins home volume");
    addVolume(config, { serial, label: HOME_LABEL, mountPoint: JENKINS_HOME });
  }
  addEgressWait(config, plan);
  // Created before the package so the uid matches the build hosts' agent on the NFS shares.
  config.users.push({ name: user.name, gecos: "Jenkins", uid: user.uid, homedir: user.home, shell: "/bin/bash", lock_passwd: true });
  config.packages.push(
    env.jenkins.javaPackage,
    "fontconfig",
    "git",
    "curl",
    "gnupg",
    "ca-certificates",
    "python3-openstackclient",
    "python3-bcrypt",
    "iperf3",
  );
  // The published tree to the web servers (jobs/publish/push-web.sh), over ssh.
  config.packages.push("rsync", "openssh-client");
  // The build records and the statistics report (jobs/stats): schema check, TAP, charts, HTML.
  config.packages.push(...STATS_PACKAGES);
  addNfsClient(config, model, "apt", true);

  const jenkinsKey = env.jenkins.signingKey.url ?? `${env.jenkins.packageRepo.replace(/\/+$/, "")}/jenkins.io-2026.key`;
  const terraform = env.jenkins.terraformRepo;
  config.write_files.push(
    {
      path: "/etc/systemd/system/jenkins.service.d/factory.conf",
      content: jenkinsDropIn(env, roles.nfs.host.address ?? ""),
      owner: "root:root",
      permissions: "0644",
    },
    { path: "/etc/systemd/system/factory-iperf3.service", content: IPERF_UNIT, owner: "root:root", permissions: "0644" },
    scriptFile("trusted-apt-repo"),
    scriptFile("jenkins-admin-password"),
    scriptFile("jenkins-credential-files"),
    scriptFile("jenkins-bootstrap"),
    scriptFile("jenkins-break-glass"),
    ...(env.ldap ? [scriptFile("jenkins-ldap-truststore")] : []),
  );
  const pluginCli = env.jenkins.pluginCli;
  config.runcmd.push(
    [scriptPath("trusted-apt-repo"), "jenkins", env.jenkins.packageRepo, "binary/", "", jenkinsKey, env.jenkins.signingKey.fingerprint],
    [
      scriptPath("trusted-apt-repo"),
      "hashicorp",
      terraform.url,
      "@codename@",
      "main",
      terraform.keyUrl ?? `${terraform.url.replace(/\/+$/, "")}/gpg`,
      terraform.fingerprint,
    ],
    ["systemctl", "enable", "--now", "factory-iperf3.service"],
    [
      scriptPath("jenkins-bootstrap"),
      env.jenkins.jobsRepo.url,
      env.jenkins.jobsRepo.branch,
      pluginCli.url,
      pluginCli.sha256 ?? "",
      env.jenkins.version,
    ],
  );
  if (!env.jenkins.mail) config.runcmd.push(["echo", noMailWarning(env)]);
}

// The names the jobs repository's casc.yaml and seed rely on.
function jenkinsDropIn(env: Environment, nfs: string): string {
  const trustStore = env.ldap
    ? ` -Djavax.net.ssl.trustStore=${LDAP_TRUSTSTORE} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`
    : "";
  const vars: Array<[string, string]> = [
    ["JAVA_OPTS", `-Djava.awt.headless=true -Djenkins.install.runSetupWizard=false${trustStore}`],
    ["JENKINS_PORT", String(PORTS.jenkinsHttp)],
    ["CASC_JENKINS_CONFIG", `${CASC_FILE},${SECURITY_FILES[env.ldap ? "ldap" : "local"]}`],
    ["FACTORY_ENV", env.name],
    ["FACTORY_CLOUD", env.cloud],
    ["FACTORY_REGION", env.region],
    ["FACTORY_NFS", nfs],
    ["FACTORY_JOBS_REPO_URL", env.jenkins.jobsRepo.url],
    ["FACTORY_JOBS_REPO_BRANCH", env.jenkins.jobsRepo.branch],
    // One place decides the jobs repository's credential: JCasC, the seed, the library and
    // the Jenkinsfile's build-host checkout all read this.
    ["FACTORY_JOBS_REPO_CREDENTIALS", jobsRepoCredentials(env.jenkins.jobsRepo.url)],
    ["FACTORY_JENKINS_URL", env.jenkins.url],
    ...mailVariables(env.jenkins.mail),
    ...(env.ldap ? ldapVariables(env.ldap) : []),
  ];
  return [
    "# Image factory: no setup wizard, JCasC from the jobs repository, the factory's facts.",
    "[Service]",
    ...vars.map(([k, v]) => systemdEnvironment(k, v)),
    "# the first start loads every plugin and applies JCasC: allow more than the default",
    "TimeoutStartSec=900",
    "# placeholders for credential files the admin has not placed yet (logged), so JCasC loads",
    `ExecStartPre=${scriptPath("jenkins-credential-files")} ${CREDENTIALS_DIR}`,
    ...(env.ldap
      ? [
          "# Java's CAs and the directory's, for the LDAP realm's ldaps:// (remade at every start: Java's CAs may change)",
          `ExecStartPre=${scriptPath("jenkins-ldap-truststore")} ${LDAP_CA_FILE} ${LDAP_TRUSTSTORE}`,
        ]
      : []),
    "",
  ].join("\n");
}

/** JCasC's mailer and email-ext settings; all empty without jenkins.mail (the pipeline then sends nothing). */
function mailVariables(mail: MailSettings | undefined): Array<[string, string]> {
  return [
    ["FACTORY_ADMIN_EMAIL", mail?.from ?? ""],
    ["FACTORY_SMTP_HOST", mail?.smtpHost ?? ""],
    ["FACTORY_SMTP_PORT", mail ? String(mail.smtpPort) : ""],
    // the plugins' useTls (STARTTLS, required) and useSsl (TLS from the first byte)
    ["FACTORY_SMTP_USE_TLS", String(mail?.security === "starttls")],
    ["FACTORY_SMTP_USE_SSL", String(mail?.security === "ssl")],
    ["FACTORY_SMTP_USERNAME", mail?.username ?? ""],
    ["FACTORY_SMTP_CREDENTIALS", mail?.username ? SMTP_CREDENTIALS : ""],
    ["FACTORY_TEAM_EMAIL", mail?.teamEmail ?? ""],
  ];
}

/** security-ldap.yaml's values: the directory, who is a user, the two groups (the bind password is a credential file). */
function ldapVariables(ldap: LdapSettings): Array<[string, string]> {
  return [
    ["FACTORY_LDAP_SERVER", ldap.uris.join(" ")],
    ["FACTORY_LDAP_ROOT_DN", ldap.baseDn],
    // the users sssd sees: posixAccount entries, matching ldap.userFilter
    ["FACTORY_LDAP_USER_SEARCH", `(&(objectClass=posixAccount)(uid={0})${ldap.userFilter ?? ""})`],
    ["FACTORY_LDAP_BIND_DN", ldap.bind?.dn ?? ""],
    ["FACTORY_LDAP_ADMINS", ldap.groups.admins],
    ["FACTORY_LDAP_USERS", ldap.groups.users],
  ];
}

/** Logged on the console and in cloud-init-output.log when the environment sets no mail relay. */
function noMailWarning(env: Environment): string {
  return `jenkins: WARNING: no SMTP relay (jenkins.mail is not set in environment ${env.name}): Jenkins sends no e-mail; each build's log says so. Links point at ${env.jenkins.url}.`;
}

/** One `Environment=` line, quoted and escaped for systemd (% is a specifier there). */
export function systemdEnvironment(name: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`${name}: a line break cannot go into a systemd unit`);
  const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%");
  return `Environment="${name}=${escaped}"`;
}

// The pipeline's first stage measures the network to the build host against this.
const IPERF_UNIT = [
  "[Unit]",
  "Description=iperf3 server for the image pipeline's network check",
  "After=network-online.target",
  "Wants=network-online.target",
  "",
  "[Service]",
  `ExecStart=/usr/bin/iperf3 --server --port ${PORTS.iperf3}`,
  "DynamicUser=yes",
  "Restart=on-failure",
  "",
  "[Install]",
  "WantedBy=multi-user.target",
  "",
].join("\n");

// What Jenkins loads from git: every shell script passes shellcheck, every Groovy file
// parses, JCasC and the plugin list keep the contract with the first boot, the pipeline
// has the 15 stages in order with a script each, the sample image definitions are well
// formed, and the config-reload job's repository update works.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ROLES } from "../config/roles";
import { jobsRepoCredentials, SMTP_CREDENTIALS } from "../userdata/jenkins";
import { REPO, runFactory, tempDir } from "./helpers";
import { JOBS, STAGES, run } from "./jobs-support";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : [full];
  });
}
const ALL = filesUnder(JOBS);
const isShell = (f: string) => f.endsWith(".sh") || /^#!.*\b(bash|sh)\b/.test(readFileSync(f, "utf8").split("\n")[0]);
const SHELL = ALL.filter(isShell);
const GROOVY = ALL.filter((f) => /\.(groovy|Jenkinsfile)$/.test(f));

// shellcheck and the Groovy JVM are the slow parts: both start at once, in parallel.
function started(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}
const shellcheck = started("shellcheck", ["-x", "-P", "SCRIPTDIR", "-s", "bash", ...SHELL], { cwd: REPO });

test("every shell script under jobs/ passes shellcheck", async () => {
  expect(SHELL.length).toBeGreaterThan(20);
  const r = await shellcheck;
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});

test("every script under jobs/ is executable, with the bash header and strict mode", () => {
  for (const f of SHELL.filter((f) => !f.endsWith("lib.sh") && !f.includes("/environment.d/"))) {
    expect([f, statSync(f).mode & 0o111]).toEqual([f, 0o111]);
    const text = readFileSync(f, "utf8");
    expect([f, text.split("\n")[0]]).toEqual([f, f.includes("/elements/") ? "#!/bin/bash" : "#!/usr/bin/env bash"]);
    expect([f, /^set -euo pipefail$|^set -eu\nset -o pipefail$/m.test(text)]).toEqual([f, true]);
  }
});

// One JVM (groovy starts slowly) parses every Groovy file, then runs the seed against a
// recording stand-in of the Job DSL API for the given workspaces.
const GROOVY_HARNESS = `
import groovy.json.JsonOutput
import org.codehaus.groovy.control.*

class Recorder {
    List calls = []
    def methodMissing(String name, args) {
        def inner = []
        args.each { a ->
            if (a instanceof Closure) {
                def r = new Recorder()
                Closure c = a.clone()
                c.delegate = r
                c.resolveStrategy = Closure.DELEGATE_FIRST
                c.call()
                inner.addAll(r.calls)
            }
        }
        calls << [call: name, args: args.findAll { !(it instanceof Closure) }.collect { it instanceof GString ? it.toString() : it }, inner: inner]
        null
    }
}

abstract class JobDslStub extends Script {
    List jobs = []
    String readFileFromWorkspace(String path) { new File(binding.getVariable('WORKSPACE') as String, path).text }
    def pipelineJob(String name, Closure body) { record('pipelineJob', name, body) }
    def job(String name, Closure body) { record('job', name, body) }
    def getOut() { System.out }
    private record(String kind, String name, Closure body) {
        def r = new Recorder()
        body.delegate = r
        body.resolveStrategy = Closure.DELEGATE_FIRST
        body.call()
        jobs << [kind: kind, name: name, calls: r.calls]
    }
}

int split = args.findIndexOf { it == '--seed' }
args.take(split).each { f ->
    def unit = new CompilationUnit()
    unit.addSource(new File(f))
    try { unit.compile(Phases.CONVERSION); println "parsed " + f }
    catch (CompilationFailedException e) { println "FAILED " + f + ": " + e.message.readLines().take(3).join(" ") }
}
String seed = args[split + 1]
args.drop(split + 2).each { workspace ->
    def config = new CompilerConfiguration()
    config.scriptBaseClass = JobDslStub.name
    def binding = new Binding([WORKSPACE: workspace, FACTORY_ENV: 'example', FACTORY_REGION: 'RegionOne',
        FACTORY_JOBS_REPO_URL: 'https://git.example.com/image-factory.git', FACTORY_JOBS_REPO_BRANCH: 'main'])
    def script = new GroovyShell(this.class.classLoader, binding, config).parse(new File(seed))
    script.run()
    println "JOBS " + JsonOutput.toJson(script.jobs)
}
`;

interface Call {
  call: string;
  args: any[];
  inner: Call[];
}
interface Job {
  kind: string;
  name: string;
  calls: Call[];
}
/** The calls named by a path (e.g. "parameters/choiceParam") under a job's DSL calls. */
function calls(list: Call[], pathSpec: string): Call[] {
  const [head, ...rest] = pathSpec.split("/");
  const found = list.filter((c) => c.call === head);
  return rest.length === 0 ? found : found.flatMap((c) => calls(c.inner, rest.join("/")));
}

// Started at load, so the JVM runs while the other tests do.
const groovyDir = tempDir("jobs-groovy-");
const broken = path.join(groovyDir, "broken.Jenkinsfile");
const cascSeedJob = path.join(groovyDir, "casc-seed-job.groovy");
const groovyRun = (() => {
  writeFileSync(broken, "pipeline { stages { stage('x') { steps { sh 'true' }\n");
  // A workspace whose environment has no image catalogue.
  const emptyWs = path.join(groovyDir, "empty");
  mkdirSync(path.join(emptyWs, "environments"), { recursive: true });
  const data = parse(readFileSync(path.join(REPO, "environments", "example.yaml"), "utf8"));
  data.images = [];
  const emptyEnv = path.join(emptyWs, "environments", "example.yaml");
  writeFileSync(emptyEnv, stringify(data));
  // The seed reads the environment as `factory templates` resolved it.
  const templates = runFactory(["templates", "--config", emptyEnv, "--dir", path.join(emptyWs, "jobs", "build-hosts")]);
  if (templates.status !== 0) throw new Error(`factory templates: ${templates.stderr}`);
  // The seed job's own Job DSL script, inline in casc.yaml.
  writeFileSync(cascSeedJob, parse(readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8")).jobs[0].script);
  const javaHome = path.dirname(path.dirname(readLink("/usr/bin/java")));
  return started(
    "groovy",
    [
      "-cp",
      "/usr/share/java/snakeyaml.jar",
      "-e",
      GROOVY_HARNESS,
      ...GROOVY,
      cascSeedJob,
      broken,
      "--seed",
      path.join(JOBS, "dsl", "seed.groovy"),
      REPO,
      emptyWs,
    ],
    { env: { ...process.env, JAVA_HOME: javaHome } },
  );
})();

describe("Groovy: parse and seed", () => {
  const dir = groovyDir;
  let out = "";
  let stderr = "";
  let example: Job[] = [];
  let empty: Job[] = [];

  beforeAll(async () => {
    const r = await groovyRun;
    out = r.stdout;
    stderr = r.stderr;
    const jobs = out
      .split("\n")
      .filter((l) => l.startsWith("JOBS "))
      .map((l) => JSON.parse(l.slice(5)));
    [example, empty] = jobs;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("every Groovy file (seed, library, Jenkinsfiles, the seed job in casc.yaml) parses; a broken one does not", () => {
    expect(stderr).toBe("");
    expect(GROOVY.length).toBeGreaterThanOrEqual(7);
    for (const f of [...GROOVY, cascSeedJob]) expect(out).toContain(`parsed ${f}\n`);
    expect(out).toContain(`FAILED ${broken}`);
  });

  test("the seed creates image-build, one job per catalogue image, the reaper, rollback and config reload", () => {
    expect(example.map((j) => j.name)).toEqual([
      "image-build",
      "image-Standard_openSUSE_15.6",
      "image-Standard_Debian_12",
      "build-host-reaper",
      "image-rollback",
      "factory-config-reload",
    ]);
    for (const job of example) {
      const git = calls(job.calls, "definition/cpsScm/scm/git");
      expect([job.name, calls(git[0].inner, "remote/url")[0].args, calls(git[0].inner, "branch")[0].args]).toEqual([
        job.name,
        ["https://git.example.com/image-factory.git"],
        ["main"],
      ]);
    }
    const scriptPath = (name: string) => calls(example.find((j) => j.name === name)!.calls, "definition/cpsScm/scriptPath")[0].args[0];
    expect(scriptPath("image-build")).toBe("jobs/pipelines/image-build.Jenkinsfile");
    expect(scriptPath("image-Standard_Debian_12")).toBe("jobs/pipelines/image-build.Jenkinsfile");
    expect(scriptPath("build-host-reaper")).toBe("jobs/pipelines/build-host-reaper.Jenkinsfile");
  });

  test("image-build offers the catalogue, the templates and the upload regions of the environment", () => {
    const params = calls(example[0].calls, "parameters")[0].inner;
    expect(params.map((p) => `${p.call} ${p.args[0]}`)).toEqual([
      "choiceParam IMAGE",
      "stringParam DEFINITION",
      "choiceParam TEMPLATE",
      "stringParam REGIONS",
      "booleanParam KEEP_BUILD_HOST",
      "booleanParam PUBLISH",
      "booleanParam SKIP_UNCHANGED",
      "stringParam NOTIFY",
    ]);
    expect(params[0].args[1]).toEqual(["Standard_openSUSE_15.6", "Standard_Debian_12"]);
    expect(params[2].args[1]).toEqual(["", "kiwi", "dib"]);
    expect(params[3].args[2]).toContain("default uploadRegions: RegionTwo");
    expect(params.filter((p) => p.call === "booleanParam").map((p) => p.args[1])).toEqual([false, false, false]);
    expect(calls(example[0].calls, "properties/pipelineTriggers")).toEqual([]); // on demand only
  });

  test("each catalogue job builds its own image nightly; the reaper runs hourly, alone", () => {
    const debian = example.find((j) => j.name === "image-Standard_Debian_12")!;
    expect(calls(debian.calls, "parameters/choiceParam")[0].args.slice(0, 2)).toEqual(["IMAGE", ["Standard_Debian_12"]]);
    expect(calls(debian.calls, "properties/pipelineTriggers/triggers/cron/spec")[0].args).toEqual(["H H(0-5) * * *"]);
    const reaper = example.find((j) => j.name === "build-host-reaper")!;
    expect(calls(reaper.calls, "properties/pipelineTriggers/triggers/cron/spec")[0].args).toEqual(["H * * * *"]);
    expect(calls(reaper.calls, "properties/disableConcurrentBuilds")).toHaveLength(1);
    const rollback = example.find((j) => j.name === "image-rollback")!;
    expect(calls(rollback.calls, "parameters/stringParam")[0].args.slice(0, 2)).toEqual(["REGIONS", "RegionOne RegionTwo"]);
  });

  test("without an image catalogue the seed still creates the housekeeping jobs, and says why the others are missing", () => {
    expect(empty.map((j) => j.name)).toEqual(["build-host-reaper", "factory-config-reload"]);
    expect(out).toContain("environments/example.yaml: images is empty; no image-build or image-rollback job");
  });
});

function readLink(file: string): string {
  return spawnSync("readlink", ["-f", file], { encoding: "utf8" }).stdout.trim();
}

test("the image-build pipeline has the 15 stages of the seeds, in order, each calling its script", () => {
  const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
  const stages = [...jenkinsfile.matchAll(/^\s*stage\('([^']+)'\)/gm)].map((m) => m[1]);
  expect(stages).toEqual([
    "Initialize & start iperf3",
    "Spawn build host",
    "Add Jenkins agent",
    "Git checkout & check",
    "Configure agent",
    "Prepare & import GPG key",
    "Build image",
    "Register as private image",
    "Perform tests",
    "Sign image",
    "Hashdeep",
    "Upload to other regions",
    "Set publish request",
    "Clean up",
    "Destroy build host",
  ]);
  const scripts = readdirSync(STAGES).filter((f) => /^\d\d-.*\.sh$/.test(f));
  expect(scripts.map((s) => s.slice(0, 2))).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1).padStart(2, "0")));
  // Each stage's block names its script, in order.
  const blocks = jenkinsfile.split(/^\s*stage\('/m).slice(1);
  blocks.forEach((block, i) => expect([stages[i], block.includes(scripts[i])]).toEqual([stages[i], true]));
  // Destroy runs again from post { always } when the stage was not reached.
  expect(jenkinsfile).toMatch(/post \{\s*always \{[\s\S]*15-destroy-build-host\.sh[\s\S]*emailext\(/);
});

test("every Jenkinsfile the seed names exists, and every seed job parameter is read by the stages", () => {
  const seed = readFileSync(path.join(JOBS, "dsl", "seed.groovy"), "utf8");
  const paths = [...seed.matchAll(/fromRepo\('([^']+)'\)/g)].map((m) => m[1]);
  expect(paths.sort()).toEqual([
    "jobs/pipelines/build-host-reaper.Jenkinsfile",
    "jobs/pipelines/factory-config-reload.Jenkinsfile",
    "jobs/pipelines/image-build.Jenkinsfile",
    "jobs/pipelines/image-rollback.Jenkinsfile",
  ]);
  for (const p of paths) expect(statSync(path.join(REPO, p)).isFile()).toBe(true);
  for (const job of ["image-build", "build-host-reaper", "image-rollback", "factory-config-reload"]) expect(seed).toContain(`'${job}'`);
  const stageScripts = readdirSync(STAGES)
    .map((f) => readFileSync(path.join(STAGES, f), "utf8"))
    .join("\n");
  for (const param of ["IMAGE", "DEFINITION", "TEMPLATE", "REGIONS", "KEEP_BUILD_HOST", "PUBLISH", "SKIP_UNCHANGED"]) {
    expect(seed).toContain(`Param('${param}'`);
    expect([param, stageScripts.includes(`${param}`)]).toEqual([param, true]);
  }
});

test("JCasC keeps the first-boot contract: admin hash file, build-host key credential (the model's paths and agent user), seed job from git", () => {
  const { jenkins, buildHost } = ROLES;
  const casc = parse(readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8"));
  // Who logs in is in the security file loaded with it: Jenkins' own admin without LDAP.
  expect(casc.jenkins.securityRealm).toBeUndefined();
  const local = parse(readFileSync(path.join(JOBS, "jenkins", "security-local.yaml"), "utf8"));
  expect(local.jenkins.securityRealm.local).toEqual({
    allowsSignup: false,
    users: [{ id: "admin", name: "Factory admin", password: "${readFile:/var/lib/jenkins/secrets/factory-admin.bcrypt}" }],
  });
  expect(local.jenkins.authorizationStrategy).toEqual({ loggedInUsersCanDoAnything: { allowAnonymousRead: false } });
  const [credential] = casc.credentials.system.domainCredentials[0].credentials;
  expect(credential.basicSSHUserPrivateKey).toMatchObject({
    id: "build-host-ssh",
    username: buildHost.user.name,
    privateKeySource: { directEntry: { privateKey: `\${readFile:${jenkins.paths.buildHostKey}}` } },
  });
  expect(casc.unclassified.globalLibraries.libraries[0]).toMatchObject({
    name: "factory",
    retriever: { modernSCM: { libraryPath: "jobs/library/", scm: { git: { remote: "${FACTORY_JOBS_REPO_URL}" } } } },
  });
  // Links and mail from the environment file (jenkins.url, jenkins.mail), through the drop-in.
  expect(casc.unclassified.location).toEqual({ url: "${FACTORY_JENKINS_URL}", adminAddress: "${FACTORY_ADMIN_EMAIL:-}" });
  const relay = {
    smtpHost: "${FACTORY_SMTP_HOST:-}",
    smtpPort: "${FACTORY_SMTP_PORT:-}",
    useSsl: "${FACTORY_SMTP_USE_SSL:-false}",
    useTls: "${FACTORY_SMTP_USE_TLS:-false}",
  };
  expect(casc.unclassified.mailer).toEqual({
    ...relay,
    authentication: { username: "${FACTORY_SMTP_USERNAME:-}", password: `\${readFile:${jenkins.paths.credentialsDir}/smtp-password}` },
  });
  expect(casc.unclassified["email-ext"].mailAccount).toEqual({ ...relay, credentialsId: "${FACTORY_SMTP_CREDENTIALS:-}" });
  const seedJob: string = casc.jobs[0].script;
  expect(seedJob).toContain("String repoUrl = '${FACTORY_JOBS_REPO_URL}'");
  const deployKey = casc.credentials.system.domainCredentials[0].credentials[1].basicSSHUserPrivateKey;
  expect(deployKey).toMatchObject({
    id: "jobs-repo-deploy-key",
    privateKeySource: { directEntry: { privateKey: "${readFile:/var/lib/jenkins/.ssh/id_ed25519}" } },
  });
  expect(seedJob).toContain("branch('${FACTORY_JOBS_REPO_BRANCH}')");
  expect(seedJob).toContain("external('jobs/dsl/*.groovy')");
  expect(seedJob).toContain("queue('seed')");
  // No secret material in the file, only references to files the first boot wrote.
  expect(readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8")).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|\$2[aby]\$\d\d\$/);
});

test("every FACTORY_* variable the pipelines and the library read is set: by JCasC for every build, or by the pipeline itself", () => {
  const casc = parse(readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8"));
  const global = casc.jenkins.globalNodeProperties[0].envVars.env.map((e: { key: string }) => e.key);
  const files = [
    ...readdirSync(path.join(JOBS, "pipelines")).map((f) => path.join(JOBS, "pipelines", f)),
    ...readdirSync(path.join(JOBS, "library", "vars")).map((f) => path.join(JOBS, "library", "vars", f)),
  ];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const own = [...text.matchAll(/^\s*(?:env\.)?(FACTORY_[A-Z_]+) = /gm)].map((m) => m[1]);
    for (const name of new Set([...text.matchAll(/env\.(FACTORY_[A-Z_]+)/g)].map((m) => m[1]))) {
      expect([path.basename(file), name, global.includes(name) || own.includes(name)]).toEqual([path.basename(file), name, true]);
    }
  }
  // The mail decision in particular: no relay, no mail, and the build log says why.
  const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
  expect(jenkinsfile).toMatch(
    /if \(!env\.FACTORY_SMTP_HOST\) \{\s*echo "No e-mail sent: [^\n]*jenkins\.mail[^\n]*\n\s*\} else \{\s*timeout\(time: 5, unit: 'MINUTES'\) \{ node\('built-in'\) \{\s*emailext\(/,
  );
});

test("plugins.txt pins every plugin the configuration and the pipeline use", () => {
  const lines = readFileSync(path.join(JOBS, "jenkins", "plugins.txt"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
  for (const line of lines) expect(line).toMatch(/^[a-z0-9-]+:[0-9][\w.-]*$/);
  const names = lines.map((l) => l.split(":")[0]);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual(
    expect.arrayContaining([
      "configuration-as-code",
      "job-dsl",
      "pipeline-model-definition",
      "workflow-job",
      "workflow-cps",
      "workflow-basic-steps",
      "workflow-durable-task-step",
      "workflow-scm-step",
      "pipeline-groovy-lib",
      "git",
      "ssh-slaves",
      "credentials",
      "plain-credentials",
      "credentials-binding",
      "ssh-credentials",
      "email-ext",
      "mailer",
      "timestamper",
      "ws-cleanup",
    ]),
  );
});

test("the sample image definitions: a KIWI description and a DIB element set with the hardening", () => {
  const kiwiDir = path.join(JOBS, "images", "kiwi", "opensuse-leap-15.6");
  const xml = spawnSync(
    "python3",
    [
      "-c",
      "import sys, xml.etree.ElementTree as ET; t = ET.parse(sys.argv[1]).getroot().find('preferences/type'); print(t.get('format'), t.get('kernelcmdline'))",
      path.join(kiwiDir, "config.kiwi"),
    ],
    { encoding: "utf8" },
  );
  expect(xml.stderr).toBe("");
  expect(xml.stdout).toMatch(/^qcow2 .*console=ttyS0/);
  const dib = readFileSync(path.join(JOBS, "images", "dib", "debian-12", "image.env"), "utf8");
  expect(dib).toMatch(/^DIB_ELEMENTS="debian vm cloud-init-datasources .*factory-hardening"$/m);
  // Both images' cloud-init configuration is valid cloud-config (checked by cloud-init itself).
  const dibCloudCfg = readFileSync(
    path.join(JOBS, "images", "dib", "debian-12", "elements", "factory-hardening", "install.d", "50-factory-hardening"),
    "utf8",
  ).match(/cloud\.cfg\.d\/90-factory\.cfg <<'EOF'\n([\s\S]*?)\nEOF/)![1];
  const dir = tempDir("jobs-cloudcfg-");
  writeFileSync(path.join(dir, "dib.cfg"), dibCloudCfg + "\n");
  for (const file of [path.join(kiwiDir, "root", "etc", "cloud", "cloud.cfg.d", "90-factory.cfg"), path.join(dir, "dib.cfg")]) {
    const config = parse(readFileSync(file, "utf8"));
    expect(config).toMatchObject({
      ssh_pwauth: false,
      disable_root: true,
      growpart: { mode: "auto" },
      system_info: { default_user: { name: "linux" } },
    });
  }
  const schema = spawnSync(
    "bash",
    ["-c", `for f in ${kiwiDir}/root/etc/cloud/cloud.cfg.d/90-factory.cfg ${dir}/dib.cfg; do cloud-init schema -c "$f" || exit 1; done`],
    { encoding: "utf8" },
  );
  expect(schema.stderr).toBe("");
  expect(schema.status).toBe(0);
  rmSync(dir, { recursive: true });
});

test("the KIWI overlay passes the image test suite's configuration checks it can carry", () => {
  // sshd and sysctl come from the overlay; the rest (grub, services) from KIWI and config.sh.
  const r = run(path.join(JOBS, "image-tests", "run.sh"), ["--root", path.join(JOBS, "images", "kiwi", "opensuse-leap-15.6", "root")], {});
  for (const check of ["PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin no", "network sysctl hardening"]) {
    expect(r.stdout).toMatch(new RegExp(`^ok \\d+ - ${check}`, "m"));
  }
});

test("update-repo.sh brings the controller's clone to the branch head and drops local edits", () => {
  const dir = tempDir("jobs-update-");
  const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
  const sh = (cmd: string) => {
    const r = spawnSync("bash", ["-c", cmd], { cwd: dir, env: gitEnv, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
    return r.stdout.trim();
  };
  sh(
    "git init -q -b main origin && echo a > origin/casc.yaml && git -C origin add . && git -C origin commit -qm one && git clone -q origin clone",
  );
  sh("echo b > origin/casc.yaml && git -C origin commit -qam two && echo local > clone/casc.yaml && touch clone/stray");
  const r = run(path.join(JOBS, "jenkins", "update-repo.sh"), [path.join(dir, "clone")], { FACTORY_JOBS_REPO_BRANCH: "main" });
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe(sh("git -C origin rev-parse HEAD"));
  expect(readFileSync(path.join(dir, "clone", "casc.yaml"), "utf8")).toBe("b\n");
  expect(sh("ls clone")).toBe("casc.yaml");
  expect(run(path.join(JOBS, "jenkins", "update-repo.sh"), [dir], {}).status).toBe(1);
  rmSync(dir, { recursive: true, force: true });
});

describe("the image-build pipeline's timeouts and executors", () => {
  const jenkinsfile = readFileSync(path.join(JOBS, "pipelines", "image-build.Jenkinsfile"), "utf8");
  const [head, rest] = jenkinsfile.split(/^\s*stages \{$/m);
  const [stagesText, post] = rest.split(/^\s*post \{$/m);
  const blocks = stagesText
    .split(/^\s*stage\('/m)
    .slice(1)
    .map((b) => ({ name: b.slice(0, b.indexOf("'")), text: b }));

  test("no pipeline-wide timeout (it wraps post {} and kills the cleanup after its 60 s grace period); every stage has its own", () => {
    const options = /^ {4}options \{([\s\S]*?)^ {4}\}/m.exec(head)![1];
    expect(options).not.toContain("timeout");
    expect(blocks).toHaveLength(15);
    for (const b of blocks)
      expect([b.name, /options \{ timeout\(time: \d+, unit: '(MINUTES|HOURS)'\) \}/.test(b.text)]).toEqual([b.name, true]);
    // post {} bounds each of its own steps instead (clean-up, destroy, record and report, the push to the web servers, mail).
    expect(post.match(/timeout\(time: \d+, unit: 'MINUTES'\) \{/g)).toHaveLength(5);
  });

  test("a skipped stage takes no executor (beforeAgent), and waiting for a slot or the agent holds none", () => {
    for (const b of blocks.filter((x) => x.text.includes("when {")))
      expect([b.name, /when \{\s*beforeAgent true\n/.test(b.text)]).toEqual([b.name, true]);
    for (const name of ["Spawn build host", "Add Jenkins agent"]) {
      const b = blocks.find((x) => x.name === name)!;
      expect([name, /^\s*agent /m.test(b.text)]).toEqual([name, false]); // no stage-level agent
    }
    const spawn = blocks.find((x) => x.name === "Spawn build host")!.text;
    // Each try takes an executor for a moment; the sleep between tries is outside the node.
    expect(spawn).toMatch(
      /def rc = node\('built-in'\) \{\s*sh\(returnStatus: true, script: 'SPAWN_WAIT_MINUTES=0 [^']*run-stage\.sh" controller 02-spawn-build-host\.sh'\)\s*\}\s*if \(rc == 0\) break\s*if \(rc != 75\)[^\n]*\n[^\n]*\n\s*sleep\(time: 60, unit: 'SECONDS'\)/,
    );
    const agent = blocks.find((x) => x.name === "Add Jenkins agent")!.text;
    expect(agent).toMatch(/\}\.trim\(\)[\s\S]*waitUntil/);
    expect(agent.indexOf("waitUntil")).toBeGreaterThan(agent.lastIndexOf("node('built-in')"));
  });

  test("timestamps come from JCasC's timestamper allPipelines, not from each Jenkinsfile", () => {
    const casc = parse(readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8"));
    expect(casc.unclassified.timestamper.allPipelines).toBe(true);
    for (const f of readdirSync(path.join(JOBS, "pipelines")))
      expect([f, readFileSync(path.join(JOBS, "pipelines", f), "utf8").includes("timestamps()")]).toEqual([f, false]);
  });
});

test("JCasC declares every credential the pipelines, the library, the seed and JCasC itself use, each from a file", () => {
  // JCasC replaces the whole system store at every (re)load: one added in the UI vanishes.
  const cascText = readFileSync(path.join(JOBS, "jenkins", "casc.yaml"), "utf8");
  const casc = parse(cascText);
  const declared = new Map<string, any>();
  for (const entry of casc.credentials.system.domainCredentials[0].credentials) {
    const [kind, body] = Object.entries(entry)[0] as [string, any];
    declared.set(body.id, { kind, ...body });
  }
  const sources = [...GROOVY, path.join(JOBS, "jenkins", "casc.yaml")].map((f) => readFileSync(f, "utf8")).join("\n");
  const used = new Set<string>();
  for (const m of sources.matchAll(/credentialsId:\s*'([^'$]+)'/g)) used.add(m[1]);
  for (const m of sources.matchAll(/new SSHLauncher\([^)]*'([^']+)'\)/g)) used.add(m[1]);
  // FACTORY_JOBS_REPO_CREDENTIALS and FACTORY_SMTP_CREDENTIALS name these (userdata/jenkins.ts).
  used.add(jobsRepoCredentials("ssh://git@git.example.com/factory.git"));
  used.add(SMTP_CREDENTIALS);
  expect([...used].sort()).toEqual(["build-host-ssh", "image-signing-key", "jobs-repo-deploy-key", "smtp", "web-publish-ssh"].sort());
  // The directory's bind password, for the LDAP realm (security-ldap.yaml reads its file too).
  expect(declared.get("ldap-bind-password")).toMatchObject({
    kind: "string",
    secret: "${readFile:/var/lib/jenkins/secrets/factory/ldap-bind-password}",
  });
  for (const id of used) expect([id, declared.has(id)]).toEqual([id, true]);
  // The publish key the README tells admins about is declared too.
  expect(declared.get("web-publish-ssh")).toMatchObject({ kind: "basicSSHUserPrivateKey", username: "publish" });
  // Every secret is read from a file on the controller, none is in this file.
  const secrets = [...declared.values()].map((c) => c.privateKeySource?.directEntry?.privateKey ?? c.secretBytes ?? c.password ?? c.secret);
  for (const s of secrets) expect(s).toMatch(/^\$\{readFile(Base64)?:\/var\/lib\/jenkins\/(\.ssh|secrets\/factory)\/[\w.-]+\}$/);
  expect(declared.get("image-signing-key")).toMatchObject({
    kind: "file",
    secretBytes: "${readFileBase64:/var/lib/jenkins/secrets/factory/image-signing-key.asc}",
  });
  // The jobs repository's credential comes from one variable everywhere.
  expect(sources).not.toMatch(/\(https\?\|file\)/);
});

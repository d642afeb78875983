// The controller's plugin set: every plugin in jobs/jenkins/plugins.txt, dependencies
// included, at the version of one jenkinsci bom line (the committed copy
// jobs/jenkins/bom-2.555.x.txt), every dependency a plugin's pom declares pinned at that
// version or newer, every plugin's Jenkins baseline no newer than the Jenkins we install,
// and jenkins-plugin-cli told not to float dependencies. No update site is reachable
// here: this is what jenkins-plugin-cli and Jenkins would otherwise refuse at first boot.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_JENKINS_VERSION, EnvironmentSchema } from "../config/schema";
import { REPO, exampleData, tempDir } from "./helpers";

const JENKINS = path.join(REPO, "jobs", "jenkins");
const TOOL = path.join(REPO, "tools", "jenkins-plugins.py");
const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));

/** hudson.util.VersionNumber's order, as far as plugin versions need it (Maven's ComparableVersion). */
export function compareVersions(a: string, b: string): number {
  const items = (v: string) =>
    v
      .split(/[.\-_]|(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)/i)
      .filter(Boolean)
      .map((t) => (/^\d+$/.test(t) ? BigInt(t) : t.toLowerCase()));
  const qualifiers = ["alpha", "a", "beta", "b", "milestone", "m", "rc", "cr", "snapshot"];
  const [x, y] = [items(a), items(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === q) continue;
    if (p === undefined || q === undefined) {
      const rest = (p ?? q)!;
      const sign = p === undefined ? -1 : 1;
      if (typeof rest === "bigint") return rest === 0n ? 0 : sign;
      return qualifiers.includes(rest) ? -sign : sign;
    }
    if (typeof p === "bigint" && typeof q === "bigint") return p < q ? -1 : 1;
    if (typeof p === "bigint") return 1;
    if (typeof q === "bigint") return -1;
    return p < q ? -1 : 1;
  }
  return 0;
}

function readBom(file: string) {
  const versions = new Map<string, string>();
  let jenkins = "";
  for (const line of lines(file)) {
    const [key, version] = line.split(" ");
    if (key === "jenkins.version") jenkins = version;
    else versions.set(key.split(":")[1], version);
  }
  return { versions, jenkins, header: readFileSync(file, "utf8").split("\n")[0] };
}

const bom = readBom(path.join(JENKINS, "bom-2.555.x.txt"));
const pluginsText = readFileSync(path.join(JENKINS, "plugins.txt"), "utf8");
const pins = new Map(lines(path.join(JENKINS, "plugins.txt")).map((l) => l.split(":") as [string, string]));
const direct = pluginsText
  .split("# Needed by the above")[0]
  .split("\n")
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split(":")[0]);
interface Requirement {
  version: string;
  older?: string;
  core: string;
  deps: Array<{ name: string; min: string; optional: boolean }>;
}
const requirements = new Map<string, Requirement>(
  lines(path.join(JENKINS, "plugin-requirements.txt")).map((line) => {
    const [name, pinned, core, ...deps] = line.split(" ");
    const [version, older] = pinned.split("@");
    return [
      name,
      {
        version,
        older,
        core,
        deps: deps.map((d) => ({ name: d.split(":")[0], min: d.split(":")[1].replace(/\?$/, ""), optional: d.endsWith("?") })),
      },
    ];
  }),
);

test("the version order is Jenkins' (numbers numerically, CD versions by their commit count)", () => {
  expect(compareVersions("1405.vb_cda_74a_f8974", "1389.vd7a_b_f5fa_50a_2")).toBe(1);
  expect(compareVersions("2.30.1.80-256.vf98926042a_9b_", "2.30.1.84-291.v9f17b_21896e2")).toBe(-1);
  expect(compareVersions("5.10.1", "5.7.0")).toBe(1);
  expect(compareVersions("2.555.3", "2.555.3")).toBe(0);
  expect(compareVersions("2.532", "2.555.3")).toBe(-1);
  expect(compareVersions("1.0-rc1", "1.0")).toBe(-1);
  expect(compareVersions("20260814-226.v20f9685d642c", "20251224-185.v0cc18490c62c")).toBe(1);
});

test("the committed bom copy names its source: the jenkinsci bom release and commit, and the Jenkins it tests the line with", () => {
  expect(bom.header).toMatch(
    /^# The versions bom-2\.555\.x manages: https:\/\/github\.com\/jenkinsci\/bom, release \d+\.v[0-9a-f_]+ \(commit [0-9a-f]{40}\)\.$/,
  );
  expect(bom.versions.size).toBeGreaterThan(300);
  expect(bom.jenkins).toBe(DEFAULT_JENKINS_VERSION);
});

test("every plugin is pinned once, at exactly the bom's version", () => {
  const names = lines(path.join(JENKINS, "plugins.txt")).map((l) => l.split(":")[0]);
  expect(new Set(names).size).toBe(names.length);
  for (const [name, version] of pins) expect([name, version]).toEqual([name, bom.versions.get(name)]);
  expect(pins.size).toBeGreaterThan(direct.length); // dependencies are pinned too
});

test("every dependency a pinned plugin declares is pinned, at its minimum or newer; optional ones too when present", () => {
  const problems: string[] = [];
  for (const [name, version] of pins) {
    const req = requirements.get(name);
    if (!req) {
      problems.push(`${name}: no requirements recorded (run tools/jenkins-plugins.py resolve)`);
      continue;
    }
    if (req.version !== version) problems.push(`${name}: requirements are of ${req.version}, pinned ${version}`);
    for (const dep of req.deps) {
      const pinned = pins.get(dep.name);
      if (!pinned) {
        if (!dep.optional) problems.push(`${name} ${version} needs ${dep.name} ${dep.min}, which is not pinned`);
      } else if (dep.min !== "*" && compareVersions(pinned, dep.min) < 0) {
        problems.push(`${name} ${version} needs ${dep.name} ${dep.min}, pinned older: ${pinned}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test("every pinned plugin is used directly or needed by one that is: nothing stray", () => {
  const needed = new Set(direct);
  for (const [, req] of requirements) for (const dep of req.deps) if (!dep.optional) needed.add(dep.name);
  expect([...pins.keys()].filter((n) => !needed.has(n))).toEqual([]);
});

test("every plugin's Jenkins baseline is no newer than the Jenkins the controller installs", () => {
  const env = EnvironmentSchema.parse(exampleData());
  expect(env.jenkins.version).toBe(DEFAULT_JENKINS_VERSION);
  const tooNew = [...requirements]
    .filter(([, r]) => r.core !== "*" && compareVersions(r.core, env.jenkins.version) > 0)
    .map(([n, r]) => `${n} needs Jenkins ${r.core}`);
  expect(tooNew).toEqual([]);
  // The Jenkins of that line runs on Java 21 (or 25): the controller's JRE default.
  expect(env.jenkins.javaPackage).toBe("openjdk-21-jre-headless");
});

test("the plugin CLI is told to install exactly these versions (--latest false; its default floats dependencies)", () => {
  const bootstrap = readFileSync(path.join(REPO, "userdata", "scripts", "jenkins-bootstrap.sh"), "utf8");
  expect(bootstrap).toMatch(
    /java -jar "\$cli_jar" --war \/usr\/share\/java\/jenkins\.war --latest false \\\n\s+--plugin-download-directory "\$home\/plugins" --plugin-file "\$repo\/jobs\/jenkins\/plugins\.txt"/,
  );
});

describe("tools/jenkins-plugins.py bom", () => {
  // A two-line bom in git, as jenkinsci/bom lays it out: bom-2.555.x imports bom-weekly
  // and overrides some of it; the root pom's sample-plugin profile names the Jenkins.
  const dir = tempDir("jenkins-bom-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pom = (
    artifact: string,
    deps: string,
    props = "",
  ) => `<project xmlns="http://maven.apache.org/POM/4.0.0"><parent><groupId>io.jenkins.tools.bom</groupId><artifactId>parent</artifactId><version>\${changelist}</version></parent>
<artifactId>${artifact}</artifactId><properties>${props}</properties><dependencyManagement><dependencies>${deps}</dependencies></dependencyManagement></project>`;
  const dep = (g: string, a: string, v: string, extra = "") =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>${extra}</dependency>`;

  test("reads a line with its imports, the line's own versions winning, test jars left out", () => {
    const files: Record<string, string> = {
      "pom.xml":
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><groupId>io.jenkins.tools.bom</groupId><artifactId>parent</artifactId><version>${changelist}</version></project>',
      "bom-weekly/pom.xml": pom(
        "bom-weekly",
        dep("org.jenkins-ci.plugins", "credentials", "${credentials.version}") +
          dep("org.jenkins-ci.plugins", "git", "5.10.1") +
          dep("org.jenkins-ci.plugins", "git", "5.10.1", "<classifier>tests</classifier>"),
        "<credentials.version>1511.v2e3cb_0008ef0</credentials.version>",
      ),
      "bom-2.555.x/pom.xml": pom(
        "bom-2.555.x",
        dep("${project.groupId}", "bom-weekly", "${project.version}", "<type>pom</type><scope>import</scope>") +
          dep("org.jenkins-ci.plugins", "git", "5.9.0"),
      ),
      "sample-plugin/pom.xml":
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><profiles><profile><id>2.555.x</id><properties><jenkins.version>2.555.3</jenkins.version></properties></profile></profiles></project>',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const git = (...args: string[]) =>
      spawnSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@e", ...args], { encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "bom");
    git("tag", "42.vabc");
    const r = spawnSync("/usr/bin/python3", [TOOL, "bom", "--bom-repo", dir, "--tag", "42.vabc", "--line", "2.555.x"], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    const commit = git("rev-parse", "HEAD").stdout.trim();
    expect(r.stdout.split("\n").filter((l) => !l.startsWith("# Regenerate"))).toEqual([
      `# The versions bom-2.555.x manages: https://github.com/jenkinsci/bom, release 42.vabc (commit ${commit}).`,
      "jenkins.version 2.555.3",
      "org.jenkins-ci.plugins:credentials 1511.v2e3cb_0008ef0",
      "org.jenkins-ci.plugins:git 5.9.0",
      "",
    ]);
  });
});

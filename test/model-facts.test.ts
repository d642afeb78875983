// One place per fact: the ports, paths, uids, address offsets and name templates the
// resolved model owns (config/roles.ts, config/address-plan.ts, config/names.ts) are
// written nowhere else. A second declaration fails here, naming the file and the line.
// The files that still spell some out are listed, each with why; a listed file that no
// longer does fails too, so the list only shrinks.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { OFFSETS } from "../config/address-plan";
import { resolveFactory } from "../config/factory-model";
import { PORTS, ROLES } from "../config/roles";
import { maximalEnvironment, REPO } from "./helpers";
import { expectedRules } from "./security-matrix";

const OWNERS = new Set(["config/roles.ts", "config/address-plan.ts", "config/names.ts", "config/factory-model.ts"]);

const tracked = spawnSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" })
  .stdout.split("\0")
  .filter((f) => /^(config|stacks|constructs|userdata|cli|jobs|tools)\/|^main\.ts$/.test(f))
  .filter((f) => !f.startsWith("tools/local-cloud/") && !f.startsWith("jobs/build-hosts/") && !/^jobs\/jenkins\/(bom|plugin)/.test(f))
  .filter((f) => !OWNERS.has(f));

/** The model's paths (every role's, and its users' homes), and the ports only the factory uses (22, 80 and 443 are everyone's). */
const PATHS: string[] = Object.values(ROLES).flatMap((role) => [
  ...("paths" in role ? Object.values(role.paths) : []),
  ...("user" in role && role.user.home ? [role.user.home] : []),
]);
const PATH_ROOTS = [...new Set(PATHS.filter((p) => !PATHS.some((q) => q !== p && p.startsWith(`${q}/`))))];
const OWN_PORTS = [PORTS.jenkinsHttp, PORTS.nfs, PORTS.iperf3];
const FACT = new RegExp(`(${PATH_ROOTS.map((p) => p.replace(/[/.]/g, "\\$&")).join("|")})|\\b(${OWN_PORTS.join("|")})\\b`);

/** TypeScript without its comments: prose may name a port; code may not. */
function code(file: string, text: string): string {
  if (!file.endsWith(".ts")) return text;
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, "")).replace(/^\s*\/\/.*$/gm, "");
}

function hits(pattern: RegExp, files: string[]): string[] {
  return files.flatMap((file) =>
    code(file, readFileSync(path.join(REPO, file), "utf8"))
      .split("\n")
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

// Each still spells out a model path or port, and why it has not moved yet.
const REMAINING: Record<string, string> = {
  // JCasC cannot read JSON: its paths are checked against the model (jobs-config.test.ts).
  "jobs/jenkins/casc.yaml": "JCasC",
  "jobs/jenkins/security-ldap.yaml": "JCasC",
  "jobs/jenkins/security-local.yaml": "JCasC",
  // The Jenkinsfiles run in Jenkins' sandbox, which has no JSON reader without a plugin.
  "jobs/pipelines/image-build.Jenkinsfile": "Jenkinsfile environment",
  "jobs/pipelines/factory-config-reload.Jenkinsfile": "Jenkinsfile",
  // The build record's documentation names where the records live.
  "jobs/stats/build-record.schema.json": "schema description",
  // Runs inside the image under test, which has no model file: iperf3's own default port.
  "jobs/image-tests/run.sh": "in the image",
  // Their text is the servers' user_data: moving a path into an argument changes every
  // server's user-data (no server is replaced: user_data is ignored after creation).
  "userdata/scripts/jenkins-bootstrap.sh": "user-data text",
  "userdata/scripts/jenkins-break-glass.sh": "user-data text",
  "userdata/scripts/check-listeners.sh": "user-data text (usage line)",
};

test("no file but the model declares its ports and paths (except the listed ones, which still do)", () => {
  const outside = tracked.filter((f) => !(f in REMAINING));
  expect(hits(FACT, outside)).toEqual([]);
  const stale = Object.keys(REMAINING).filter((f) => hits(FACT, [f]).length === 0);
  expect(stale).toEqual([]);
});

test("no TypeScript outside the model makes a name, an address or a uid", () => {
  const ts = tracked.filter((f) => f.endsWith(".ts"));
  // `${env.name}-jump`, `${envName}-build-…`: names come from config/names.ts
  expect(hits(/\$\{[^}`]*\}-(net|subnet|router|admin|jump|nfs|jenkins|web|build|data|factory|network)\b/, ts)).toEqual([]);
  // addresses come from the address plan, uids from the roles
  expect(
    hits(
      /\bnthAddress\(/,
      ts.filter((f) => f !== "config/cidr.ts"),
    ),
  ).toEqual([]);
  expect(hits(new RegExp(`\\buid: ${ROLES.jenkins.user.uid}\\b|\\b${ROLES.jenkins.user.uid}\\b`), ts)).toEqual([]);
});

test("the README's address plan is the model's", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const said = (pattern: RegExp) => Number(pattern.exec(readme)?.[1]);
  expect({
    jump: said(/jump hosts \.(\d+)\+/),
    egressVip: said(/VIP \.(\d+)\)/),
    jenkins: said(/jenkins\["Jenkins \.(\d+)/),
    nfs: said(/nfs\["NFS \.(\d+)/),
    dynamicPool: said(/build hosts \.(\d+)\+/),
    dataJenkins: said(/fixed ports of Jenkins \(\.(\d+)\)/),
    dataNfs: said(/and NFS \(\.(\d+)\)/),
  }).toEqual({
    jump: OFFSETS.jump,
    egressVip: OFFSETS.egressVip,
    jenkins: OFFSETS.jenkins,
    nfs: OFFSETS.nfs,
    dynamicPool: OFFSETS.dynamicPool,
    dataJenkins: OFFSETS.jenkins,
    dataNfs: OFFSETS.nfs,
  });
});

test("the ports the security matrix opens to each role are the ports the model says it serves (its listens)", () => {
  const opened: Record<string, number[]> = {};
  for (const line of expectedRules(maximalEnvironment())) {
    const m = /^(\S+) <- \S+ tcp\/(\d+) /.exec(line);
    if (m && !opened[m[1]]?.includes(Number(m[2]))) (opened[m[1]] ??= []).push(Number(m[2]));
  }
  const byRole = { jump: ROLES.jump, jenkins: ROLES.jenkins, nfs: ROLES.nfs, "build-host": ROLES.buildHost, web: ROLES.web };
  const served: Record<string, number[]> = Object.fromEntries(
    Object.entries(byRole).map(([role, r]) => [role, [...r.listens].sort((a, b) => a - b)]),
  );
  // 443 stays open on the web servers for TLS in front of them (a load balancer, or a
  // certificate added later: user-data carries no keys); nginx itself serves 80 only.
  served.web = [...served.web, PORTS.https].sort((a, b) => a - b);
  expect(Object.fromEntries(Object.entries(opened).map(([role, ports]) => [role, ports.sort((a, b) => a - b)]))).toEqual(served);
});

test("the model's hosts follow the address plan and the zones, and jump hosts never reach into the dynamic pool", () => {
  const env = maximalEnvironment();
  const { plan, roles, names } = resolveFactory(env);
  expect(roles.jump.hosts.map((h) => h.address)).toEqual(plan.jump);
  expect(roles.jump.hosts.map((h) => h.name)).toEqual(plan.jump.map((_, i) => names.server("jump", i)));
  expect(roles.jenkins.host.zone).not.toBe(roles.nfs.host.zone);
  // The schema allows at most 16; the plan itself refuses what would overlap the pool.
  const crowded = { ...env, servers: { ...env.servers, jump: { ...env.servers.jump, count: OFFSETS.dynamicPool - OFFSETS.jump + 1 } } };
  expect(() => resolveFactory(crowded)).toThrow(
    `${OFFSETS.dynamicPool - OFFSETS.jump + 1} jump hosts from .${OFFSETS.jump} reach into the dynamic pool (.${OFFSETS.dynamicPool} up)`,
  );
});

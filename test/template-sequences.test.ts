// No string of an environment file becomes a Terraform expression: every string-valued
// key of the schema — found by walking the zod schema, so a key added later is covered
// without touching this test — is refused with "${" or "%{" in it, naming file and key.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, parseEnvironment } from "../config/load";
import { EnvironmentSchema } from "../config/schema";
import { MAXIMAL, runFactoryInProcess, synthEnvironment, writeEnvironment, environment } from "./helpers";
import { Path, stringKeys } from "./schema-walk";

/** Sets `value` at `path`, creating what is missing; a discriminator replaces its object. */
function setAt(data: any, path: Path, value: unknown, replaceParent = false): void {
  let node = data;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const last = i === path.length - 2;
    if (node[key] === null || typeof node[key] !== "object" || (replaceParent && last))
      node[key] = typeof path[i + 1] === "number" ? [] : {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

const maximal = () => parse(readFileSync(MAXIMAL, "utf8"));
const KEYS = stringKeys(EnvironmentSchema);
const PAYLOADS = ['${file("/etc/passwd")}', '%{ for f in fileset("/", "*") }${f}%{ endfor }', "images-${TfToken[TOKEN.1]}"];

test("the walk finds the string keys of every part of the schema", () => {
  const names = KEYS.map((k) => k.path.join("."));
  expect(names.length).toBeGreaterThan(60);
  expect(names).toEqual(
    expect.arrayContaining([
      "name",
      "servers.jenkins.flavor",
      "servers.jump.image",
      "admin.cidrs.0",
      "jenkins.jobsRepo.branch",
      "jenkins.mail.from",
      "buildHosts.templates.0.javaPackage",
      "images.0.os.version",
      "backend.dir",
      "backend.bucket",
      "backend.address",
      "timeServers.0",
    ]),
  );
});

describe.each(KEYS.map((k) => [k.path.join("."), k] as const))("%s", (where, key) => {
  test.each(PAYLOADS)("refused: %s", (payload) => {
    const data = maximal();
    for (const v of key.variant) setAt(data, v.path, v.value, true);
    setAt(data, key.path, payload);
    let problems: string[] = [];
    try {
      parseEnvironment("env.yaml", JSON.stringify(data));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.message.split("\n");
    }
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`^env\\.yaml: ${where.replace(/\./g, "\\.")}: must not contain "(\\$|%)\\{"`)),
    );
  });
});

test("the CLI names file and key, and writes nothing", async () => {
  const data = maximal();
  data.servers.jenkins.flavor = '${file("/etc/passwd")}';
  data.web.domain = "%{if true}x%{endif}";
  const file = writeEnvironment(data);
  const r = await runFactoryInProcess(["validate", "--config", file]);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    [
      `${file}: servers.jenkins.flavor: must not contain "\${": Terraform would read it as an expression and evaluate it`,
      `${file}: web.domain: must not contain "%{": Terraform would read it as an expression and evaluate it`,
      "",
    ].join("\n"),
  );
});

test("a valid environment's strings reach the Terraform JSON as they are", () => {
  // '$' and '%' on their own are no template sequence: kept literally, nothing is escaped.
  const env = environment((d) => (d.servers.jenkins.flavor = "m1.$large%"));
  const factory = JSON.parse(synthEnvironment(env).get("example-factory")!);
  const flavors = Object.values(factory.resource.openstack_compute_instance_v2).map((r: any) => r.flavor_name);
  expect(flavors).toContain("m1.$large%");
});

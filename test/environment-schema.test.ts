// environment.schema.json and the README's environment reference are generated from the
// zod schema (npm run schema): committed copies that are stale fail here, the JSON schema
// accepts the environments we ship and refuses what zod refuses for keys and types, and
// every key has a description to show.
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { ConfigError, parseEnvironment } from "../config/load";
import { EnvironmentSchema } from "../config/schema";
import { README_FILE, REFERENCE_END, REFERENCE_START, SCHEMA_FILE } from "../tools/generate-environment-schema";
import { EXAMPLE, exampleData, MAXIMAL, REPO, tempDir } from "./helpers";
import { schemaLeaves } from "./schema-walk";

const GENERATOR = path.join(REPO, "dist", "tools", "generate-environment-schema.js");
const SCHEMA_PATH = path.join(REPO, SCHEMA_FILE);

function generator(...args: string[]) {
  const r = spawnSync(process.execPath, [GENERATOR, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("generated files", () => {
  test("the committed environment.schema.json and README table are what the schema generates", () => {
    const r = generator("--check");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  describe("in a copy of the checkout", () => {
    let root: string;
    const committed = (file: string) => readFileSync(path.join(REPO, file), "utf8");
    const copied = (file: string) => readFileSync(path.join(root, file), "utf8");
    beforeEach(() => {
      root = tempDir("environment-schema-");
      for (const file of [SCHEMA_FILE, README_FILE]) copyFileSync(path.join(REPO, file), path.join(root, file));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    test.each([
      [
        "a README row edited by hand",
        README_FILE,
        (t: string) => t.replace("| `cloud` | string | required |", "| `cloud` | string | optional |"),
      ],
      [
        "a key missing from the JSON schema",
        SCHEMA_FILE,
        (t: string) => JSON.stringify({ ...JSON.parse(t), properties: { ...JSON.parse(t).properties, cloud: undefined } }, null, 2),
      ],
      ["a JSON schema deleted", SCHEMA_FILE, undefined],
    ])("%s: --check fails naming the file and writes nothing; a run regenerates it", (_, file, edit) => {
      if (edit) writeFileSync(path.join(root, file), edit(copied(file)));
      else rmSync(path.join(root, file));
      const before = edit ? copied(file) : undefined;

      const check = generator("--check", "--root", root);
      expect(check.status).toBe(1);
      expect(check.stderr).toBe(
        `${path.join(root, file)}: stale, not what config/schema.ts generates (run \`npm run schema\` and commit)\n`,
      );
      if (before !== undefined) expect(copied(file)).toBe(before);

      const run = generator("--root", root);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${path.join(root, file)}\n`);
      expect(copied(file)).toBe(committed(file));
      expect(generator("--check", "--root", root).status).toBe(0);
    });

    test("the README keeps everything outside the markers; without them the generator refuses", () => {
      const readme = copied(README_FILE);
      const [before, rest] = readme.split(REFERENCE_START);
      const after = rest.split(REFERENCE_END)[1];
      writeFileSync(path.join(root, README_FILE), `${before}${REFERENCE_START}\nold table\n${REFERENCE_END}${after}`);
      expect(generator("--root", root).status).toBe(0);
      expect(copied(README_FILE)).toBe(readme);

      writeFileSync(path.join(root, README_FILE), before + after);
      const r = generator("--root", root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${path.join(root, README_FILE)}: no ${REFERENCE_START}`);
      expect(copied(README_FILE)).toBe(before + after);
    });

    test("a usage error exits 2", () => {
      expect(generator("--chekc").status).toBe(2);
    });
  });
});

describe("every key is documented", () => {
  const leaves = schemaLeaves(EnvironmentSchema);
  const where = (l: (typeof leaves)[number]) => [l.path.join("."), ...l.variant.map((v) => `(${v.path.at(-1)}: ${v.value})`)].join(" ");

  test("the walk reaches every part of the schema", () => {
    expect(leaves.length).toBeGreaterThan(90);
    expect(leaves.map(where)).toEqual(
      expect.arrayContaining([
        "name",
        "servers.jump.count",
        "admin.cidrs.0",
        "images.0.os.version",
        "backend.bucket (type: s3)",
        "ldap.bind.dn",
        "jenkins.mail.smtpPort",
      ]),
    );
  });

  test.each(leaves.map((l) => [where(l), l] as const))("%s", (_, leaf) => {
    expect(leaf.description?.trim()).toBeTruthy();
  });

  test("the JSON schema carries the descriptions, README links named as sections", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8"));
    expect(schema.properties.servers.properties.jenkins.properties.homeVolumeGb.description).toMatch(/^JENKINS_HOME's volume in GB/);
    expect(schema.properties.jenkins.properties.version.description).toContain("(see Plugins (README.md#plugins))");
    expect(schema.properties.ldap.properties.bind.properties.dn.description).toContain("`factory ldap-password`");
  });
});

describe("the JSON schema, with a JSON Schema validator (ajv)", () => {
  // strict: an unknown keyword or a malformed schema is an error, not ignored.
  const validate = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  /** The dotted paths ajv complains about (a missing or unknown key's own path). */
  const ajvProblems = (data: unknown): string[] => {
    if (validate(data)) return [];
    return validate.errors!.map((e) => {
      const key =
        (e.params as { additionalProperty?: string; missingProperty?: string }).additionalProperty ??
        (e.params as { missingProperty?: string }).missingProperty;
      return [...e.instancePath.split("/").slice(1), ...(key ? [key] : [])].join(".");
    });
  };
  const zodProblems = (data: unknown): string[] => {
    try {
      parseEnvironment("env.yaml", JSON.stringify(data));
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems.map((p) => p.where);
    }
  };

  test.each([EXAMPLE, MAXIMAL])("%s is valid", (file) => {
    const data = parse(readFileSync(file, "utf8"));
    expect(ajvProblems(data)).toEqual([]);
    expect(zodProblems(data)).toEqual([]);
  });

  test.each<[string, (d: any) => void, string]>([
    ["unknown key", (d) => (d.servers.jenkins.flavour = "m1.large"), "servers.jenkins.flavour"],
    ["unknown top-level key", (d) => (d.regions = ["RegionTwo"]), "regions"],
    ["unknown key in a list's entry", (d) => (d.buildHosts.templates[0].volumeGb = 10), "buildHosts.templates.0.volumeGb"],
    ["a key of another backend type", (d) => (d.backend = { type: "s3", bucket: "b", region: "r", dir: "." }), "backend.dir"],
    ["wrong type: a word for a number", (d) => (d.servers.jump.count = "two"), "servers.jump.count"],
    ["wrong type: a string for a boolean", (d) => (d.readinessCheck = "yes"), "readinessCheck"],
    ["wrong type: a string for a list", (d) => (d.availabilityZones = "az1"), "availabilityZones"],
    ["not a whole number", (d) => (d.images[0].minDiskGb = 4.5), "images.0.minDiskGb"],
    ["out of range", (d) => (d.servers.jump.count = 17), "servers.jump.count"],
    ["not one of the values", (d) => (d.network.egress = "nat"), "network.egress"],
    ["not matching the name pattern", (d) => (d.name = "Example"), "name"],
    ["missing required key", (d) => delete d.region, "region"],
    ["missing required nested key", (d) => delete d.jenkins.jobsRepo.url, "jenkins.jobsRepo.url"],
    ["empty list where one is required", (d) => (d.admin.cidrs = []), "admin.cidrs"],
  ])("refused by both: %s", (_, change, key) => {
    const data = exampleData();
    change(data);
    expect(zodProblems(data)).toContain(key);
    expect(ajvProblems(data)).toContain(key);
  });

  test("what only `factory validate` checks: a malformed CIDR is a string to the JSON schema", () => {
    const data = exampleData();
    data.network.cidr = "10.20.0.300/24";
    expect(ajvProblems(data)).toEqual([]);
    expect(zodProblems(data)).toEqual(["network.cidr"]);
  });
});

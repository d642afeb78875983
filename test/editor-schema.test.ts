// What an editor does with an environment file: yaml-language-server (the VS Code YAML
// extension's server) finds environment.schema.json through the file's first line, finds
// nothing wrong in the files we ship, flags what `factory validate` also refuses, and
// completes keys with their descriptions.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { EXAMPLE, MAXIMAL, REPO } from "./helpers";
import { YamlLanguageServer } from "./yaml-language-server";

const MODELINE = /^# yaml-language-server: \$schema=(\S+)\n/;
let server: YamlLanguageServer;
beforeAll(async () => {
  server = await YamlLanguageServer.start();
});
afterAll(() => server?.stop());

/** A document beside the example, opened from memory only (the modeline's path resolves the same). */
const probe = (name: string) => pathToFileURL(path.join(REPO, "environments", `${name}.probe.yaml`)).href;
const example = () => readFileSync(EXAMPLE, "utf8");

test.each([EXAMPLE, MAXIMAL])("%s names the schema on its first line and the editor finds nothing wrong", async (file) => {
  const text = readFileSync(file, "utf8");
  const target = MODELINE.exec(text)?.[1];
  expect(target && path.resolve(path.dirname(file), target)).toBe(path.join(REPO, "environment.schema.json"));
  const uri = pathToFileURL(file).href;
  expect(await server.open(uri, text)).toEqual([]);
  server.close(uri);
});

test("an unknown key, a wrong type and a missing key are flagged where they are", async () => {
  const text = example()
    .replace("jenkins: { image: debian-13, flavor: m1.large }", "jenkins: { image: debian-13, flavour: m1.large }")
    .replace("count: 2\n  domain:", 'count: "two"\n  domain:')
    .replace(/^region: .*\n/m, "");
  const uri = probe("bad");
  const diagnostics = await server.open(uri, text);
  server.close(uri);
  const lines = text.split("\n");
  const flagged = diagnostics.map(
    (d) => `${lines[d.range.start.line].slice(d.range.start.character, d.range.end.character)}: ${d.message}`,
  );
  expect(flagged).toEqual(
    expect.arrayContaining([
      "flavour: Property flavour is not allowed.",
      'jenkins: Missing property "flavor".',
      '"two": Incorrect type. Expected "integer".',
    ]),
  );
  // A missing top-level key is flagged on the document's first line.
  expect(diagnostics.map((d) => d.message)).toContain('Missing property "region".');
});

test("completion offers the keys not yet written, with their descriptions; hover shows a key's", async () => {
  // The cursor on an empty line of servers.jenkins, as when one starts a new key there.
  const text = example().replace(/^  jenkins: \{.*\n/m, "  jenkins:\n    image: debian-13\n    flavor: m1.large\n    \n");
  const uri = probe("complete");
  await server.open(uri, text);
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l === "    flavor: m1.large") + 1;
  const items = await server.completion(uri, line, 4);
  const documentation = (label: string) => {
    const d = items.find((i) => i.label === label)?.documentation;
    return typeof d === "string" ? d : d?.value;
  };
  expect(items.map((i) => i.label)).toContain("homeVolumeGb");
  expect(documentation("homeVolumeGb")).toMatch(/^JENKINS_HOME's volume in GB/);

  const egress = lines.findIndex((l) => l.startsWith("  egress:"));
  expect(await server.hover(uri, egress, 3)).toContain("Who SNATs the subnet: the router, or the jump hosts");
  server.close(uri);
});

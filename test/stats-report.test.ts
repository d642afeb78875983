// The statistics report (jobs/stats/report.py), generated for real from a history of
// builds: damaged record lines skipped and named, every link resolving, every value from a
// record or a log shown as text, nothing read through or written through what a build host
// may have put on NFS. (Rendered in Chromium by `npm run test:report`.)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO, tempDir } from "./helpers";
import { runProgram } from "./jobs-support";
import { writeFixture, type Fixture } from "./report/fixture";

const STATS = path.join(REPO, "jobs", "stats");
const NOW = "2026-06-01T12:00:00Z";
const root = tempDir("stats-report-");
let fixture: Fixture;
let first: { status: number; stdout: string; stderr: string };
let hostileBuild = "";
const out = () => path.join(fixture.imagesRoot, "stats");
const env = (f: Fixture) => ({
  FACTORY_BUILDS_ROOT: f.buildsRoot,
  FACTORY_LOCAL_ROOT: f.localRoot,
  FACTORY_IMAGES_ROOT: f.imagesRoot,
  FACTORY_ENV: "example",
});
const report = (f: Fixture, ...args: string[]) => runProgram(path.join(STATS, "report.py"), ["--now", NOW, ...args], env(f));
const page = (name: string) => readFileSync(path.join(out(), name), "utf8");

beforeAll(() => {
  fixture = writeFixture(root, { builds: 120, months: 4, now: new Date(NOW), withFiles: 12, damage: true });
  // What a build host can leave in the records directory: a FIFO (a naive reader blocks on
  // it), a symlink to a controller file, a record of a version this reader does not know.
  const stats = path.join(fixture.buildsRoot, "stats");
  spawnSync("mkfifo", [path.join(stats, "Standard_Fifo.jsonl")]);
  writeFileSync(path.join(root, "controller-secret"), "SECRET-OF-THE-CONTROLLER\n");
  symlinkSync(path.join(root, "controller-secret"), path.join(stats, "Standard_Link.jsonl"));
  const one = JSON.parse(readFileSync(path.join(stats, "Standard_Debian_12.jsonl"), "utf8").split("\n")[0]);
  writeFileSync(path.join(stats, "Standard_Future.jsonl"), JSON.stringify({ ...one, version: 2, image: "Standard_Future" }) + "\n");
  // The last build's logs: one a symlink to that controller file, one with markup in it.
  const last = JSON.parse(readFileSync(path.join(stats, "Standard_SLES_15_SP6.jsonl"), "utf8").trim().split("\n").pop()!);
  hostileBuild = last.buildId;
  const hostLogs = path.join(fixture.buildsRoot, last.buildId, "logs");
  rmSync(path.join(hostLogs, "07-build-image.log"));
  symlinkSync(path.join(root, "controller-secret"), path.join(hostLogs, "07-build-image.log"));
  writeFileSync(
    path.join(hostLogs, "05-configure-agent.log"),
    '<script>document.title="pwned"</script>\n\x1b[31mred\x1b[0m and a bell\x07\n',
  );
  first = report(fixture);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a damaged line is skipped and named, on stderr and on the page; the rest is reported", () => {
  expect(first.stderr).not.toContain("Traceback");
  expect(first.status).toBe(0);
  const html = page("index.html");
  for (const fragment of [...fixture.damaged, "Standard_Future.jsonl: line 1: record version 2 is not 1"]) {
    expect(first.stderr).toContain(fragment);
    expect(html).toContain(fragment.replace(/"/g, "&#34;").replace(/'/g, "&#39;"));
  }
  for (const name of ["Standard_Fifo.jsonl", "Standard_Link.jsonl"]) {
    expect(first.stderr).toContain(`${name}: not a regular file of at most 1024 MiB; ignored`);
  }
  expect(first.stderr).toMatch(/report\.py: 120 builds of 4 images, 6 lines skipped; .*index\.html in [\d.]+ s/);
  expect(html).toContain("120 builds of 4 images");
  expect(html).not.toContain("SECRET-OF-THE-CONTROLLER");
});

test("the page: the four questions, the charts with their units and UTC, the last builds", () => {
  const html = page("index.html");
  for (const heading of [
    "How long do the builds take, and which stage takes the time?",
    "Which stage got slower?",
    "How often does each image's build fail?",
    "How big are the images getting?",
    "Which checks of the image tests fail most?",
    "Last builds",
  ]) {
    expect(html).toContain(`${heading}</h2>`);
  }
  // The fixture's Debian image build got slower in the last six weeks.
  expect(html).toMatch(/<tr><td>Standard_Debian_12<\/td><td>07-build-image<\/td>/);
  const labels: Record<string, string[]> = {
    "duration.svg": ["duration (minutes)", "week (UTC)"],
    "success.svg": ["successful builds (% of the week's)", "week (UTC)"],
    "size.svg": ["file size (GiB)", "virtual size (GiB)", "week of the build (UTC)"],
    "checks.svg": ["builds in which the check failed (count)", "check"],
  };
  for (const [chart, axes] of Object.entries(labels)) {
    expect(html).toContain(`<img src="${chart}" alt="`);
    const svg = page(chart);
    for (const label of axes) expect([chart, svg.includes(`>${label}<`)]).toEqual([chart, true]);
    expect(svg).not.toMatch(/<script|<[^>]*\son[a-z]+=|href="http/i); // nothing to run, nothing to fetch
  }
  expect(html.match(/<tr>\s*<td>2026-/g)).toHaveLength(50);
  expect(html).not.toMatch(/<script|\son[a-z]+="|src="https?:|href="https?:/i);
});

test("a name with markup in it stays text, in the page and in the charts", () => {
  // Jinja2 escapes quotes too (attribute-safe); matplotlib's SVG text needs only & < >.
  const escaped = fixture.hostileCheck.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const html = page("index.html");
  expect(html).toContain(escaped.replace(/"/g, "&#34;"));
  expect(page("checks.svg")).toContain(`>${escaped}<`);
  for (const text of [html, page("checks.svg")]) expect(text).not.toContain("<img src=x");
});

test("every link of every page leads to a file of the published tree; signature and test results only where they are", () => {
  const pages = [path.join(out(), "index.html"), ...readdirSync(path.join(out(), "builds")).map((f) => path.join(out(), "builds", f))];
  expect(pages.length).toBe(51); // the index and a page for each of the last 50 builds
  let links = 0;
  for (const file of pages) {
    for (const [, href] of readFileSync(file, "utf8").matchAll(/(?:href|src)="(?!data:)([^"#]+)"/g)) {
      links++;
      const target = path.resolve(path.dirname(file), decodeURIComponent(href));
      expect([path.relative(fixture.imagesRoot, target).startsWith(".."), existsSync(target)]).toEqual([false, true]);
    }
  }
  expect(links).toBeGreaterThan(40);
  const html = page("index.html");
  expect(html.match(/>signature</g)!.length).toBeGreaterThan(3);
  expect(html.match(/>signature</g)!.length).toBeLessThan(50);
});

test("a build's page: its stages, its checks, and its logs as text, never through a symlink", () => {
  const html = readFileSync(path.join(out(), "builds", `${hostileBuild}.html`), "utf8");
  expect(html).toContain("07-build-image.log (not available)");
  expect(html).not.toContain("SECRET-OF-THE-CONTROLLER");
  expect(html).toContain("&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;");
  expect(html).toContain("red and a bell");
  expect(html).not.toMatch(/<script|\x1b|\x07/);
  expect(html).toMatch(/<td>02-spawn-build-host<\/td><td>controller<\/td>/);
});

test("the report replaces what was at its place, whatever it was, and the same records give the same bytes", () => {
  const files = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const full = path.join(e.parentPath, e.name);
          return [path.relative(dir, full), readFileSync(full, "utf8")];
        }),
    );
  const before = files(out());
  // A build host (it writes the image tree) swapped the report for a symlink to a controller directory.
  const controllerDir = path.join(root, "controller-dir");
  mkdirSync(controllerDir);
  writeFileSync(path.join(controllerDir, "keep"), "mine\n");
  rmSync(out(), { recursive: true });
  symlinkSync(controllerDir, out());
  const again = report(fixture);
  expect(again.status).toBe(0);
  expect(readdirSync(controllerDir)).toEqual(["keep"]);
  expect(files(out())).toEqual(before);
  expect(readdirSync(fixture.imagesRoot).filter((f) => f.startsWith("."))).toEqual([]); // no half-made report left over
});

test("records in a symlinked directory are not read: the report says where, and fails", () => {
  const other = tempDir("stats-report-link-");
  const f = writeFixture(other, { builds: 8, months: 1, now: new Date(NOW) });
  rmSync(path.join(f.buildsRoot, "stats"), { recursive: true });
  symlinkSync(path.join(fixture.buildsRoot, "stats"), path.join(f.buildsRoot, "stats"));
  const r = report(f);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`report.py: cannot read the records in ${f.buildsRoot}/stats:`);
  expect(existsSync(path.join(f.imagesRoot, "stats"))).toBe(false);
  rmSync(other, { recursive: true, force: true });
});

test("the record schema is a valid JSON Schema, and the mail escapes email-ext's token macros", () => {
  const meta = spawnSync(
    "/usr/bin/python3",
    [
      "-c",
      "import json, sys, jsonschema; jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))",
      path.join(STATS, "build-record.schema.json"),
    ],
    { encoding: "utf8" },
  );
  expect(meta.stderr).toBe("");
  expect(meta.status).toBe(0);
  // token-macro's grammar: $$NAME and $${NAME} are the literal $NAME and ${NAME}; any other $ is literal already.
  const cases: Array<[string, string]> = [
    ["${BUILD_LOG, maxLines=9999}", "$${BUILD_LOG, maxLines=9999}"],
    ['$PROJECT_NAME and ${ENV,var="HOME"}', '$$PROJECT_NAME and $${ENV,var="HOME"}'],
    ["costs $5, $ alone, $$HOME", "costs $5, $ alone, $$$HOME"],
  ];
  const r = spawnSync(
    "/usr/bin/python3",
    [
      "-c",
      `import json, sys; sys.path.insert(0, sys.argv[1]); import mail; print(json.dumps([mail.no_tokens(t) for t in json.loads(sys.argv[2])]))`,
      STATS,
      JSON.stringify(cases.map((c) => c[0])),
    ],
    { encoding: "utf8", env: { ...process.env, FACTORY_ENV: "example" } },
  );
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual(cases.map((c) => c[1]));
});

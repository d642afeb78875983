// `npm run test:report`: the statistics report as a person sees it. A history of a few
// hundred builds of four images over six months (fixture.ts, with damaged lines), the
// real jobs/stats/report.py, the published tree served over HTTP on 127.0.0.1 (a free
// port), and Debian's Chromium driven by playwright-core: every chart shown with its axes
// labelled, no broken link, no console error, readable without JavaScript; the
// screenshots are kept in $FACTORY_ARTIFACTS_DIR/report/ (default /var/tmp/factory-artifacts).
//
//   node dist/test/report/run.js
import { spawnSync } from "node:child_process";
import { createReadStream, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO, tempDir } from "../helpers";
import { scriptEnv } from "../jobs-support";
import { writeFixture } from "./fixture";

const NOW = "2026-06-01T12:00:00Z";
const CHROMIUM = "/usr/bin/chromium";
// What Chromium needs on a machine without a desktop, a GPU or a way out (see the README).
const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = path.join(process.env.FACTORY_ARTIFACTS_DIR || "/var/tmp/factory-artifacts", "report");
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".asc": "text/plain",
  ".tap": "text/plain",
};
// Each chart and the axis labels a reader needs to read it (units, UTC).
const CHARTS: Record<string, string[]> = {
  "duration.svg": ["duration (minutes)", "week (UTC)"],
  "success.svg": ["successful builds (% of the week's)", "week (UTC)"],
  "size.svg": ["file size (GiB)", "virtual size (GiB)", "week of the build (UTC)"],
  "checks.svg": ["builds in which the check failed (count)", "check"],
};

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? `: ${detail}` : ""}\n`);
}

/** The published tree over HTTP, as nginx on the web servers serves it (index.html for a directory). */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(root, urlPath.endsWith("/") ? `${urlPath}index.html` : urlPath);
    if (path.relative(root, file).startsWith("..")) return void res.writeHead(403).end();
    let size = -1;
    try {
      const st = statSync(file);
      if (st.isFile()) size = st.size;
    } catch {
      // missing: 404 below
    }
    if (size < 0) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Watched {
  readonly errors: string[];
  readonly bytes: Map<string, number>;
}

/** Console errors, page errors, failed and refused requests, and the bytes each response carried. */
function watch(page: Page): Watched {
  const watched: Watched = { errors: [], bytes: new Map() };
  page.on("console", (m) => {
    if (m.type() === "error") watched.errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => watched.errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => watched.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", async (r) => {
    if (r.status() >= 400) watched.errors.push(`HTTP ${r.status()}: ${r.url()}`);
    else watched.bytes.set(r.url(), (await r.body().catch(() => Buffer.alloc(0))).length);
  });
  return watched;
}

async function main(): Promise<number> {
  const work = tempDir("report-browser-");
  const fixture = writeFixture(work, { builds: 400, months: 6, now: new Date(NOW), withFiles: 50, damage: true });
  const t0 = process.hrtime.bigint();
  const generated = spawnSync(path.join(REPO, "jobs", "stats", "report.py"), ["--now", NOW], {
    encoding: "utf8",
    // Debian's python3, as on the controller (scriptEnv drops a pyenv shim from PATH).
    env: scriptEnv({
      FACTORY_BUILDS_ROOT: fixture.buildsRoot,
      FACTORY_LOCAL_ROOT: fixture.localRoot,
      FACTORY_IMAGES_ROOT: fixture.imagesRoot,
      FACTORY_ENV: "example",
    }),
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  check("report.py generates the report from 400 builds with damaged lines", generated.status === 0, generated.stderr);
  for (const fragment of fixture.damaged)
    check(`report.py names the damaged line ${fragment}`, generated.stderr.includes(fragment), generated.stderr);
  if (generated.status !== 0) return finish(work);

  const server = await serve(fixture.imagesRoot);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats/`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    mkdirSync(ARTIFACTS, { recursive: true });

    // As a reader without JavaScript: the whole report is there.
    const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    noJs.setDefaultTimeout(10_000);
    const page = await noJs.newPage();
    const watched = watch(page);
    const response = await page.goto(base, { waitUntil: "load" });
    check("the report answers at /stats/", response?.status() === 200, String(response?.status()));
    check("its title names the factory", (await page.title()) === "Image factory example: build statistics", await page.title());

    for (const [chart, labels] of Object.entries(CHARTS)) {
      const img = page.locator(`img[src="${chart}"]`);
      const shown = (await img.count()) === 1 && (await img.isVisible());
      const loaded = shown && (await img.evaluate((e: any) => e.complete && e.naturalWidth > 0));
      const box = shown ? await img.boundingBox() : null;
      check(`${chart} is shown, loaded, at least 600 px wide`, loaded && !!box && box.width >= 600, JSON.stringify(box));
      // What the chart says: its text, as the browser reads the SVG.
      const chartPage = await noJs.newPage();
      await chartPage.goto(base + chart);
      const texts = await chartPage.locator("text").allTextContents();
      await chartPage.close();
      for (const label of labels) check(`${chart} has the axis label "${label}"`, texts.includes(label), texts.join(" | ").slice(0, 300));
    }

    const sections = await page.locator("h2").allTextContents();
    for (const question of [
      "How long do the builds take, and which stage takes the time?",
      "Which stage got slower?",
      "How often does each image's build fail?",
      "How big are the images getting?",
      "Which checks of the image tests fail most?",
      "Last builds",
    ]) {
      check(`the page asks "${question}"`, sections.includes(question), sections.join(" | "));
    }
    const notice = (await page.locator("#problems").textContent()) ?? "";
    for (const fragment of fixture.damaged)
      check(`the page names the skipped line ${fragment.split(":")[0]}`, notice.includes(fragment), notice.slice(0, 300));
    const sles = page.locator("#summary tr", { hasText: "Standard_SLES_15_SP6" }).locator("td").nth(2);
    const style = await sles.evaluate((e: any) => {
      const s = (globalThis as any).getComputedStyle(e);
      return `${s.fontWeight} ${s.color}`;
    });
    check("the failing image's success rate stands out (bold, red)", style === "700 rgb(179, 38, 30)", style);
    const slower = await page.locator("#slower tbody tr").first().locator("td").allTextContents();
    check(
      "the slower-stage table leads with Debian's image build",
      slower[0] === "Standard_Debian_12" && slower[1] === "07-build-image",
      slower.join(" | "),
    );
    check("the last builds table lists 50 builds", (await page.locator("#builds tbody tr").count()) === 50);
    check("a check named with markup is shown as text", (await page.getByText(fixture.hostileCheck, { exact: true }).count()) >= 1);

    await page.screenshot({ path: path.join(ARTIFACTS, "report.png"), fullPage: true });

    // Every link and image of the report and of the build pages it links to.
    const links = new Set<string>();
    const collect = async (p: Page) => {
      for (const href of await p.locator("a[href], img[src]").evaluateAll((els: any[]) => els.map((e) => String(e.href || e.src)))) {
        if (!href.includes("#")) links.add(href);
      }
    };
    await collect(page);
    const buildPages = [...links].filter((l) => l.includes("/stats/builds/"));
    check("the last builds link to their pages", buildPages.length === 50, String(buildPages.length));
    const detail = await noJs.newPage();
    const detailWatched = watch(detail);
    for (const url of buildPages.slice(0, 10)) {
      await detail.goto(url);
      await collect(detail);
    }
    // A failed build's page, its failed stage's log open.
    const failedBuild = await page
      .locator("#builds tbody tr", { hasText: "failure" })
      .first()
      .getByRole("link", { name: "logs" })
      .getAttribute("href");
    await detail.goto(new URL(failedBuild ?? "", base).href);
    check("a failed build's page opens with its failed stage's log", (await detail.locator("details[open] pre").count()) === 1);
    await detail.screenshot({ path: path.join(ARTIFACTS, "build.png"), fullPage: true });
    const broken: string[] = [];
    for (const url of links) {
      const r = await page.request.get(url);
      if (r.status() !== 200) broken.push(`${r.status()} ${url}`);
    }
    check(`no broken link among ${links.size} links and images`, broken.length === 0 && links.size > 100, broken.slice(0, 5).join(", "));
    check(
      "signatures and test results are linked",
      [...links].some((l) => l.endsWith(".qcow2.asc")) && [...links].some((l) => l.endsWith("-test-results.tap")),
    );
    check(
      "no console error, page error or failed request (index and build pages)",
      watched.errors.length + detailWatched.errors.length === 0,
      [...watched.errors, ...detailWatched.errors].slice(0, 5).join("; "),
    );

    // With JavaScript on, nothing in the records runs (a check name tries to set the title).
    const js = await browser.newContext();
    const jsPage = await js.newPage();
    const jsWatched = watch(jsPage);
    await jsPage.goto(base, { waitUntil: "load" });
    check(
      "with JavaScript on, no script from the records ran and no error was logged",
      (await jsPage.title()) === "Image factory example: build statistics" && jsWatched.errors.length === 0,
      [await jsPage.title(), ...jsWatched.errors].join("; "),
    );

    const weight = [...watched.bytes.entries()].filter(([u]) => u === base || u.endsWith(".svg")).reduce((a, [, b]) => a + b, 0);
    process.stdout.write(
      `\nreport: generated in ${seconds.toFixed(1)} s from 400 builds; the page with its charts weighs ${(weight / 1024).toFixed(0)} KiB\n`,
    );
    process.stdout.write(`screenshots: ${path.join(ARTIFACTS, "report.png")}, ${path.join(ARTIFACTS, "build.png")}\n`);
  } finally {
    await browser?.close();
    server.close();
  }
  return finish(work);
}

function finish(work: string): number {
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);

// The KIWI description is checked by KIWI itself: `kiwi-ng image info` loads it the way
// `kiwi-ng system build` does (RELAX NG schema, then KIWI's schematron rules) without
// touching any repository, so nothing of openSUSE's needs to be reachable. Debian's
// `kiwi` package provides kiwi-ng.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./helpers";
import { JOBS, scriptEnv } from "./jobs-support";

const DESCRIPTION = path.join(JOBS, "images", "kiwi", "opensuse-leap-15.6");
const KIWI = "/usr/bin/kiwi-ng";

function kiwiInfo(description: string) {
  // Debian's kiwi is a Debian python3 program: the pyenv python3 on PATH lacks its modules.
  const r = spawnSync(KIWI, ["image", "info", "--description", description], { env: scriptEnv({}), encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A copy of the description with `edit` applied to config.kiwi. */
function broken(edit: (xml: string) => string): string {
  const dir = path.join(tempDir("kiwi-desc-"), "description");
  cpSync(DESCRIPTION, dir, { recursive: true });
  const file = path.join(dir, "config.kiwi");
  const before = readFileSync(file, "utf8");
  const after = edit(before);
  if (after === before) throw new Error("the edit changed nothing");
  writeFileSync(file, after);
  return dir;
}

test("the openSUSE description passes KIWI's own schema validation", () => {
  const r = kiwiInfo(DESCRIPTION);
  expect(r.output).toContain("--> loaded");
  expect(r.output).toMatch(/"image": "Standard_openSUSE_15\.6"/);
  expect(r.status).toBe(0);
});

test.each<[string, (xml: string) => string, RegExp]>([
  [
    "an element the schema does not know",
    (x) => x.replace(/packagemanager>/g, "packagemanagr>"),
    /RELAXNG_ERR_EXTRACONTENT: Element preferences has extra content: packagemanagr/,
  ],
  [
    "an attribute value outside the schema's choices",
    (x) => x.replace('firmware="bios"', 'firmware="biosx"'),
    /RELAXNG_ERR_INVALIDATTR: Invalid attribute firmware for element type/,
  ],
  ["a description that is not well-formed XML", (x) => x.replace("</preferences>", ""), /KiwiConfigFileFormatNotSupported: .*syntax error/],
])("KIWI refuses %s", (_name, edit, expected) => {
  const dir = broken(edit);
  try {
    const r = kiwiInfo(dir);
    expect(r.output).toMatch(expected);
    expect(r.status).not.toBe(0);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

// Same input, byte-identical output: whatever the working directory, the output
// directory or the time, and with no absolute path of the machine in it.
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { EXAMPLE, MAXIMAL, REPO, runFactory, tempDir } from "./helpers";

function tree(dir: string, base = dir): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) tree(full, base).forEach((v, k) => files.set(k, v));
    else files.set(path.relative(base, full), readFileSync(full));
  }
  return files;
}

test("two syntheses from different directories are byte-identical", () => {
  // A second checkout in another place (same sources, other absolute path).
  const elsewhere = path.join(tempDir("checkout-"), "factory");
  for (const entry of ["bin", "dist", "environments", "package.json"]) {
    cpSync(path.join(REPO, entry), path.join(elsewhere, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO, "node_modules"), path.join(elsewhere, "node_modules"));
  const outA = path.join(tempDir("out-a-"), "cdktf.out");
  const outB = path.join(tempDir("out-b-"), "nested", "synth");

  const a = runFactory(["synth", "--out", outA], REPO);
  const b = runFactory(["synth", "--config", "environments/example.yaml", "--out", outB], elsewhere);
  expect(a.stderr).toBe("");
  expect(b.stderr).toBe("");

  const ta = tree(outA);
  const tb = tree(outB);
  expect([...tb.keys()]).toEqual([...ta.keys()]);
  for (const [file, content] of ta) expect({ file, same: content.equals(tb.get(file)!) }).toEqual({ file, same: true });
  expect(ta.has("manifest.json")).toBe(true);
  expect(ta.has("stacks/example-network/cdk.tf.json")).toBe(true);

  for (const [file, content] of ta) {
    const text = content.toString("utf8");
    for (const absolute of [REPO, elsewhere, outA, outB, path.dirname(outA)]) {
      expect({ file, containsAbsolutePath: text.includes(absolute) }).toEqual({ file, containsAbsolutePath: false });
    }
  }
});

test("the cdktf app (what `cdktf synth|deploy` runs) writes what `factory synth` writes, into a new nested directory", () => {
  const fromFactory = path.join(tempDir("out-factory-"), "cdktf.out");
  expect(runFactory(["synth", "--config", EXAMPLE, "--config", MAXIMAL, "--out", fromFactory]).status).toBe(0);
  // cdktf runs cdktf.json's app with the --output directory in CDKTF_OUTDIR; its parent may not exist yet.
  const fromCdktf = path.join(tempDir("out-cdktf-"), "build", "cdktf.out");
  const r = spawnSync(process.execPath, [path.join(REPO, "dist", "main.js")], {
    cwd: REPO,
    env: { ...process.env, FACTORY_CONFIG: [EXAMPLE, MAXIMAL].join(":"), CDKTF_OUTDIR: fromCdktf },
    encoding: "utf8",
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  const [a, b] = [tree(fromFactory), tree(fromCdktf)];
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [file, content] of a) expect({ file, same: content.equals(b.get(file)!) }).toEqual({ file, same: true });
});

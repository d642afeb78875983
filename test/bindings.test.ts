// The committed .gen/ bindings are exactly what `npm run bindings` generates.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { REPO, tempDir } from "./helpers";

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

test("committed bindings match a fresh generation from the pinned schema", () => {
  const out = tempDir("bindings-");
  // The same command as `npm run bindings`, into a scratch directory.
  const run = spawnSync(process.execPath, [path.join(REPO, "tools", "generate-bindings.js"), out], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const committed = path.join(REPO, ".gen", "providers", "openstack");
  const fresh = path.join(out, "providers", "openstack");
  const files = listFiles(fresh).sort();
  expect(listFiles(committed).sort()).toEqual(files);
  const differing = files.filter((f) => !readFileSync(path.join(committed, f)).equals(readFileSync(path.join(fresh, f))));
  expect(differing).toEqual([]);
  // Sanity: the resources the stacks use are there.
  expect(files).toEqual(
    expect.arrayContaining(["compute-instance-v2/index.ts", "networking-secgroup-rule-v2/index.ts", "provider/index.ts"]),
  );
});

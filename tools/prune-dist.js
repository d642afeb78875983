#!/usr/bin/env node
// Deletes compiled files in dist/ whose TypeScript source is gone, so an incremental
// `tsc` never leaves a stale test (or module) behind; much cheaper than a clean build.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");

function prune(dir) {
  let removed = 0;
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += prune(full);
      continue;
    }
    const m = /^(.*)\.(js|js\.map|d\.ts)$/.exec(entry.name);
    if (!m) continue;
    const source = path.join(root, path.relative(dist, dir), `${m[1]}.ts`);
    if (!fs.existsSync(source)) {
      fs.rmSync(full);
      removed++;
    }
  }
  return removed;
}

const removed = prune(dist);
// Deleted outputs invalidate tsc's incremental record of what it emitted.
if (removed > 0) fs.rmSync(path.join(dist, ".tsbuildinfo"), { force: true });

#!/usr/bin/env node
"use strict";
// Entry point of the `factory` CLI; the TypeScript sources are compiled to dist/ by
// `npm ci` (the prepare script) or `npm run build`.
let cli;
try {
  cli = require("../dist/cli/factory.js");
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && /dist[\\/]cli[\\/]factory/.test(err.message)) {
    console.error("factory: not built yet; run `npm run build` (npm ci does it too)");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

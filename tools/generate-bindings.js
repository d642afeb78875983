#!/usr/bin/env node
// Generates the OpenStack provider bindings (.gen/providers/openstack) from the pinned
// provider schema, offline, with the same generator `cdktf get` uses. The output is
// committed; test/bindings.test.ts regenerates into a temp dir and compares.
"use strict";
const fs = require("fs");
const path = require("path");

const PROVIDER = "terraform-provider-openstack/openstack";
const VERSION = "3.4.0";
const SCHEMA = path.join(__dirname, "..", "providers", "openstack", `schema-v${VERSION}.json`);

async function generateBindings(outDir) {
  // @cdktf/commons probes the terraform CLI when loaded; keep it quiet and offline.
  process.env.CHECKPOINT_DISABLE = "1";
  const cliConfig = process.env.TF_CLI_CONFIG_FILE;
  if (!cliConfig || !fs.existsSync(cliConfig)) process.env.TF_CLI_CONFIG_FILE = "/dev/null";
  const { TerraformProviderGenerator } = require("@cdktf/provider-generator/lib/get/generator/provider-generator");
  const { CodeMaker } = require("codemaker");
  const { ConstructsMakerProviderTarget, TerraformProviderConstraint, LANGUAGES } = require("@cdktf/commons");

  const schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8"));
  schema.provider_versions = { [`registry.terraform.io/${PROVIDER}`]: VERSION };
  const code = new CodeMaker();
  new TerraformProviderGenerator(code, schema).generate(
    new ConstructsMakerProviderTarget(new TerraformProviderConstraint(`${PROVIDER}@${VERSION}`), LANGUAGES[0]),
  );
  const target = path.join(outDir, "providers", "openstack");
  fs.rmSync(target, { recursive: true, force: true });
  await code.save(outDir);
  return target;
}

module.exports = { generateBindings };

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] || path.join(__dirname, "..", ".gen"));
  generateBindings(outDir).then(
    (target) => console.log(`bindings written to ${path.relative(process.cwd(), target) || "."}`),
    (err) => {
      console.error(err.stack || String(err));
      process.exit(1);
    },
  );
}

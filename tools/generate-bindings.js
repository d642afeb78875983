#!/usr/bin/env node
// Generates the OpenStack provider bindings (.gen/providers/openstack) as `cdktf get`
// does: the schema comes from the real provider (built from source by
// tools/providers/build, served from the local mirror) through `terraform providers
// schema -json`, and the code from the same generator `cdktf get` uses. Offline.
// The output is committed; test/bindings.test.ts regenerates into a temp dir and compares.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const REPO = path.join(__dirname, "..");
const PROVIDER = "terraform-provider-openstack/openstack";

/** The version cdktf.json pins (terraformProviders: ["<source>@<version>"]). */
function pinnedVersion() {
  const cdktf = JSON.parse(fs.readFileSync(path.join(REPO, "cdktf.json"), "utf8"));
  const entry = (cdktf.terraformProviders || []).find((p) => p.startsWith(`${PROVIDER}@`));
  if (!entry) throw new Error(`cdktf.json: terraformProviders: no ${PROVIDER}@<version>`);
  return entry.slice(PROVIDER.length + 1);
}

/** `terraform providers schema -json` of the real provider, from the local mirror. */
function providerSchema(version) {
  const { findToolchain, terraformEnv } = require("../dist/cli/terraform/toolchain");
  const toolchain = findToolchain();
  const env = terraformEnv(toolchain);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bindings-schema-"));
  try {
    const config = { terraform: { required_providers: { openstack: { source: PROVIDER, version } } } };
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
    const terraform = (...args) => execFileSync(toolchain.terraform, args, { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });
    terraform("init", "-backend=false", "-input=false", "-no-color");
    const schema = JSON.parse(terraform("providers", "schema", "-json"));
    // OpenTofu names the provider registry.opentofu.org/...; the generator expects Terraform's host.
    const [address] = Object.keys(schema.provider_schemas).filter((a) => a.endsWith(`/${PROVIDER}`));
    if (!address) throw new Error(`terraform providers schema -json: no ${PROVIDER} in ${Object.keys(schema.provider_schemas)}`);
    schema.provider_schemas = { [`registry.terraform.io/${PROVIDER}`]: schema.provider_schemas[address] };
    return schema;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function generateBindings(outDir) {
  // @cdktf/commons probes the terraform CLI when loaded; keep it quiet and offline.
  process.env.CHECKPOINT_DISABLE = "1";
  const cliConfig = process.env.TF_CLI_CONFIG_FILE;
  if (!cliConfig || !fs.existsSync(cliConfig)) process.env.TF_CLI_CONFIG_FILE = "/dev/null";
  const { TerraformProviderGenerator } = require("@cdktf/provider-generator/lib/get/generator/provider-generator");
  const { CodeMaker } = require("codemaker");
  const { ConstructsMakerProviderTarget, TerraformProviderConstraint, LANGUAGES } = require("@cdktf/commons");

  const version = pinnedVersion();
  const schema = providerSchema(version);
  schema.provider_versions = { [`registry.terraform.io/${PROVIDER}`]: version };
  const code = new CodeMaker();
  new TerraformProviderGenerator(code, schema).generate(
    new ConstructsMakerProviderTarget(new TerraformProviderConstraint(`${PROVIDER}@${version}`), LANGUAGES[0]),
  );
  const target = path.join(outDir, "providers", "openstack");
  fs.rmSync(target, { recursive: true, force: true });
  await code.save(outDir);
  return target;
}

module.exports = { generateBindings };

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] || path.join(REPO, ".gen"));
  generateBindings(outDir).then(
    (target) => console.log(`bindings written to ${path.relative(process.cwd(), target) || "."}`),
    (err) => {
      console.error(
        err.message && err.constructor.name === "ToolchainMissingError" ? `generate-bindings: ${err.message}` : err.stack || String(err),
      );
      process.exit(1);
    },
  );
}

// preflight SUITE...: exits 1 with one message naming everything the suites need that
// this machine lacks (tools, and the Terraform toolchain), and the command that sets it up.
import { findToolchain, ToolchainMissingError } from "../../cli/terraform/toolchain";
import { missingRequirements } from "./requirements";

/** The suites that run Terraform with the real providers. */
const TOOLCHAIN_SUITES = ["unit", "cloud", "pipeline"];

function main(suites: string[]): number {
  const missing = missingRequirements(suites).map((r) => `${r.presentIf} (Debian package ${r.debianPackage})`);
  try {
    if (suites.some((s) => TOOLCHAIN_SUITES.includes(s))) findToolchain();
  } catch (err) {
    if (!(err instanceof ToolchainMissingError)) throw err;
    missing.push("the Terraform providers built from source (tools/providers/build)");
  }
  if (missing.length === 0) return 0;
  process.stderr.write(
    [
      `${suites.join(", ")} tests: this machine lacks ${missing.length} thing${missing.length === 1 ? "" : "s"} the tests need:`,
      ...missing.map((m) => `  - ${m}`),
      `Install them all with: tools/setup/install ${suites.join(" ")}   (as root; the README's test command runs it too)`,
      "",
    ].join("\n"),
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));

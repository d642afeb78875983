// The benchmark's floor: cdktf with one resource (Terraform's builtin terraform_data),
// synthesized through the same path as `factory synth` (node, compiled JS,
// all-or-nothing output directory). Whatever `factory synth` costs beyond this is our own code.
import { App, DataResource, TerraformStack } from "cdktf";
import { replaceDirectory } from "../cli/output-dir";

const out = process.argv[2] ?? "cdktf.out";
replaceDirectory(out, (tmp) => {
  const app = new App({ outdir: tmp, stackTraces: false });
  const stack = new TerraformStack(app, "floor");
  new DataResource(stack, "one");
  app.synth();
});

// The benchmark's floor: cdktf with one null resource, synthesized through the same path
// as `factory synth` (node, compiled JS, all-or-nothing output directory). Whatever
// `factory synth` costs beyond this is our own code.
import { App, TerraformStack } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource } from "@cdktf/provider-null/lib/resource";
import { replaceDirectory } from "../cli/output-dir";

const out = process.argv[2] ?? "cdktf.out";
replaceDirectory(out, (tmp) => {
  const app = new App({ outdir: tmp, stackTraces: false });
  const stack = new TerraformStack(app, "floor");
  new NullProvider(stack, "null");
  new Resource(stack, "one");
  app.synth();
});

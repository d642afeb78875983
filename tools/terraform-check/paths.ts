// Where the checker's own files are: compiled code runs from dist/tools/terraform-check,
// the .proto and schema files stay in the source tree.
import * as path from "node:path";

export const REPO_DIR = path.resolve(__dirname, "..", "..", "..");
export const TOOL_DIR = path.join(REPO_DIR, "tools", "terraform-check");
export const PROTO_DIR = path.join(TOOL_DIR, "proto");
export const PLUGIN_SCRIPT = path.join(__dirname, "plugin.js");

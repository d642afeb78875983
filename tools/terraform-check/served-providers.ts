// The providers the checker serves from pinned schemas, at the exact versions the
// synthesized stacks require (`terraform init` fails if a stack asks for another one).
import * as path from "node:path";
import { REPO_DIR, TOOL_DIR } from "./paths";

export interface ServedProvider {
  /** Registry hostname, namespace and type, as in a schema file's provider_schemas key. */
  readonly address: string;
  readonly version: string;
  readonly schemaFile: string;
}

export const SERVED_PROVIDERS: readonly ServedProvider[] = [
  {
    address: "registry.terraform.io/terraform-provider-openstack/openstack",
    version: "3.4.0",
    schemaFile: path.join(REPO_DIR, "providers", "openstack", "schema-v3.4.0.json"),
  },
  {
    // What @cdktf/provider-null 11.0.1 pins; readiness checks use null_resource.
    address: "registry.terraform.io/hashicorp/null",
    version: "3.2.4",
    schemaFile: path.join(TOOL_DIR, "schemas", "null-v3.2.4.json"),
  },
];

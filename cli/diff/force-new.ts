// Which arguments replace a resource when they change. The provider schema JSON does not
// say; providers/openstack/force-new-v3.4.0.json lists them (extracted from the
// provider's source): `force_new` always replaces, `force_new_conditional` may (a
// CustomizeDiff decides at plan time, e.g. a server's flavor when the old one is gone).
import { readFileSync } from "node:fs";
import * as path from "node:path";

export interface ForceNewRules {
  readonly forceNew: ReadonlySet<string>;
  readonly conditional: ReadonlySet<string>;
}

const FORCE_NEW_FILE = path.resolve(__dirname, "..", "..", "..", "providers", "openstack", "force-new-v3.4.0.json");

const NONE: ForceNewRules = { forceNew: new Set(), conditional: new Set() };
/** Resources of Terraform's builtin provider the stacks use (terraform_data: `triggers_replace` replaces it). */
const OTHER_PROVIDERS: [string, ForceNewRules][] = [
  ["terraform_data", { forceNew: new Set(["triggers_replace"]), conditional: new Set() }],
];
let table: Map<string, ForceNewRules> | undefined;

/** The rules of a resource type; unknown types (other providers) have none. */
export function forceNewRules(type: string): ForceNewRules {
  table ??= load(FORCE_NEW_FILE);
  return table.get(type) ?? NONE;
}

function load(file: string): Map<string, ForceNewRules> {
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    resources: Record<string, { force_new: string[]; force_new_conditional: string[] }>;
  };
  return new Map([
    ...OTHER_PROVIDERS,
    ...Object.entries(json.resources).map(([type, r]): [string, ForceNewRules] => [
      type,
      { forceNew: new Set(r.force_new), conditional: new Set(r.force_new_conditional) },
    ]),
  ]);
}

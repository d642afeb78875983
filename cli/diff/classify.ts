// What a changed argument does to its resource, and so what happens to the resource:
// replaced (ForceNew), rebuilt in place (a server's image), resized (a server's flavor),
// updated in place, or nothing until the server is rolled (`ignore_changes`).
import type { LeafChange } from "./attributes";
import { schemaPath } from "./attributes";
import { forceNewRules } from "./force-new";
import type { AttributeChange, ChangeEffect, ResourceAction } from "./report";
import { isMultiline, unifiedDiff } from "./text-diff";

export const INSTANCE = "openstack_compute_instance_v2";
export const VOLUME = "openstack_blockstorage_volume_v3";
export const KEYPAIR = "openstack_compute_keypair_v2";
export const SECGROUP_RULE = "openstack_networking_secgroup_rule_v2";

/** Meta-arguments change Terraform's handling, not the resource itself. */
export const META_ARGUMENTS = new Set(["lifecycle", "depends_on", "provider", "count", "for_each", "connection", "provisioner"]);

/** The arguments a resource ignores after creation: `lifecycle.ignore_changes`. */
export function ignoredArguments(body: ReadonlyMap<string, unknown>): { all: boolean; names: Set<string> } {
  const names = new Set<string>();
  let all = false;
  for (const [p, v] of body) {
    if (p === "lifecycle.ignore_changes") {
      if (v === "all") all = true;
      else if (Array.isArray(v)) for (const n of v) if (typeof n === "string") names.add(n);
    }
  }
  return { all, names };
}

export function classifyChange(type: string, change: LeafChange, ignored: { all: boolean; names: Set<string> }): AttributeChange {
  const top = change.path.split(".")[0];
  const schema = schemaPath(change.path);
  const textDiff = isMultiline(change.before) && isMultiline(change.after) ? unifiedDiff(change.before, change.after) : undefined;
  const base = { path: change.path, before: change.before, after: change.after, ...(textDiff !== undefined ? { textDiff } : {}) };
  const is = (effect: ChangeEffect, note?: string): AttributeChange => ({ ...base, effect, ...(note ? { note } : {}) });

  if (META_ARGUMENTS.has(top)) return is("update", "Terraform meta-argument");
  if (ignored.all || ignored.names.has(top)) {
    return is("deferred", type === INSTANCE ? "not applied until the server is rolled" : "ignored by lifecycle.ignore_changes");
  }
  const rules = forceNewRules(type);
  if (type === INSTANCE && (top === "image_id" || top === "image_name")) {
    return is("rebuild", "rebuilt in place from the new image: its disk is wiped");
  }
  if (rules.conditional.has(schema)) {
    return is(
      "resize",
      type === INSTANCE
        ? `resized in place (the server reboots); replaced instead if ${describe(change.before)} no longer exists in the cloud`
        : "may force replacement, decided at plan time",
    );
  }
  if (type === VOLUME && top === "size" && typeof change.before === "number" && typeof change.after === "number") {
    return change.after < change.before
      ? is("replace", "Cinder cannot shrink a volume: it is replaced")
      : is("update", "extended in place");
  }
  if (
    rules.forceNew.has(schema) ||
    (isMapEntry(change.path) && rules.forceNew.has(top)) ||
    (isWholeBlock(change) && prefixes(schema).some((p) => rules.forceNew.has(p)))
  ) {
    return is("replace", "forces replacement");
  }
  return is("update");
}

/** The resource's fate from its argument changes: the strongest effect wins. */
export function actionOf(changes: readonly AttributeChange[]): ResourceAction {
  const effects = new Set(changes.map((c) => c.effect));
  if (effects.has("replace")) return "replace";
  if (effects.has("rebuild")) return "rebuild";
  if (effects.has("resize") || effects.has("update")) return "update";
  return "deferred";
}

const LABELS: Record<string, string> = {
  [INSTANCE]: "server",
  [VOLUME]: "volume",
  [KEYPAIR]: "key pair",
  [SECGROUP_RULE]: "security group rule",
  openstack_networking_secgroup_v2: "security group",
  openstack_networking_port_v2: "port",
  openstack_networking_floatingip_v2: "floating IP",
  openstack_networking_floatingip_associate_v2: "floating IP association",
  openstack_compute_volume_attach_v2: "volume attachment",
  openstack_networking_network_v2: "network",
  openstack_networking_subnet_v2: "subnet",
  openstack_networking_router_v2: "router",
  openstack_networking_router_interface_v2: "router interface",
};

/** "server example-jenkins"; resources without a literal name go by construct path. */
export function displayName(type: string, body: ReadonlyMap<string, unknown>, path: string): string {
  const name = body.get("name");
  const label = LABELS[type] ?? type;
  return typeof name === "string" && !name.includes("${") ? `${label} ${name}` : `${label} ${path}`;
}

export function describe(value: unknown): string {
  if (value === undefined) return "(not set)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `value_specs.foo`: a key of a map argument (blocks have an index: `network.0.uuid`). */
function isMapEntry(path: string): boolean {
  const parts = path.split(".");
  return parts.length > 1 && !/^\d+$/.test(parts[1]);
}

/** A block element (or the block) added or removed rather than one of its arguments changed. */
function isWholeBlock(change: LeafChange): boolean {
  return (change.before === undefined || change.after === undefined) && /\.\d+(\.|$)/.test(change.path);
}

function prefixes(schema: string): string[] {
  const parts = schema.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

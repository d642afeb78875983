// Attribute-level comparison: a resource body flattened to dotted leaf paths
// (`network.0.uuid`), compared value by value. Lists of plain values (security group
// names, DNS servers) stay one leaf; lists of blocks are walked element by element.
import { stableJson } from "./references";

export interface LeafChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Leaf path → value; cdktf's `//` metadata is left out. */
export function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  const isBlockList =
    Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
  if (isBlockList) {
    (value as unknown[]).forEach((v, i) => flatten(v, join(prefix, String(i)), out));
  } else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) if (k !== "//") flatten(v, join(prefix, k), out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** The leaves whose values differ, in natural path order (`x.2` before `x.10`). */
export function compareLeaves(before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>): LeafChange[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(byPath);
  const changes: LeafChange[] = [];
  for (const p of paths) {
    const x = before.get(p);
    const y = after.get(p);
    if (stableJson(x) !== stableJson(y)) changes.push({ path: p, before: x, after: y });
  }
  return changes;
}

/** `network.0.uuid` → `network.uuid`: the form the force-new list uses. */
export function schemaPath(path: string): string {
  return path
    .split(".")
    .filter((s) => !/^\d+$/.test(s))
    .join(".");
}

export function byPath(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

// Resource and data source values as Terraform sends them (cty values in msgpack), and
// the two transformations a schema-only provider makes during `terraform plan`:
// a new resource's unset computed attributes become unknown ("known after apply"),
// and a data source read fills its unset computed attributes with placeholders.
import { decode, encode, ExtData } from "@msgpack/msgpack";
import type { CtyType, SchemaAttribute, SchemaBlock } from "./provider-schema";

// cty encodes an unknown value as msgpack extension 0 (refined unknowns use other
// extension codes); every extension value is an unknown, passed back unchanged.
const UNKNOWN = new ExtData(0, new Uint8Array([0]));

export type Value = unknown;
type ObjectValue = Record<string, Value>;

export function isUnknown(v: Value): boolean {
  return v instanceof ExtData;
}

export function decodeValue(bytes: Uint8Array | undefined): Value {
  if (!bytes || bytes.length === 0) return null;
  // 64-bit integers stay exact; cty numbers beyond float precision travel as strings.
  return decode(bytes, { useBigInt64: true });
}

export function encodeValue(value: Value): Uint8Array {
  return encode(value, { useBigInt64: true });
}

function isObject(v: Value): v is ObjectValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);
}

/** Every object of a nested block or nested attribute, whatever its nesting mode. */
function nestedObjects(value: Value, mode: string): ObjectValue[] {
  if (mode === "single" || mode === "group") return isObject(value) ? [value] : [];
  if (Array.isArray(value)) return value.filter(isObject);
  if (mode === "map" && isObject(value)) return Object.values(value).filter(isObject);
  return [];
}

/** Applies `fill` to each unset computed attribute of `obj` and of its nested blocks. */
function fillComputed(block: SchemaBlock, obj: ObjectValue, fill: (a: SchemaAttribute) => Value): void {
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    if (attr.computed && obj[name] === null) obj[name] = fill(attr);
    else if (attr.nested_type) {
      const inner: SchemaBlock = { attributes: attr.nested_type.attributes };
      for (const o of nestedObjects(obj[name], attr.nested_type.nesting_mode)) fillComputed(inner, o, fill);
    }
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    for (const o of nestedObjects(obj[name], nested.nesting_mode)) fillComputed(nested.block, o, fill);
  }
}

/**
 * The planned state of a resource. Creating: what the configuration says, every unset
 * computed attribute unknown. Updating: Terraform's proposed state, which already
 * carries the prior computed values. Destroying: null.
 */
export function plannedState(block: SchemaBlock, prior: Value, proposed: Value): Value {
  if (prior === null && isObject(proposed)) fillComputed(block, proposed, () => UNKNOWN);
  return proposed;
}

/** A data source's state read offline: the configuration, unset computed attributes as placeholders. */
export function placeholderState(block: SchemaBlock, config: Value): Value {
  if (isObject(config)) fillComputed(block, config, (attr) => placeholder(attr));
  return config;
}

/** A known value of the attribute's type, recognisable as made up. */
function placeholder(attr: SchemaAttribute): Value {
  if (attr.nested_type) return null;
  return placeholderOfType(attr.type ?? "dynamic");
}

function placeholderOfType(type: CtyType): Value {
  if (type === "string") return "offline-placeholder";
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (!Array.isArray(type)) return null; // dynamic: a null is a known value too
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") return [];
  if (kind === "map") return {};
  if (kind === "object") {
    return Object.fromEntries(Object.entries(inner as Record<string, CtyType>).map(([k, t]) => [k, placeholderOfType(t)]));
  }
  if (kind === "tuple") return (inner as CtyType[]).map(placeholderOfType);
  return null;
}

// Converts a provider schema from `terraform providers schema -json` form into the
// plugin protocol's Schema messages (field names as in tfplugin6.proto).
import type { NestedAttributeType, SchemaAttribute, SchemaBlock, VersionedSchema } from "./provider-schema";

const STRING_KIND = { plain: 0, markdown: 1 } as const;
const BLOCK_NESTING = { single: 1, list: 2, set: 3, map: 4, group: 5 } as const;
const OBJECT_NESTING = { single: 1, list: 2, set: 3, map: 4 } as const;

export function schemaMessage(schema: VersionedSchema): object {
  return { version: schema.version ?? 0, block: blockMessage(schema.block) };
}

function blockMessage(block: SchemaBlock): object {
  return {
    attributes: Object.entries(block.attributes ?? {}).map(([name, a]) => attributeMessage(name, a)),
    block_types: Object.entries(block.block_types ?? {}).map(([name, b]) => ({
      type_name: name,
      block: blockMessage(b.block),
      nesting: BLOCK_NESTING[b.nesting_mode],
      min_items: b.min_items ?? 0,
      max_items: b.max_items ?? 0,
    })),
    description: block.description ?? "",
    description_kind: STRING_KIND[block.description_kind ?? "plain"],
    deprecated: block.deprecated ?? false,
  };
}

function attributeMessage(name: string, a: SchemaAttribute): object {
  return {
    name,
    // The protocol carries an attribute's type as the bytes of its JSON form.
    type: a.type === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(a.type)),
    nested_type: a.nested_type ? objectMessage(a.nested_type) : undefined,
    description: a.description ?? "",
    description_kind: STRING_KIND[a.description_kind ?? "plain"],
    required: a.required ?? false,
    optional: a.optional ?? false,
    computed: a.computed ?? false,
    sensitive: a.sensitive ?? false,
    deprecated: a.deprecated ?? false,
    write_only: a.write_only ?? false,
  };
}

function objectMessage(nested: NestedAttributeType): object {
  return {
    attributes: Object.entries(nested.attributes).map(([name, a]) => attributeMessage(name, a)),
    nesting: OBJECT_NESTING[nested.nesting_mode],
  };
}

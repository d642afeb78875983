// A provider's schema in the format `terraform providers schema -json` prints: the pinned
// file the checker's plugin answers from.
import { readFileSync } from "node:fs";

/** A cty type in its JSON form: "string", ["list","string"], ["object",{...}], ... */
export type CtyType = string | [string, unknown] | [string, unknown, unknown];

export interface SchemaAttribute {
  type?: CtyType;
  nested_type?: NestedAttributeType;
  description?: string;
  description_kind?: "plain" | "markdown";
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
  write_only?: boolean;
}

export interface NestedAttributeType {
  attributes: Record<string, SchemaAttribute>;
  nesting_mode: "single" | "list" | "set" | "map";
}

export interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, SchemaBlockType>;
  description?: string;
  description_kind?: "plain" | "markdown";
  deprecated?: boolean;
}

export interface SchemaBlockType {
  nesting_mode: "single" | "list" | "set" | "map" | "group";
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface VersionedSchema {
  version: number;
  block: SchemaBlock;
}

export interface ProviderSchema {
  /** e.g. registry.terraform.io/terraform-provider-openstack/openstack */
  readonly address: string;
  readonly provider: VersionedSchema;
  readonly resources: Record<string, VersionedSchema>;
  readonly dataSources: Record<string, VersionedSchema>;
}

/** Reads a schema file holding exactly one provider. */
export function loadProviderSchema(file: string): ProviderSchema {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const entries = Object.entries(doc?.provider_schemas ?? {});
  if (entries.length !== 1) {
    throw new Error(`${file}: provider_schemas: expected exactly one provider, found ${entries.length}`);
  }
  const [address, schema] = entries[0] as [string, any];
  if (!schema?.provider?.block) throw new Error(`${file}: provider_schemas.${address}.provider.block: missing`);
  return {
    address,
    provider: schema.provider,
    resources: schema.resource_schemas ?? {},
    dataSources: schema.data_source_schemas ?? {},
  };
}

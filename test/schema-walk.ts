// Walks the environment schema (zod) to its leaves, so that tests about every key cover a
// key added later without being touched: the template-sequence test (every string key) and
// the description test (every key is documented).
import { z } from "zod/v3";

export type Path = Array<string | number>;

export interface SchemaLeaf {
  /** Where the value goes in an environment file (arrays as their element 0). */
  readonly path: Path;
  /** Discriminators to set first (the variant of a discriminated union the key belongs to). */
  readonly variant: Array<{ path: Path; value: string }>;
  /** The zod type of the value: string, enum, literal, number or boolean. */
  readonly kind: z.ZodFirstPartyTypeKind;
  /** A literal's value (a discriminated union's tag). */
  readonly literal?: unknown;
  /** The key's `.describe()` text, from any wrapper between its object and the leaf. */
  readonly description: string | undefined;
}

/** Every leaf of the schema; a union yields one leaf per option that differs. */
export function schemaLeaves(
  schema: z.ZodTypeAny,
  path: Path = [],
  variant: SchemaLeaf["variant"] = [],
  description?: string,
): SchemaLeaf[] {
  const def = schema._def;
  const described = description ?? schema.description;
  const leaf = (): SchemaLeaf[] => [{ path, variant, kind: def.typeName, literal: def.value, description: described }];
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodString:
    case z.ZodFirstPartyTypeKind.ZodEnum:
    case z.ZodFirstPartyTypeKind.ZodLiteral:
    case z.ZodFirstPartyTypeKind.ZodNumber:
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return leaf();
    case z.ZodFirstPartyTypeKind.ZodObject:
      // A key's own description, not its object's, documents it.
      return Object.entries((schema as z.AnyZodObject).shape).flatMap(([key, value]) =>
        schemaLeaves(value as z.ZodTypeAny, [...path, key], variant),
      );
    case z.ZodFirstPartyTypeKind.ZodArray:
      return schemaLeaves(def.type, [...path, 0], variant, described);
    case z.ZodFirstPartyTypeKind.ZodOptional:
    case z.ZodFirstPartyTypeKind.ZodNullable:
    case z.ZodFirstPartyTypeKind.ZodDefault:
      return schemaLeaves(def.innerType, path, variant, described);
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return schemaLeaves(def.schema, path, variant, described);
    case z.ZodFirstPartyTypeKind.ZodPipeline:
      return schemaLeaves(def.in, path, variant, described);
    case z.ZodFirstPartyTypeKind.ZodUnion:
      return dedupe((def.options as z.ZodTypeAny[]).flatMap((o) => schemaLeaves(o, path, variant, described)));
    case z.ZodFirstPartyTypeKind.ZodDiscriminatedUnion:
      return (def.options as z.AnyZodObject[]).flatMap((o) => {
        const tag = o.shape[def.discriminator]._def.value as string;
        return schemaLeaves(o, path, [...variant, { path: [...path, def.discriminator], value: tag }]);
      });
    default:
      throw new Error(`${path.join(".")}: schema type ${def.typeName} is not walked by schemaLeaves: teach it`);
  }
}

const STRING_KINDS = new Set([z.ZodFirstPartyTypeKind.ZodString, z.ZodFirstPartyTypeKind.ZodEnum]);

/** Every place in the schema that takes a string (once per path and variant). */
export function stringKeys(schema: z.ZodTypeAny): SchemaLeaf[] {
  return dedupe(
    schemaLeaves(schema)
      .filter((l) => STRING_KINDS.has(l.kind) || (l.kind === z.ZodFirstPartyTypeKind.ZodLiteral && typeof l.literal === "string"))
      .map((l) => ({ path: l.path, variant: l.variant, kind: z.ZodFirstPartyTypeKind.ZodString, description: l.description })),
  );
}

function dedupe(leaves: SchemaLeaf[]): SchemaLeaf[] {
  const seen = new Set<string>();
  return leaves.filter((l) => {
    const id = JSON.stringify([l.path, l.variant, l.kind]);
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

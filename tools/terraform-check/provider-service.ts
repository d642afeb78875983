// The tfplugin6 Provider service of a provider known only by its schema: it tells
// Terraform the schema, accepts every configuration Terraform core has already checked
// against that schema, and plans offline (see object-values.ts). It never calls a cloud.
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from "@grpc/grpc-js";
import { decodeValue, encodeValue, placeholderState, plannedState, Value } from "./object-values";
import type { ProviderSchema, VersionedSchema } from "./provider-schema";
import { schemaMessage } from "./schema-messages";

const ERROR = 1;

interface DynamicValue {
  msgpack?: Buffer;
  json?: Buffer;
}

function valueOf(dv: DynamicValue | undefined): Value {
  if (dv?.msgpack?.length) return decodeValue(dv.msgpack);
  if (dv?.json?.length) return JSON.parse(dv.json.toString("utf8"));
  return null;
}

const msgpack = (value: Value): DynamicValue => ({ msgpack: Buffer.from(encodeValue(value)) });

function errorDiagnostic(summary: string, detail = "") {
  return { severity: ERROR, summary, detail };
}

type Handler = (request: any) => object;

/** A unary RPC whose failures become an error diagnostic instead of a broken call. */
function unary(handler: Handler) {
  return (call: ServerUnaryCall<any, any>, callback: sendUnaryData<any>) => {
    let response: object;
    try {
      response = handler(call.request);
    } catch (err) {
      response = { diagnostics: [errorDiagnostic("terraform-check provider failure", String((err as Error)?.message ?? err))] };
    }
    callback(null, response);
  };
}

// The schema never changes between instances, so Terraform may cache it.
const CAPABILITIES = { get_provider_schema_optional: true };

export function getProviderSchemaResponse(schema: ProviderSchema): object {
  const messages = (schemas: Record<string, VersionedSchema>) =>
    Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, schemaMessage(s)]));
  return {
    provider: schemaMessage(schema.provider),
    resource_schemas: messages(schema.resources),
    data_source_schemas: messages(schema.dataSources),
    server_capabilities: CAPABILITIES,
  };
}

/** `encodedSchemaResponse`: getProviderSchemaResponse(schema), encoded ahead (plugin-cache.ts). */
export function providerService(schema: ProviderSchema, encodedSchemaResponse: Buffer): UntypedServiceImplementation {
  function typeSchema(kind: "resource" | "data source", typeName: string): VersionedSchema {
    const found = (kind === "resource" ? schema.resources : schema.dataSources)[typeName];
    if (!found) throw new Error(`${schema.address} has no ${kind} type "${typeName}"`);
    return found;
  }
  const accept = () => ({ diagnostics: [] });

  return {
    GetMetadata: unary(() => ({
      server_capabilities: CAPABILITIES,
      resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
    })),
    GetProviderSchema: unary(() => encodedSchemaResponse),
    // Terraform core has checked names, types and required arguments before these
    // calls; the real provider's own checks (value ranges, conflicts) are not known here.
    ValidateProviderConfig: unary(accept),
    ValidateResourceConfig: unary((r) => (typeSchema("resource", r.type_name), accept())),
    ValidateDataResourceConfig: unary((r) => (typeSchema("data source", r.type_name), accept())),
    ConfigureProvider: unary(accept),
    UpgradeResourceState: unary((r) => {
      typeSchema("resource", r.type_name);
      if (!r.raw_state?.json?.length) {
        return { diagnostics: [errorDiagnostic("Unsupported state", "Only JSON state can be read; legacy flatmap state cannot.")] };
      }
      return { upgraded_state: { json: r.raw_state.json } };
    }),
    ReadResource: unary((r) => ({ new_state: r.current_state, private: r.private })),
    PlanResourceChange: unary((r) => {
      const block = typeSchema("resource", r.type_name).block;
      const planned = plannedState(block, valueOf(r.prior_state), valueOf(r.proposed_new_state));
      return { planned_state: msgpack(planned), planned_private: r.prior_private };
    }),
    ReadDataSource: unary((r) => {
      const block = typeSchema("data source", r.type_name).block;
      return { state: msgpack(placeholderState(block, valueOf(r.config))) };
    }),
    StopProvider: unary(() => ({ Error: "" })),
  };
}

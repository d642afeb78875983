// The gRPC services of tools/terraform-check/proto as grpc-js service definitions,
// encoded and decoded by protobufjs. Messages are plain objects with the .proto field
// names; a handler may also answer with bytes it encoded earlier (see plugin-cache.ts).
import * as path from "node:path";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { Root, Type } from "protobufjs";
import { PROTO_DIR } from "./paths";

const PROTO_FILES = ["tfplugin6.proto", "go-plugin.proto", "health.proto"];
const TO_OBJECT = { longs: Number, bytes: Buffer, defaults: false, oneofs: true } as const;

let root: Root | undefined;

function protocolRoot(): Root {
  if (!root) {
    root = new Root();
    root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
    root.loadSync(PROTO_FILES, { keepCase: true });
    root.resolveAll();
  }
  return root;
}

export function encodeMessage(typeName: string, message: object): Buffer {
  const type = protocolRoot().lookupType(typeName);
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}

const serializer = (type: Type) => (value: object) =>
  Buffer.isBuffer(value) ? value : Buffer.from(type.encode(type.fromObject(value)).finish());
const deserializer = (type: Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), TO_OBJECT);

/** A service by its full name, e.g. "tfplugin6.Provider". */
export function serviceDefinition(serviceName: string): ServiceDefinition {
  const service = protocolRoot().lookupService(serviceName);
  const definition: Record<string, object> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: method.requestStream ?? false,
      responseStream: method.responseStream ?? false,
      requestSerialize: serializer(method.resolvedRequestType!),
      requestDeserialize: deserializer(method.resolvedRequestType!),
      responseSerialize: serializer(method.resolvedResponseType!),
      responseDeserialize: deserializer(method.resolvedResponseType!),
      originalName: method.name,
    };
  }
  return definition as unknown as ServiceDefinition;
}

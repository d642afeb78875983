// What a provider plugin needs at every start and would otherwise compute again each
// time: its self-signed TLS server certificate and its encoded GetProviderSchema
// answer. The runner prepares them once per run (mirror.ts); Terraform starts each
// provider two or three times per stack.
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const CACHE_FILES = {
  cert: "server-cert.pem",
  key: "server-key.pem",
  schemaResponse: "get-provider-schema.binpb",
} as const;

export interface ServerCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface PluginCache {
  readonly certificate: ServerCertificate;
  readonly schemaResponse: Buffer;
}

export function readPluginCache(dir: string): PluginCache {
  const read = (name: string) => readFileSync(path.join(dir, name));
  return {
    certificate: { certPem: read(CACHE_FILES.cert).toString("utf8"), keyPem: read(CACHE_FILES.key).toString("utf8") },
    schemaResponse: read(CACHE_FILES.schemaResponse),
  };
}

/** go-plugin's handshake field for the server certificate: its DER in base64, unpadded. */
export function handshakeField(certPem: string): string {
  return certPem.replace(/-----[^-]+-----|\s/g, "").replace(/=+$/, "");
}

// A Terraform provider plugin served from a schema file:
//   node plugin.js <schema.json> --cache-dir DIR   (DIR: see plugin-cache.ts)
// Terraform starts it through the launcher the runner puts in a filesystem mirror. It
// speaks go-plugin's handshake and Terraform's plugin protocol 6 over gRPC on a unix
// socket, with automatic mTLS.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { handshakeField, PluginCache, readPluginCache } from "./plugin-cache";
import { serviceDefinition } from "./protocol";
import { loadProviderSchema } from "./provider-schema";
import { providerService } from "./provider-service";

// Terraform's handshake constants: the cookie tells a plugin it was started by
// Terraform; "1" is go-plugin's core protocol version, 6 the plugin protocol we speak.
const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const PLUGIN_PROTOCOL_VERSION = 6;
const HEALTH_SERVING = 1;

function fail(message: string): never {
  process.stderr.write(`terraform-check plugin: ${message}\n`);
  process.exit(1);
}

function main(argv: string[]): void {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    fail("this is a Terraform provider plugin; Terraform starts it, it is not run by hand");
  }
  const offered = process.env.PLUGIN_PROTOCOL_VERSIONS;
  if (offered && !offered.split(",").includes(String(PLUGIN_PROTOCOL_VERSION))) {
    fail(`Terraform offers plugin protocol versions ${offered}; this plugin speaks only ${PLUGIN_PROTOCOL_VERSION}`);
  }
  let schemaFile: string | undefined;
  let cache: PluginCache | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { "cache-dir": { type: "string" } }, allowPositionals: true });
    schemaFile = positionals[0];
    if (values["cache-dir"]) cache = readPluginCache(values["cache-dir"]);
  } catch (err) {
    fail((err as Error).message);
  }
  if (!schemaFile || !cache) fail("usage: plugin.js <provider schema JSON> --cache-dir DIR");
  const schema = loadProviderSchema(schemaFile);
  const server = new grpc.Server();
  const streams = new Set<grpc.ServerWritableStream<any, any> | grpc.ServerDuplexStream<any, any>>();
  const socketDir = mkdtempSync(path.join(process.env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), "tf-check-plugin-"));
  const socket = path.join(socketDir, "plugin.sock");

  let exiting = false;
  const exit = () => {
    rmSync(socketDir, { recursive: true, force: true });
    process.exit(0);
  };
  const shutdown = () => {
    if (exiting) return;
    exiting = true;
    for (const s of streams) s.end();
    server.tryShutdown(exit); // lets the Shutdown reply go out first
    setTimeout(exit, 50).unref();
  };

  server.addService(serviceDefinition("tfplugin6.Provider"), providerService(schema, cache.schemaResponse));
  server.addService(serviceDefinition("plugin.GRPCController"), {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
      callback(null, {});
      shutdown();
    },
  });
  // The client opens these two streams on connect; this plugin has nothing to send on
  // them (it writes no stdio and brokers no extra connections), so they stay open.
  server.addService(serviceDefinition("plugin.GRPCStdio"), {
    StreamStdio: (call: grpc.ServerWritableStream<any, any>) => streams.add(call),
  });
  server.addService(serviceDefinition("plugin.GRPCBroker"), {
    StartStream: (call: grpc.ServerDuplexStream<any, any>) => {
      streams.add(call);
      call.on("data", () => {});
      call.on("end", () => call.end());
    },
  });
  server.addService(serviceDefinition("grpc.health.v1.Health"), {
    Check: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { status: HEALTH_SERVING }),
  });

  // Automatic mTLS: trust exactly the client certificate Terraform made for this run.
  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  const certificate = clientCert ? cache.certificate : undefined;
  const credentials = certificate
    ? grpc.ServerCredentials.createSsl(
        Buffer.from(clientCert!),
        [{ cert_chain: Buffer.from(certificate.certPem), private_key: Buffer.from(certificate.keyPem) }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();

  server.bindAsync(`unix:${socket}`, credentials, (err) => {
    if (err) fail(`cannot listen on ${socket}: ${err.message}`);
    const fields = [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "unix", socket, "grpc"];
    if (certificate) fields.push(handshakeField(certificate.certPem));
    process.stdout.write(`${fields.join("|")}\n`);
  });

  // Terraform ends a plugin with Shutdown (or a kill); Ctrl-C reaches the whole process
  // group and is Terraform's to handle (it calls StopProvider). If Terraform dies
  // without either, the plugin must not outlive it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", shutdown);
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && shutdown(), 1000).unref();
}

main(process.argv.slice(2));

// The editors' side of environment.schema.json: Red Hat's yaml-language-server (what the
// VS Code YAML extension and other LSP editors run), driven over stdio as an editor does.
// Documents are opened in memory (textDocument/didOpen): nothing is written to disk.
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { REPO } from "./helpers";

const SERVER = path.join(REPO, "node_modules", "yaml-language-server", "bin", "yaml-language-server");

// What an editor would send: no schema store (it is fetched from the internet), and
// only the schema the file names in its `# yaml-language-server: $schema=` line.
const SETTINGS = { yaml: { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: {} } };

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}

export interface CompletionItem {
  label: string;
  documentation?: string | { kind: string; value: string };
}

interface Message {
  id?: number;
  method?: string;
  params?: any;
  result?: any;
  error?: { message: string };
}

export class YamlLanguageServer {
  private readonly process: ChildProcess;
  private buffer = Buffer.alloc(0);
  private nextId = 0;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly diagnosticWaiters = new Map<string, (d: Diagnostic[]) => void>();
  private stderr = "";

  private constructor() {
    this.process = spawn(process.execPath, [SERVER, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    this.process.stdout!.on("data", (chunk: Buffer) => this.receive(chunk));
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(): Promise<YamlLanguageServer> {
    const server = new YamlLanguageServer();
    await server.request("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          completion: { completionItem: { documentationFormat: ["plaintext"] } },
          hover: { contentFormat: ["plaintext"] },
          publishDiagnostics: {},
        },
      },
    });
    server.notify("initialized", {});
    server.notify("workspace/didChangeConfiguration", { settings: SETTINGS });
    return server;
  }

  /** Opens a document as an editor does; resolves with the server's first diagnostics of it. */
  open(uri: string, text: string): Promise<Diagnostic[]> {
    const diagnostics = new Promise<Diagnostic[]>((resolve) => this.diagnosticWaiters.set(uri, resolve));
    this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text } });
    return diagnostics;
  }

  close(uri: string): void {
    this.notify("textDocument/didClose", { textDocument: { uri } });
  }

  async completion(uri: string, line: number, character: number): Promise<CompletionItem[]> {
    const result = await this.request("textDocument/completion", { textDocument: { uri }, position: { line, character } });
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  async hover(uri: string, line: number, character: number): Promise<string> {
    const result = await this.request("textDocument/hover", { textDocument: { uri }, position: { line, character } });
    const contents = result?.contents;
    return typeof contents === "string" ? contents : (contents?.value ?? "");
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    await this.request("shutdown", null).catch(() => undefined);
    this.notify("exit", null);
    const timer = setTimeout(() => this.process.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private request(method: string, params: unknown): Promise<any> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  private send(message: object): void {
    const body = JSON.stringify(message);
    this.process.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /** LSP framing: `Content-Length: N` headers, a blank line, N bytes of JSON. */
  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (!Number.isFinite(length))
        throw new Error(`yaml-language-server: bad header ${this.buffer.subarray(0, headerEnd)}\n${this.stderr}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message: Message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(message);
    }
  }

  private handle(m: Message): void {
    if (m.id !== undefined && m.method) {
      // The server asks for its settings (workspace/configuration: yaml, http, [yaml], editor).
      const result =
        m.method === "workspace/configuration"
          ? m.params.items.map((i: { section: string }) => (i.section === "yaml" ? SETTINGS.yaml : null))
          : null;
      this.send({ jsonrpc: "2.0", id: m.id, result });
    } else if (m.id !== undefined) {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    } else if (m.method === "textDocument/publishDiagnostics") {
      const waiter = this.diagnosticWaiters.get(m.params.uri);
      this.diagnosticWaiters.delete(m.params.uri);
      waiter?.(m.params.diagnostics);
    }
  }
}

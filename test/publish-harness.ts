// Runs the publish scripts (jobs/publish/*.sh) against a fake cloud: each FakeCloud
// serves publish-fake-openstack.ts on a local port to test/publish-openstack-shim.sh,
// which is `openstack` on the scripts' PATH, and records every call in order.
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import * as path from "node:path";
import { CliError, run as fakeCall, type FakeImage, type FakeState } from "./publish-fake-openstack";
import { REPO, tempDir } from "./helpers";

export const SCRIPTS = path.join(REPO, "jobs", "publish");
const SHIM = path.join(REPO, "test", "publish-openstack-shim.sh");

export interface ScriptRun {
  status: number;
  stdout: string;
  stderr: string;
  /** The `openstack` calls of this run, in order, each as one readable line. */
  calls: string[];
}

/** One call's argv as a line: arguments with spaces are JSON-quoted. */
function callLine(argv: string[]): string {
  return argv.map((a) => (/\s/.test(a) || a === "" ? JSON.stringify(a) : a)).join(" ");
}

export class FakeCloud {
  private current: FakeState;
  private calls: string[][] = [];
  private failAt = 0;
  private readonly bin = path.join(tempDir("publish-"), "bin");
  private readonly server: Server;
  private readonly port: Promise<number>;

  constructor(state: FakeState) {
    this.current = structuredClone(state);
    mkdirSync(this.bin);
    symlinkSync(SHIM, path.join(this.bin, "openstack"));
    this.server = createServer((socket) => this.answer(socket));
    this.server.unref();
    this.port = new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve((this.server.address() as AddressInfo).port)));
  }

  /** Reads one call (argc, then NUL-terminated args), runs it, writes the answer. */
  private answer(socket: Socket): void {
    let input = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      input = Buffer.concat([input, chunk]);
      const parts = input.toString("utf8").split("\0");
      const argc = Number(parts[0]);
      if (parts.length - 2 < argc) return;
      const argv = parts.slice(1, 1 + argc);
      this.calls.push(argv);
      let status = 0;
      let out = "";
      let err = "";
      try {
        if (this.calls.length === this.failAt) throw new CliError(`Simulated failure of call ${this.failAt}: HTTP 503 Service Unavailable`);
        // A failing call changes nothing: it runs on a copy that is kept only on success.
        const next = structuredClone(this.current);
        out = fakeCall(argv, next);
        this.current = next;
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        status = e.code;
        err = e.message + "\n";
      }
      socket.end(`${status}\n${Buffer.byteLength(out)}\n${Buffer.byteLength(err)}\n${out}${err}`);
    });
  }

  /** Runs jobs/publish/<script> with the stand-in first on PATH; failAt: the call (1-based) that fails. */
  async run(script: string, args: string[], failAt = 0): Promise<ScriptRun> {
    const port = await this.port;
    this.calls = [];
    this.failAt = failAt;
    const env = { ...process.env, PATH: `${this.bin}:${process.env.PATH}`, FAKE_OPENSTACK_PORT: String(port) };
    return new Promise((resolve) => {
      execFile(path.join(SCRIPTS, script), args, { env, encoding: "utf8" }, (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ status, stdout, stderr, calls: this.calls.map(callLine) });
      });
    });
  }

  state(): FakeState {
    return structuredClone(this.current);
  }

  /** A region's images as "name | visibility | hidden" keyed by build, for end-state assertions. */
  summary(region: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.current.regions[region].images) {
      const key = `${i.owner === PROJECT ? "" : "foreign "}build ${i.properties.factory_build_id}`;
      out[key] = `${i.name} | ${i.visibility}${i.hidden ? " | hidden" : ""}`;
    }
    return out;
  }
}

export const PROJECT = "f00dcafe0000000000000000000000aa";

let serial = 0;
/** An image of the factory in the fake cloud; `published` gives it a publication number. */
export function factoryImage(o: {
  catalogue: string;
  build: string;
  date: string;
  name: string;
  published?: number;
  visibility?: FakeImage["visibility"];
  targetVisibility?: string;
  hidden?: boolean;
  rolledBack?: boolean;
  status?: string;
  owner?: string;
  protected?: boolean;
}): FakeImage {
  serial += 1;
  const properties: Record<string, string> = {
    architecture: "x86_64",
    os_distro: "debian",
    os_version: "12",
    hw_disk_bus: "virtio",
    hw_vif_model: "virtio",
    factory_image_name: o.catalogue,
    factory_build_id: o.build,
    factory_build_date: o.date,
    factory_git_commit: "0123456789abcdef0123456789abcdef01234567",
    factory_visibility: o.targetVisibility ?? o.visibility ?? "private",
  };
  if (o.published !== undefined) properties.factory_publish_seq = String(o.published);
  if (o.rolledBack) properties.factory_rolled_back = "true";
  return {
    id: `11111111-0000-4000-8000-${String(serial).padStart(12, "0")}`,
    name: o.name,
    status: o.status ?? "active",
    visibility: o.visibility ?? "private",
    hidden: o.hidden ?? false,
    protected: o.protected ?? false,
    owner: o.owner ?? PROJECT,
    created_at: `${o.date}T12:00:00Z`,
    min_disk: 4,
    min_ram: 0,
    disk_format: "qcow2",
    container_format: "bare",
    properties,
  };
}

export function cloudWith(regions: Record<string, FakeImage[]>, servers: Record<string, { id: string; name: string; imageId: string }[]> = {}): FakeState {
  return {
    project: PROJECT,
    serial: 0,
    regions: Object.fromEntries(Object.entries(regions).map(([r, images]) => [r, { images: structuredClone(images), servers: servers[r] ?? [] }])),
  };
}

// The behaviour of the stand-in for the `openstack` CLI in the publish scripts'
// tests: a small fake of the Glance and Nova calls the scripts make, so a rotation
// really changes names, visibility and hidden flags. It accepts only the options
// python-openstackclient has for these commands (a typo in a script fails here as
// it would against a cloud) and prints what the real client prints with -f json /
// -f value. publish-harness.ts serves it to test/publish-openstack-shim.sh, the
// `openstack` on the scripts' PATH, and records every call.
import { existsSync } from "node:fs";

export interface FakeImage {
  id: string;
  name: string;
  status: string;
  visibility: "private" | "shared" | "public" | "community";
  hidden: boolean;
  protected: boolean;
  owner: string;
  created_at: string;
  min_disk: number;
  min_ram: number;
  disk_format: string;
  container_format: string;
  properties: Record<string, string>;
}

interface FakeServer {
  id: string;
  name: string;
  imageId: string;
}

export interface FakeState {
  /** The project the credentials act in (token issue's project_id). */
  project: string;
  /** Counter for new image ids and creation times. */
  serial: number;
  regions: Record<string, { images: FakeImage[]; servers: FakeServer[] }>;
}

export class CliError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Parsed options of one command: flags, single values, repeatable values, positionals. */
interface Parsed {
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
  positionals: string[];
}

interface OptionSpec {
  flags?: string[];
  values?: string[];
  lists?: string[];
  /** Takes the output options -f and -c (cliff's formatters). */
  output?: boolean;
  /** Groups of options of which at most one may be given (argparse mutually exclusive groups). */
  exclusive?: string[][];
  positionals: [min: number, max: number];
}

const VISIBILITY = ["--public", "--private", "--community", "--shared"];

function parse(args: string[], given: OptionSpec): Parsed {
  const spec = given.output ? { ...given, values: [...(given.values ?? []), "-f"], lists: [...(given.lists ?? []), "-c"] } : given;
  const p: Parsed = { flags: new Set(), values: new Map(), lists: new Map(), positionals: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("-")) {
      if (spec.flags?.includes(a)) p.flags.add(a);
      else if (spec.values?.includes(a) || spec.lists?.includes(a)) {
        const v = args[++i];
        if (v === undefined) throw new CliError(`openstack: error: argument ${a}: expected one argument`, 2);
        if (spec.values?.includes(a)) p.values.set(a, v);
        else p.lists.set(a, [...(p.lists.get(a) ?? []), v]);
      } else throw new CliError(`openstack: error: unrecognized arguments: ${a}`, 2);
    } else p.positionals.push(a);
  }
  for (const group of spec.exclusive ?? []) {
    const given = group.filter((o) => p.flags.has(o));
    if (given.length > 1) throw new CliError(`openstack: error: argument ${given[1]}: not allowed with argument ${given[0]}`, 2);
  }
  const [min, max] = spec.positionals;
  if (p.positionals.length < min) throw new CliError("openstack: error: the following arguments are required", 2);
  if (p.positionals.length > max) throw new CliError(`openstack: error: unrecognized arguments: ${p.positionals.slice(max).join(" ")}`, 2);
  return p;
}

function keyValues(p: Parsed, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of p.lists.get(option) ?? []) {
    const at = kv.indexOf("=");
    if (at < 1) throw new CliError(`openstack: error: argument ${option}: expected key=value, got "${kv}"`, 2);
    out[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return out;
}

/** What `-f json|value` and `-c` make of one row (an object) or several. */
function format(p: Parsed, rows: Record<string, unknown>[] | Record<string, unknown>): string {
  const columns = p.lists.get("-c");
  const pick = (row: Record<string, unknown>) => {
    if (!columns) return row;
    const out: Record<string, unknown> = {};
    for (const c of columns) if (c in row) out[c] = row[c];
    return out;
  };
  const picked = Array.isArray(rows) ? rows.map(pick) : pick(rows);
  const fmt = p.values.get("-f") ?? "table";
  if (fmt === "json") return JSON.stringify(picked, null, 4) + "\n";
  if (fmt === "value") {
    const lines = (Array.isArray(picked) ? picked : [picked]).map((r) => Object.values(r).map(String).join(" "));
    return lines.map((l) => l + "\n").join("");
  }
  throw new CliError(`openstack: error: this stand-in prints only -f json or -f value, not ${fmt}`, 2);
}

export function showImage(image: FakeImage): Record<string, unknown> {
  // The shape of python-openstackclient's `image show -f json`: the known fields at
  // the top level, everything else (os_hidden included) under "properties".
  return {
    checksum: "0".repeat(32),
    container_format: image.container_format,
    created_at: image.created_at,
    disk_format: image.disk_format,
    file: `/v2/images/${image.id}/file`,
    id: image.id,
    min_disk: image.min_disk,
    min_ram: image.min_ram,
    name: image.name,
    owner: image.owner,
    properties: { ...image.properties, os_hidden: image.hidden },
    protected: image.protected,
    schema: "/v2/schemas/image",
    size: 1073741824,
    status: image.status,
    tags: [],
    updated_at: image.created_at,
    visibility: image.visibility,
  };
}

/** Runs one call against `state` (changing it); returns what the CLI prints, or throws CliError. */
export function run(argv: string[], state: FakeState): string {
  let args = argv;
  let region: string | undefined;
  if (args[0] === "--os-region-name") {
    region = args[1];
    args = args.slice(2);
  }
  const command = args.slice(0, 2).join(" ");
  const rest = args.slice(2);

  if (command === "token issue") {
    const p = parse(rest, { output: true, positionals: [0, 0] });
    return format(p, { expires: "2099-01-01T00:00:00+0000", id: "token", project_id: state.project, user_id: "jenkins" });
  }
  if (!region) throw new CliError(`the stand-in insists on --os-region-name for "${command}"`);
  const cloud = state.regions[region];
  if (!cloud) throw new CliError(`Region ${region} not found`);
  const visible = cloud.images.filter((i) => i.owner === state.project || i.visibility === "public");
  const find = (ref: string): FakeImage => {
    const byId = visible.find((i) => i.id === ref);
    if (byId) return byId;
    const byName = visible.filter((i) => i.name === ref);
    if (byName.length > 1) throw new CliError(`More than one Image exists with the name '${ref}'.`);
    if (byName.length === 0) throw new CliError(`No Image found for ${ref}`);
    return byName[0];
  };
  const mine = (image: FakeImage) => {
    if (image.owner !== state.project) throw new CliError(`HTTP 403 Forbidden: you are not the owner of image ${image.id}`);
    return image;
  };

  switch (command) {
    case "image list": {
      const p = parse(rest, { output: true, flags: ["--hidden"], values: ["--name", "--status"], lists: ["--property"], positionals: [0, 0] });
      const wanted = keyValues(p, "--property");
      const rows = visible
        .filter((i) => i.hidden === p.flags.has("--hidden"))
        .filter((i) => !p.values.has("--name") || i.name === p.values.get("--name"))
        .filter((i) => !p.values.has("--status") || i.status === p.values.get("--status"))
        .filter((i) => Object.entries(wanted).every(([k, v]) => i.properties[k] === v))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((i) => ({ ID: i.id, Name: i.name, Status: i.status }));
      return format(p, rows);
    }
    case "image show": {
      const p = parse(rest, { output: true, positionals: [1, 1] });
      return format(p, showImage(find(p.positionals[0])));
    }
    case "image create": {
      const p = parse(rest, {
        output: true,
        flags: VISIBILITY,
        values: ["--disk-format", "--container-format", "--file", "--min-disk", "--min-ram"],
        lists: ["--property"],
        exclusive: [VISIBILITY],
        positionals: [1, 1],
      });
      const file = p.values.get("--file");
      if (file !== undefined && !existsSync(file)) throw new CliError(`'${file}' is not a valid file`);
      state.serial += 1;
      const image: FakeImage = {
        id: `00000000-0000-4000-8000-${String(state.serial).padStart(12, "0")}`,
        name: p.positionals[0],
        status: file ? "active" : "queued",
        visibility: (VISIBILITY.find((v) => p.flags.has(v))?.slice(2) as FakeImage["visibility"]) ?? "shared",
        hidden: false,
        protected: false,
        owner: state.project,
        created_at: new Date(Date.UTC(2030, 0, 1) + state.serial * 1000).toISOString().replace(".000", ""),
        min_disk: Number(p.values.get("--min-disk") ?? 0),
        min_ram: Number(p.values.get("--min-ram") ?? 0),
        disk_format: p.values.get("--disk-format") ?? "raw",
        container_format: p.values.get("--container-format") ?? "bare",
        properties: keyValues(p, "--property"),
      };
      cloud.images.push(image);
      return format(p, showImage(image));
    }
    case "image set": {
      const p = parse(rest, {
        flags: [...VISIBILITY, "--hidden", "--unhidden"],
        values: ["--name"],
        lists: ["--property"],
        exclusive: [VISIBILITY, ["--hidden", "--unhidden"]],
        positionals: [1, 1],
      });
      const image = mine(find(p.positionals[0]));
      if (p.values.has("--name")) image.name = p.values.get("--name")!;
      if (p.flags.has("--hidden")) image.hidden = true;
      if (p.flags.has("--unhidden")) image.hidden = false;
      const visibility = VISIBILITY.find((v) => p.flags.has(v));
      if (visibility) image.visibility = visibility.slice(2) as FakeImage["visibility"];
      Object.assign(image.properties, keyValues(p, "--property"));
      return "";
    }
    case "image delete": {
      const p = parse(rest, { positionals: [1, 99] });
      for (const ref of p.positionals) {
        const image = mine(find(ref));
        if (image.protected) throw new CliError(`Failed to delete image with name or ID '${ref}': HTTP 403 Forbidden: Image ${image.id} is protected`);
        cloud.images.splice(cloud.images.indexOf(image), 1);
      }
      return "";
    }
    case "server list": {
      const p = parse(rest, { output: true, flags: ["--long"], positionals: [0, 0] });
      if (!p.flags.has("--long")) throw new CliError('the stand-in lists servers only with --long (for the "Image ID" column)');
      const rows = cloud.servers.map((s) => ({
        ID: s.id,
        Name: s.name,
        Status: "ACTIVE",
        "Task State": null,
        "Power State": "Running",
        Networks: {},
        "Image Name": cloud.images.find((i) => i.id === s.imageId)?.name ?? "",
        "Image ID": s.imageId,
        Flavor: "m1.small",
        "Availability Zone": "az1",
        Host: null,
        Properties: {},
      }));
      return format(p, rows);
    }
    default:
      throw new CliError(`openstack: '${args.slice(0, 2).join(" ")}' is not an openstack command the stand-in knows`, 2);
  }
}

// Terraform references in synthesized JSON, rewritten to what they point to, so that two
// syntheses compare equal when they mean the same thing:
//   ${openstack_x.<logical id>.attr}            → ${<stack>/<construct path>.attr}
//   ${data.terraform_remote_state.<id>.outputs.<output id>}
//        → the producing stack's output value, itself normalized (cdktf names these
//          outputs and remote states after hashes; renaming them changes nothing)
//   ${data.<type>.<logical id>.attr}            → ${data.<type>{<its arguments>}.attr}
//          (a data source is what it looks up: a changed image name shows up where the
//           image is used)
import type { StackJson } from "./synth-output";

/** A reference to a resource attribute found while normalizing. */
export interface ResourceRef {
  readonly stack: string;
  readonly address: string; // <type>.<logical id>
  readonly attribute: string; // first attribute segment: id, name, all_fixed_ips...
}

const REMOTE_OUTPUT = /(?<![\w.-])data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)/g;
const ADDRESS = /(?<![\w.\-/])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_]\w*))?/g;
const MAX_DEPTH = 8; // output → data source → output ... chains are short; stops cycles

export class ReferenceNormalizer {
  /** stack → address → full construct path (`<stack>/...`). */
  private readonly paths = new Map<string, Map<string, string>>();

  constructor(private readonly stacks: Map<string, StackJson>) {
    for (const [name, stack] of stacks) {
      const byAddress = new Map<string, string>();
      for (const [type, resources] of Object.entries(stack.resource ?? {})) {
        for (const [id, body] of Object.entries(resources)) byAddress.set(`${type}.${id}`, constructPath(body, `${name}/${type}.${id}`));
      }
      this.paths.set(name, byAddress);
    }
  }

  /**
   * References to `address` mean the resource now at `path`: a `moved` block gave it a new
   * address (and construct path), and what refers to it refers to the same object.
   */
  movedTo(stack: string, address: string, path: string): void {
    this.paths.get(stack)?.set(address, path);
  }

  /** The construct path of a resource (`<stack>/servers/jenkins/instance`). */
  pathOf(stack: string, address: string): string | undefined {
    return this.paths.get(stack)?.get(address);
  }

  /** A JSON value with every reference in its strings rewritten; found refs are collected. */
  value(value: unknown, stack: string, refs?: ResourceRef[], depth = 0): unknown {
    if (typeof value === "string") return this.text(value, stack, refs, depth);
    if (Array.isArray(value)) return value.map((v) => this.value(v, stack, refs, depth));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (k !== "//") out[k] = this.value(v, stack, refs, depth);
      return out;
    }
    return value;
  }

  text(text: string, stack: string, refs?: ResourceRef[], depth = 0): string {
    if (depth > MAX_DEPTH || !text.includes(".")) return text;
    const json = this.stacks.get(stack);
    if (!json) return text;
    const viaOutputs = text.replace(REMOTE_OUTPUT, (whole, stateId: string, outputId: string) => {
      const producer = this.producerOf(stack, stateId);
      const value = producer ? this.stacks.get(producer)?.output?.[outputId]?.value : undefined;
      if (producer === undefined || value === undefined) return whole;
      const normalized = this.value(value, producer, refs, depth + 1);
      if (typeof normalized !== "string") return JSON.stringify(normalized);
      const single = /^\$\{([^{}]*)\}$/.exec(normalized);
      return single ? single[1] : JSON.stringify(normalized);
    });
    return viaOutputs.replace(ADDRESS, (whole, data: string | undefined, type: string, id: string, attr?: string) => {
      const suffix = attr ? `.${attr}` : "";
      if (data) {
        if (type === "terraform_remote_state") return whole;
        const args = json.data?.[type]?.[id];
        if (!args) return whole;
        const { depends_on: _d, provider: _p, ...lookup } = args;
        return `data.${type}(${describeArguments(this.value(lookup, stack, refs, depth + 1))})${suffix}`;
      }
      const address = `${type}.${id}`;
      const path = this.paths.get(stack)?.get(address);
      if (!path) return whole;
      refs?.push({ stack, address, attribute: attr ?? "" });
      return `${path}${suffix}`;
    });
  }

  /**
   * The stack a `terraform_remote_state` reads: the one whose backend has the same
   * configuration (that is what cdktf writes), else the stack named in cdktf's id
   * `cross-stack-reference-input-<stack>`.
   */
  private producerOf(stack: string, stateId: string): string | undefined {
    const state = this.stacks.get(stack)?.data?.terraform_remote_state?.[stateId] as { backend?: string; config?: unknown } | undefined;
    if (state?.backend !== undefined) {
      const wanted = stableJson(state.config ?? {});
      for (const [name, candidate] of this.stacks) {
        const backend = candidate.terraform?.backend?.[state.backend];
        if (name !== stack && backend !== undefined && stableJson(backend) === wanted) return name;
      }
    }
    const named = /^cross-stack-reference-input-(.+)$/.exec(stateId)?.[1];
    return named !== undefined && this.stacks.has(named) ? named : undefined;
  }
}

/** `name=example-subnet, network_id=data.x(...).id`: a data source by what it looks up. */
function describeArguments(args: unknown): string {
  return Object.entries(args as Record<string, unknown>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => {
      if (typeof v !== "string") return `${k}=${stableJson(v)}`;
      const single = v.startsWith("${") && v.endsWith("}") && !v.includes("${", 2);
      return `${k}=${single ? v.slice(2, -1) : v}`;
    })
    .join(", ");
}

/** `//.metadata.path` of a resource, which cdktf derives from the construct tree. */
export function constructPath(body: Record<string, unknown>, fallback: string): string {
  const meta = (body["//"] as { metadata?: { path?: unknown } } | undefined)?.metadata;
  return typeof meta?.path === "string" ? meta.path : fallback;
}

/** JSON with object keys sorted: equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

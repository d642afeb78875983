// Compares two synth outputs resource by resource (keyed by Terraform address in each
// stack, a base resource that the head's `moved` blocks bring to a new address compared
// with the head's resource there), with references normalized to what they point to, and
// turns the differences into a report: per environment and stack, what is added, removed,
// moved, replaced, rebuilt, changed, and the flags a reviewer must see first.
import { byPath, compareLeaves, flatten } from "./attributes";
import { actionOf, classifyChange, displayName, ignoredArguments, INSTANCE, KEYPAIR, META_ARGUMENTS, SECGROUP_RULE } from "./classify";
import { dataAtRisk, security } from "./flags";
import { constructPath, ReferenceNormalizer, ResourceRef } from "./references";
import type { AttributeChange, DiffCounts, DiffReport, EnvironmentDiff, Flag, ResourceDiff, StackDiff } from "./report";
import type { StackJson, SynthOutput } from "./synth-output";
import { parseStackName } from "../../config/names";

/** One resource of one side, its arguments flattened and normalized. */
interface Entry {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly fullPath: string;
  readonly leaves: Map<string, unknown>;
  /** Leaf path → the resources its value references. */
  readonly refs: Map<string, ResourceRef[]>;
}

/** `${stack} ${address in the head}` → its address in the base, for the moves that apply. */
type Moves = Map<string, string>;

type Side = Map<string, Map<string, Entry>>; // stack → address → entry

/** Replaced or new objects: references to their computed attributes are unknown until apply. */
const KNOWN_AFTER_APPLY = "(known after apply)";

export function compareSynthOutputs(base: SynthOutput, head: SynthOutput): DiffReport {
  const baseRefs = new ReferenceNormalizer(base.stacks);
  const headRefs = new ReferenceNormalizer(head.stacks);
  const moves = movesBetween(base, head);
  for (const [where, from] of moves) {
    const [stack, to] = where.split(" ");
    baseRefs.movedTo(stack, from, headRefs.pathOf(stack, to)!);
  }
  const before = entries(base.stacks, baseRefs, moves);
  const after = entries(head.stacks, headRefs);
  const stackNames = [...new Set([...head.stacks.keys(), ...base.stacks.keys()])];

  // First pass: the direct differences of every resource present on both sides.
  const changes = new Map<string, AttributeChange[]>(); // `${stack} ${address}` → changes
  for (const stack of stackNames) {
    for (const [address, h] of after.get(stack) ?? []) {
      const b = before.get(stack)?.get(address);
      if (!b) continue;
      const ignored = ignoredArguments(h.leaves);
      const baseLeaves = sameProvider(base.stacks.get(stack), b, head.stacks.get(stack), h) ? withProviderOf(b.leaves, h.leaves) : b.leaves;
      const found = compareLeaves(baseLeaves, h.leaves).map((c) => classifyChange(h.type, c, ignored));
      if (found.length > 0) changes.set(key(stack, address), found);
    }
  }
  propagateReplacements(before, after, changes);

  const names = displayNames([after, before]);
  const nameOf = (reference: unknown): string => {
    const path = typeof reference === "string" ? /^\$\{(.+)\.id\}$/.exec(reference)?.[1] : undefined;
    return (path && names.get(path)) ?? String(reference);
  };

  const flags: Flag[] = [];
  const environments = new Map<string, StackDiff[]>();
  for (const stack of stackNames) {
    const env = environmentOf(stack);
    const settings = settingsChanges(stack, base.stacks.get(stack), head.stacks.get(stack), baseRefs, headRefs);
    const diff = stackDiff(stack, env, before.get(stack), after.get(stack), changes, moves, settings, nameOf, flags, after);
    environments.set(env, [...(environments.get(env) ?? []), diff]);
  }
  const envDiffs: EnvironmentDiff[] = [...environments].map(([name, stacks]) => ({ name, stacks }));
  const counts = count(envDiffs, flags);
  const changed = envDiffs.some((e) => e.stacks.some((s) => s.status !== "unchanged"));
  return { changed, counts, flags, environments: envDiffs };
}

function stackDiff(
  stack: string,
  env: string,
  before: Map<string, Entry> | undefined,
  after: Map<string, Entry> | undefined,
  changes: Map<string, AttributeChange[]>,
  moves: Moves,
  settings: AttributeChange[] | undefined,
  nameOf: (reference: unknown) => string,
  flags: Flag[],
  everything: Side,
): StackDiff {
  const addresses = [...new Set([...(after?.keys() ?? []), ...(before?.keys() ?? [])])];
  const removedRules = [...(before?.entries() ?? [])]
    .filter(([a, e]) => e.type === SECGROUP_RULE && !after?.has(a))
    .map(([, e]) => e.leaves);
  const resources: ResourceDiff[] = [];
  for (const address of addresses) {
    const b = before?.get(address);
    const h = after?.get(address);
    const entry = (h ?? b)!;
    const path = relativePath(stack, entry.fullPath);
    const name = displayName(entry.type, entry.leaves, path);
    let resource: ResourceDiff;
    if (!b || !h) {
      const action = h ? "add" : "remove";
      const leaves = [...entry.leaves].sort(([x], [y]) => byPath(x, y));
      const listed: AttributeChange[] = leaves.map(([p, v]) => ({ path: p, ...(h ? { after: v } : { before: v }), effect: "update" }));
      resource = { address, type: entry.type, path, displayName: name, action, changes: listed, notes: [] };
    } else {
      const found = changes.get(key(stack, address));
      const movedFrom = moves.get(key(stack, address));
      if (!found && !movedFrom) continue;
      const action = found ? actionOf(found) : "move";
      const notes = found ? notesOf(action, name, found, h, everything) : [];
      resource = {
        address,
        type: entry.type,
        path,
        displayName: name,
        action,
        changes: found ?? [],
        notes,
        ...(movedFrom ? { movedFrom } : {}),
      };
    }
    resources.push(resource);
    const ctx = { env, stack, resource, before: b?.leaves, after: h?.leaves, nameOf, removedRules };
    flags.push(...dataAtRisk(ctx), ...security(ctx));
  }
  resources.sort((x, y) => byPath(x.path, y.path) || x.address.localeCompare(y.address));
  const status = !before ? "added" : !after ? "removed" : resources.length + (settings?.length ?? 0) > 0 ? "changed" : "unchanged";
  const note = isTemplateStack(stack) ? TEMPLATE_NOTE : undefined;
  return { name: stack, status, resources, settings: settings ?? [], ...(note && status !== "unchanged" ? { note } : {}) };
}

function notesOf(action: ResourceDiff["action"], name: string, changes: AttributeChange[], entry: Entry, everything: Side): string[] {
  const because = (effect: AttributeChange["effect"]) =>
    changes
      .filter((c) => c.effect === effect)
      .map((c) => c.path)
      .join(", ");
  const notes: string[] = [];
  if (action === "replace") notes.push(`replaces ${name} (${because("replace")} changed)`);
  if (action === "rebuild") notes.push(`rebuilds ${name} in place from the new image: its disk is wiped (${because("rebuild")} changed)`);
  const deferred = because("deferred");
  if (deferred) {
    notes.push(
      entry.type === INSTANCE
        ? `not applied until the server is rolled: ${deferred} (roll it: terraform apply -replace='${entry.address}')`
        : `not applied (lifecycle.ignore_changes): ${deferred}`,
    );
  }
  if (action === "replace" && entry.type === KEYPAIR) {
    // Nova injects a key pair only at first boot: existing servers keep the old key.
    const uses = (e: Entry) =>
      [...e.refs.values()].some((refs) => refs.some((r) => r.stack === entry.stack && r.address === entry.address));
    const servers = [...everything.values()]
      .flatMap((resources) => [...resources.values()])
      .filter((e) => e.type === INSTANCE && uses(e))
      .map((e) => displayName(e.type, e.leaves, relativePath(e.stack, e.fullPath)));
    if (servers.length > 0) notes.push(`${servers.join(", ")} keep the old key until rolled (a key pair is injected only at first boot)`);
  }
  return notes;
}

/**
 * A replaced (or new) resource gets a new id: every argument referring to a computed
 * attribute of it changes at apply time, which can replace the referring resource in
 * turn (a replaced volume replaces its attachment). Repeated until nothing more changes.
 */
function propagateReplacements(before: Side, after: Side, changes: Map<string, AttributeChange[]>): void {
  const isRenewed = (stack: string, address: string): boolean => {
    if (!before.get(stack)?.has(address)) return after.get(stack)?.has(address) ?? false;
    const found = changes.get(key(stack, address));
    return found !== undefined && actionOf(found) === "replace";
  };
  let grew = true;
  while (grew) {
    grew = false;
    for (const [stack, resources] of after) {
      for (const [address, h] of resources) {
        if (!before.get(stack)?.has(address)) continue;
        const found = changes.get(key(stack, address)) ?? [];
        const changedPaths = new Set(found.map((c) => c.path));
        const ignored = ignoredArguments(h.leaves);
        for (const [path, refs] of h.refs) {
          // Meta-arguments name resources; they do not take a value from them.
          if (changedPaths.has(path) || META_ARGUMENTS.has(path.split(".")[0])) continue;
          const renewed = refs.find((r) => isRenewed(r.stack, r.address) && isComputed(after.get(r.stack)?.get(r.address), r.attribute));
          if (!renewed) continue;
          const target = after.get(renewed.stack)!.get(renewed.address)!;
          const change = classifyChange(h.type, { path, before: h.leaves.get(path), after: KNOWN_AFTER_APPLY }, ignored);
          found.push({ ...change, note: `${change.note ? `${change.note}; ` : ""}${target.fullPath} is replaced` });
          changes.set(key(stack, address), found);
          grew = true;
        }
      }
    }
  }
}

/** An attribute the provider computes (an id), not one the configuration sets. */
function isComputed(entry: Entry | undefined, attribute: string): boolean {
  if (!entry) return false;
  if (attribute === "" || attribute === "id") return true;
  return ![...entry.leaves.keys()].some((p) => p === attribute || p.startsWith(`${attribute}.`));
}

/**
 * Whether both sides' resource runs under the same provider configuration, however it is
 * named: a resource moving from an aliased provider (`openstack.web`) to a stack's default
 * one with the same settings is no change (Terraform plans none; it takes the provider
 * from the configuration and updates the state's provider address).
 */
function sameProvider(baseJson: StackJson | undefined, b: Entry, headJson: StackJson | undefined, h: Entry): boolean {
  if (b.leaves.get("provider") === h.leaves.get("provider")) return false; // nothing to reconcile
  const base = providerConfiguration(baseJson, b.type, b.leaves.get("provider"));
  const head = providerConfiguration(headJson, h.type, h.leaves.get("provider"));
  return base !== undefined && head !== undefined && compareLeaves(base, head).length === 0;
}

/** The settings of the provider configuration a resource uses (`provider` = "name.alias", or the default of its type's provider). */
function providerConfiguration(json: StackJson | undefined, type: string, reference: unknown): Map<string, unknown> | undefined {
  const [name, alias] = typeof reference === "string" ? reference.split(".") : [type.split("_")[0], undefined];
  const declared = (json as { provider?: Record<string, unknown> } | undefined)?.provider?.[name];
  const configurations = (Array.isArray(declared) ? declared : declared ? [declared] : []) as Array<Record<string, unknown>>;
  const found = configurations.find((c) => c.alias === alias);
  if (!found) return undefined;
  const { alias: _alias, ...settings } = found;
  return flatten(settings);
}

/** The base's leaves with the head's provider reference (the same configuration, named otherwise). */
function withProviderOf(base: Map<string, unknown>, head: Map<string, unknown>): Map<string, unknown> {
  const leaves = new Map(base);
  leaves.delete("provider");
  if (head.has("provider")) leaves.set("provider", head.get("provider"));
  return leaves;
}

/** Stack-wide settings that are not resources: providers, backend, user-facing outputs. */
function settingsChanges(
  stack: string,
  base: StackJson | undefined,
  head: StackJson | undefined,
  baseRefs: ReferenceNormalizer,
  headRefs: ReferenceNormalizer,
): AttributeChange[] | undefined {
  if (!base || !head) return undefined;
  const view = (json: StackJson, refs: ReferenceNormalizer) => {
    // cdktf's cross-stack outputs are plumbing: their effect shows where they are used.
    const outputs = Object.fromEntries(Object.entries(json.output ?? {}).filter(([id]) => !id.startsWith("cross-stack-output-")));
    const settings = { provider: (json as { provider?: unknown }).provider, backend: json.terraform?.backend, output: outputs };
    return flatten(refs.value(settings, stack));
  };
  return compareLeaves(view(base, baseRefs), view(head, headRefs)).map((c) => ({ ...c, effect: "update" as const }));
}

/**
 * The head's `moved` blocks that apply to this base: `from` is a base resource the head
 * no longer has, `to` a head resource of the same type the base does not have yet. Others
 * do nothing (Terraform ignores a `from` that is in no state: blocks kept after the move).
 */
function movesBetween(base: SynthOutput, head: SynthOutput): Moves {
  const moves: Moves = new Map();
  const has = (json: StackJson | undefined, address: string) => {
    const dot = address.indexOf(".");
    return json?.resource?.[address.slice(0, dot)]?.[address.slice(dot + 1)] !== undefined;
  };
  for (const [stack, h] of head.stacks) {
    const b = base.stacks.get(stack);
    for (const { from, to } of h.moved ?? []) {
      if (typeof from !== "string" || typeof to !== "string" || from.split(".")[0] !== to.split(".")[0]) continue;
      if (has(b, from) && !has(h, from) && has(h, to) && !has(b, to)) moves.set(key(stack, to), from);
    }
  }
  return moves;
}

/** Every resource of one side by address; a base resource a move applies to under its new address. */
function entries(stacks: Map<string, StackJson>, normalizer: ReferenceNormalizer, moves: Moves = new Map()): Side {
  const movedTo = new Map([...moves].map(([where, from]) => [`${where.split(" ")[0]} ${from}`, where.split(" ")[1]]));
  const side: Side = new Map();
  for (const [stack, json] of stacks) {
    const byAddress = new Map<string, Entry>();
    for (const [type, resources] of Object.entries(json.resource ?? {})) {
      for (const [id, body] of Object.entries(resources)) {
        const address = movedTo.get(key(stack, `${type}.${id}`)) ?? `${type}.${id}`;
        const leaves = new Map<string, unknown>();
        const refs = new Map<string, ResourceRef[]>();
        for (const [path, raw] of flatten(body)) {
          const found: ResourceRef[] = [];
          leaves.set(path, normalizer.value(raw, stack, found));
          if (found.length > 0) refs.set(path, found);
        }
        const fullPath = normalizer.pathOf(stack, `${type}.${id}`) ?? constructPath(body, `${stack}/${address}`);
        byAddress.set(address, { stack, address, type, fullPath, leaves, refs });
      }
    }
    side.set(stack, byAddress);
  }
  return side;
}

function displayNames(sides: Side[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const side of sides) {
    for (const resources of side.values()) {
      for (const e of resources.values()) {
        if (!names.has(e.fullPath)) names.set(e.fullPath, displayName(e.type, e.leaves, relativePath(e.stack, e.fullPath)));
      }
    }
  }
  return names;
}

export const TEMPLATE_NOTE =
  "build-host template: the pipeline applies it once per build, so this changes the next builds' hosts; nothing running is replaced";

/** `<env>-build-host-<template>`: applied per build by the pipeline, not deployed once. */
function isTemplateStack(stack: string): boolean {
  return parseStackName(stack)?.kind === "build-host";
}

/** The environment a stack belongs to: its name without the stack kind (`example-web` → `example`). */
function environmentOf(stack: string): string {
  return parseStackName(stack)?.environment ?? stack;
}

function relativePath(stack: string, fullPath: string): string {
  return fullPath.startsWith(`${stack}/`) ? fullPath.slice(stack.length + 1) : fullPath;
}

function key(stack: string, address: string): string {
  return `${stack} ${address}`;
}

function count(environments: EnvironmentDiff[], flags: Flag[]): DiffCounts {
  const counts: DiffCounts = {
    added: 0,
    removed: 0,
    changed: 0,
    replaced: 0,
    rebuilt: 0,
    deferred: 0,
    moved: 0,
    dataAtRisk: 0,
    security: 0,
  };
  const field = {
    add: "added",
    remove: "removed",
    update: "changed",
    replace: "replaced",
    rebuild: "rebuilt",
    deferred: "deferred",
    move: "moved",
  } as const;
  for (const e of environments) for (const s of e.stacks) for (const r of s.resources) counts[field[r.action]] += 1;
  counts.dataAtRisk = flags.filter((f) => f.kind === "data-at-risk").length;
  counts.security = flags.filter((f) => f.kind === "security").length;
  return counts;
}

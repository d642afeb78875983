// The findings a reviewer must see first: data that could be lost, and ingress that
// opens up. Each looks at one resource's fate and its arguments before and after.
import { Cidr } from "../../config/cidr";
import { describe, SECGROUP_RULE, VOLUME } from "./classify";
import type { Flag, ResourceDiff } from "./report";
import { parseStackName } from "../../config/names";

export interface FlagContext {
  readonly env: string;
  readonly stack: string;
  readonly resource: ResourceDiff;
  readonly before?: ReadonlyMap<string, unknown>;
  readonly after?: ReadonlyMap<string, unknown>;
  /** "security group example-jump" for a normalized reference `${<path>.id}`. */
  readonly nameOf: (reference: unknown) => string;
  /** The arguments of the rules the change removes from the same stack. */
  readonly removedRules?: ReadonlyArray<ReadonlyMap<string, unknown>>;
}

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Kept data: everything in `<env>-data`, and any volume protected by prevent_destroy.
 * Volumes of ephemeral build hosts are not: they die with every build anyway.
 */
export function dataAtRisk(ctx: FlagContext): Flag[] {
  const { resource: r, before, after } = ctx;
  const flag = (message: string): Flag => ({
    kind: "data-at-risk",
    stack: ctx.stack,
    address: r.address,
    displayName: r.displayName,
    message,
  });
  const flags: Flag[] = [];
  const protectedBefore = before?.get("lifecycle.prevent_destroy") === true;
  const kept = parseStackName(ctx.stack)?.kind === "data" || (r.type === VOLUME && protectedBefore);
  if (kept && (r.action === "remove" || r.action === "replace")) {
    const verb = r.action === "remove" ? "removes" : "replaces";
    const size = r.changes.find((c) => c.path === "size" && c.effect === "replace");
    const why = size ? `: size ${describe(size.before)} → ${describe(size.after)} GB, Cinder cannot shrink a volume` : "";
    flags.push(flag(`${verb} ${r.displayName}${why}`));
  }
  if (r.type === VOLUME && protectedBefore && after && after.get("lifecycle.prevent_destroy") !== true) {
    flags.push(flag(`${r.displayName} loses lifecycle.prevent_destroy`));
  }
  return flags;
}

/**
 * The removed rule a new one takes the place of: same group, direction, ethertype,
 * protocol and ports (a CIDR edited in a list named by CIDR removes one rule and adds one).
 */
function counterpart(after: ReadonlyMap<string, unknown>, removed: ReadonlyArray<ReadonlyMap<string, unknown>>) {
  const same = (k: string, b: ReadonlyMap<string, unknown>) => JSON.stringify(b.get(k)) === JSON.stringify(after.get(k));
  return removed.find((b) =>
    ["security_group_id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max"].every((k) => same(k, b)),
  );
}

export function security(ctx: FlagContext): Flag[] {
  const { resource: r, after } = ctx;
  if (r.type !== SECGROUP_RULE || !after || r.action === "remove") return [];
  const before = ctx.before ?? counterpart(after, ctx.removedRules ?? []);
  const flag = (message: string): Flag[] => [
    { kind: "security", stack: ctx.stack, address: r.address, displayName: r.displayName, message },
  ];
  const ingress = after.get("direction") === "ingress";
  const group = ctx.nameOf(after.get("security_group_id"));
  const remote = source(after, ctx.nameOf);
  const rule = ingress ? `${ports(after)} from ${remote} into ${group}` : `${ports(after)} to ${remote} from ${group}`;
  const inWeb = parseStackName(ctx.stack)?.kind === "web";
  const isNew = !before || (ingress && before.get("direction") !== "ingress");
  if (isNew) {
    if (ingress) return flag(`${isWorld(after) ? "world-open " : ""}new ingress rule: ${rule}${inWeb ? " (web stack)" : ""}`);
    return inWeb ? flag(`new ${String(after.get("direction"))} rule in the web stack: ${rule}`) : [];
  }
  if (!ingress) return [];
  const widened: string[] = [];
  if (isWorld(after) && !isWorld(before)) widened.push("now open to the world");
  const [cidrBefore, cidrAfter] = [before.get("remote_ip_prefix"), after.get("remote_ip_prefix")];
  if (cidrAfter !== undefined && cidrAfter !== cidrBefore && !cidrWithin(cidrAfter, cidrBefore)) {
    widened.push(`new CIDR ${describe(cidrAfter)} (was ${describe(cidrBefore)})`);
  }
  if (before.get("remote_group_id") !== undefined && after.get("remote_group_id") === undefined) {
    widened.push(`remote group restriction removed (was ${ctx.nameOf(before.get("remote_group_id"))})`);
  }
  if (before.get("protocol") !== undefined && after.get("protocol") !== before.get("protocol")) {
    widened.push(`protocol ${describe(after.get("protocol") ?? "any")} (was ${describe(before.get("protocol"))})`);
  }
  if (!rangeWithin(range(after), range(before))) widened.push(`new ${ports(after)} (was ${ports(before)})`);
  if (after.get("security_group_id") !== before.get("security_group_id")) {
    widened.push(`now applies to ${ctx.nameOf(after.get("security_group_id"))}`);
  }
  return widened.length > 0 ? flag(`widened ingress rule ${rule}: ${widened.join("; ")}`) : [];
}

/** A narrower source (203.0.113.0/25 inside 203.0.113.0/24) opens nothing new. */
function cidrWithin(inner: unknown, outer: unknown): boolean {
  if (typeof inner !== "string" || typeof outer !== "string") return false;
  const [a, b] = [Cidr.parse(inner), Cidr.parse(outer)];
  return typeof a !== "string" && typeof b !== "string" && b.contains(a);
}

/** No remote restriction at all is as open as 0.0.0.0/0. */
function isWorld(rule: ReadonlyMap<string, unknown>): boolean {
  const prefix = rule.get("remote_ip_prefix");
  if (typeof prefix === "string") return WORLD.has(prefix);
  return rule.get("remote_group_id") === undefined && rule.get("remote_address_group_id") === undefined;
}

function source(rule: ReadonlyMap<string, unknown>, nameOf: (r: unknown) => string): string {
  const prefix = rule.get("remote_ip_prefix");
  if (typeof prefix === "string") return prefix;
  const group = rule.get("remote_group_id");
  return group !== undefined ? nameOf(group) : "anywhere";
}

type Range = [number, number];

function range(rule: ReadonlyMap<string, unknown>): Range {
  const min = rule.get("port_range_min");
  const max = rule.get("port_range_max");
  return [typeof min === "number" ? min : 0, typeof max === "number" ? max : 65535];
}

function rangeWithin([min, max]: Range, [outerMin, outerMax]: Range): boolean {
  return min >= outerMin && max <= outerMax;
}

function ports(rule: ReadonlyMap<string, unknown>): string {
  const protocol = rule.get("protocol");
  const [min, max] = range(rule);
  const what = typeof protocol === "string" ? protocol : "any protocol";
  if (min === 0 && max === 65535) return `${what} (all ports)`;
  return min === max ? `${what} port ${min}` : `${what} ports ${min}-${max}`;
}

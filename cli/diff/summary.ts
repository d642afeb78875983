// The one-paragraph summary every format starts with, and the words for actions.
import { describe } from "./classify";
import type { AttributeChange, DiffReport, ResourceAction } from "./report";

const NO_CHANGES = "no changes";

export const ACTION_WORDS: Record<ResourceAction, string> = {
  add: "added",
  remove: "removed",
  replace: "replaced",
  rebuild: "rebuilt in place",
  update: "changed in place",
  deferred: "changed, not applied until rolled",
  move: "moved",
};

/** Terraform's plan symbols, which reviewers already read. */
export const ACTION_SYMBOLS: Record<ResourceAction, string> = {
  add: "+",
  remove: "-",
  replace: "-/+",
  rebuild: "~!",
  update: "~",
  deferred: "~?",
  move: "->",
};

export function summaryParagraph(report: DiffReport): string {
  if (!report.changed) return `${capitalize(NO_CHANGES)}: the synthesized stacks are equivalent.`;
  const c = report.counts;
  const envs = report.environments.filter((e) => e.stacks.some((s) => s.status !== "unchanged"));
  const stacks = envs.flatMap((e) => e.stacks.filter((s) => s.status !== "unchanged"));
  const kinds: [number, string][] = [
    [c.added, "added"],
    [c.removed, "removed"],
    [c.changed, "changed in place"],
    [c.replaced, "replaced"],
    [c.rebuilt, "rebuilt in place"],
    [c.deferred, "changed but not applied until rolled"],
    [c.moved, "moved to new addresses"],
  ];
  const listed = kinds.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const resources = listed.length > 0 ? listed.join(", ") : "none (only stack settings changed)";
  const flags = `${c.dataAtRisk} data-at-risk ${plural(c.dataAtRisk, "finding")}, ${c.security} security ${plural(c.security, "finding")}`;
  return (
    `Changes in ${envs.length} ${plural(envs.length, "environment")} (${envs.map((e) => e.name).join(", ")}), ` +
    `${stacks.length} ${plural(stacks.length, "stack")} (${stacks.map((s) => (s.status === "changed" ? s.name : `${s.name} ${s.status}`)).join(", ")}). ` +
    `Resources: ${resources}. ${capitalize(flags)}.`
  );
}

/** `before → after` for one argument, values shown as Terraform would. */
export function beforeAfter(change: AttributeChange): string {
  if (change.before === undefined) return `(not set) → ${describe(change.after)}`;
  if (change.after === undefined) return `${describe(change.before)} → (not set)`;
  return `${describe(change.before)} → ${describe(change.after)}`;
}

export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

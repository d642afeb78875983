// Plain text for a terminal or a log.
import { isMultiline } from "./text-diff";
import { describe } from "./classify";
import type { AttributeChange, DiffReport, ResourceDiff } from "./report";
import { ACTION_SYMBOLS, ACTION_WORDS, beforeAfter, summaryParagraph } from "./summary";

export function renderText(report: DiffReport): string {
  const out: string[] = [summaryParagraph(report)];
  if (!report.changed) return `${out.join("\n")}\n`;
  for (const [kind, title] of [
    ["data-at-risk", "DATA AT RISK"],
    ["security", "SECURITY"],
  ] as const) {
    const flags = report.flags.filter((f) => f.kind === kind);
    if (flags.length === 0) continue;
    out.push("", `${title}:`, ...flags.map((f) => `  ! ${f.stack}: ${f.message}`));
  }
  for (const env of report.environments) {
    for (const stack of env.stacks.filter((s) => s.status !== "unchanged")) {
      out.push("", `== ${stack.name} (${stack.status})`);
      if (stack.note) out.push(`   (${stack.note})`);
      for (const r of stack.resources) out.push(...resourceLines(r));
      if (stack.settings.length > 0) {
        out.push("  stack settings:");
        for (const c of stack.settings) out.push(...changeLines(c, "    "));
      }
    }
  }
  return `${out.join("\n")}\n`;
}

function resourceLines(r: ResourceDiff): string[] {
  const moved = r.movedFrom ? (r.action === "move" ? ` from ${r.movedFrom} (nothing else changes)` : ` (moved from ${r.movedFrom})`) : "";
  const lines = [`  ${ACTION_SYMBOLS[r.action]} ${r.displayName} [${r.path}] ${ACTION_WORDS[r.action]}${moved}`];
  for (const note of r.notes) lines.push(`      note: ${note}`);
  if (r.action === "remove") return lines;
  for (const c of r.changes) lines.push(...changeLines(c, "      ", r.action === "add"));
  return lines;
}

function changeLines(c: AttributeChange, indent: string, created = false): string[] {
  const note = c.note && !created ? `  (${c.note})` : "";
  if (c.textDiff !== undefined) {
    return [`${indent}${c.path}:${note.trimEnd().replace(/^ +/, " ")}`, ...c.textDiff.split("\n").map((l) => `${indent}  ${l}`)];
  }
  if (created && isMultiline(c.after)) {
    return [`${indent}${c.path}:`, ...c.after.split("\n").map((l) => `${indent}  ${l}`)];
  }
  return [`${indent}${c.path}: ${created ? describe(c.after) : beforeAfter(c)}${note}`];
}

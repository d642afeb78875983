// Markdown for a pull/merge request comment: the summary and the flags up front, the
// details folded per environment in <details>.
import { describe } from "./classify";
import type { AttributeChange, DiffReport, Flag, ResourceDiff } from "./report";
import { ACTION_SYMBOLS, ACTION_WORDS, plural, summaryParagraph } from "./summary";
import { isMultiline } from "./text-diff";

const MARKDOWN_TITLE = "### factory diff";

/** GitHub refuses comments longer than this (GitLab allows 1,000,000). */
const COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Longest output in characters; details that do not fit are left out, with a note. 0: no limit. @default COMMENT_LIMIT */
  readonly maxLength?: number;
}

export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? COMMENT_LIMIT;
  const out: string[] = [MARKDOWN_TITLE, "", summaryParagraph(report)];
  if (!report.changed) return `${out.join("\n")}\n`;
  section(
    out,
    "⚠️ Data at risk",
    report.flags.filter((f) => f.kind === "data-at-risk"),
  );
  section(
    out,
    "🔓 Security",
    report.flags.filter((f) => f.kind === "security"),
  );
  // Template stacks replace nothing that runs (see their note in the details).
  const heavy = report.environments.flatMap((e) =>
    e.stacks
      .filter((s) => s.note === undefined)
      .flatMap((s) => s.resources.filter((r) => r.action === "replace" || r.action === "rebuild").map((r) => ({ s, r }))),
  );
  if (heavy.length > 0) {
    out.push("", "#### Replaced or rebuilt", "");
    for (const { s, r } of heavy)
      out.push(`- \`${s.name}\`: ${escapeMarkdown(r.notes[0] ?? `${ACTION_WORDS[r.action]} ${r.displayName}`)}`);
  }
  // The summary, flags and the replaced list above always go in; the folded details are
  // added stack by stack while they fit, so a long report still posts as a comment.
  let length = out.join("\n").length;
  const budget = maxLength > 0 ? maxLength - TRUNCATION_NOTE.length - 64 : Infinity;
  const fits = (lines: string[]) => length + lines.join("\n").length + 1 <= budget;
  const add = (lines: string[]) => {
    out.push(...lines);
    length += lines.join("\n").length + 1;
  };
  let truncated = false;
  for (const env of report.environments) {
    const changed = env.stacks.filter((s) => s.status !== "unchanged");
    if (changed.length === 0 || truncated) continue;
    const open = [
      "",
      `<details><summary>Environment <b>${escapeHtml(env.name)}</b>: ${changed.length} ${plural(changed.length, "stack")} changed</summary>`,
      "",
    ];
    if (!fits([...open, "</details>"])) {
      truncated = true;
      break;
    }
    add(open);
    for (const stack of changed) {
      const lines = stackLines(stack);
      if (!fits([...lines, "</details>"])) {
        truncated = true;
        break;
      }
      add(lines);
    }
    add(["</details>"]);
  }
  if (truncated) out.push("", TRUNCATION_NOTE);
  return `${out.join("\n")}\n`;
}

const TRUNCATION_NOTE =
  "_The details are longer than a comment allows and were cut here; run `npx factory diff --format text` for the whole report._";

function stackLines(stack: DiffReport["environments"][number]["stacks"][number]): string[] {
  const lines = [`#### \`${stack.name}\` (${stack.status})`, ""];
  if (stack.note) lines.push(`_${escapeMarkdown(stack.note)}_`, "");
  for (const r of stack.resources) lines.push(...resourceLines(r));
  if (stack.settings.length > 0) {
    lines.push("- stack settings:");
    for (const c of stack.settings) lines.push(...changeLines(c, "  "));
  }
  lines.push("");
  return lines;
}

function section(out: string[], title: string, flags: Flag[]): void {
  if (flags.length === 0) return;
  out.push("", `#### ${title}`, "", ...flags.map((f) => `- \`${f.stack}\`: ${escapeMarkdown(f.message)}`));
}

function resourceLines(r: ResourceDiff): string[] {
  const where = r.displayName.endsWith(` ${r.path}`) ? "" : ` \`${r.path}\``;
  const moved =
    r.movedFrom && r.action !== "move"
      ? ` (moved from \`${r.movedFrom}\`)`
      : r.movedFrom
        ? ` from \`${r.movedFrom}\` (nothing else changes)`
        : "";
  const lines = [`- \`${ACTION_SYMBOLS[r.action]}\` **${escapeMarkdown(r.displayName)}**${where} — ${ACTION_WORDS[r.action]}${moved}`];
  for (const note of r.notes) lines.push(`  - _${escapeMarkdown(note)}_`);
  if (r.action === "remove") return lines;
  for (const c of r.changes) lines.push(...changeLines(c, "  ", r.action === "add"));
  return lines;
}

function changeLines(c: AttributeChange, indent: string, created = false): string[] {
  const note = c.note && !created ? ` — ${escapeMarkdown(c.note)}` : "";
  if (c.textDiff !== undefined) return [`${indent}- \`${c.path}\`${note}:`, ...fence("diff", c.textDiff, `${indent}  `)];
  if (created && isMultiline(c.after)) return [`${indent}- \`${c.path}\`:`, ...fence("yaml", c.after, `${indent}  `)];
  const value = created ? inline(describe(c.after)) : beforeAfterInline(c);
  return [`${indent}- \`${c.path}\`: ${value}${note}`];
}

function beforeAfterInline(c: AttributeChange): string {
  const side = (v: unknown) => (v === undefined ? "(not set)" : inline(describe(v)));
  return `${side(c.before)} → ${side(c.after)}`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fence(lang: string, text: string, indent: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = "`".repeat(longest + 1);
  return [
    `${indent}${ticks}${lang}`,
    ...text
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => `${indent}${l}`),
    `${indent}${ticks}`,
  ];
}

/** Inline code that survives backticks in the value. */
function inline(text: string): string {
  const ticks = "`".repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length)) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]<>|])/g, "\\$1");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// Multi-line text (rendered cloud-config) compared line by line as a unified diff.
import { structuredPatch } from "diff";

export function isMultiline(value: unknown): value is string {
  return typeof value === "string" && value.includes("\n");
}

/** A unified diff (hunks only, 3 lines of context) of two texts; "" when equal. */
export function unifiedDiff(before: string, after: string): string {
  const patch = structuredPatch("before", "after", before, after, "", "", { context: 3 });
  return patch.hunks.map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join("\n")).join("\n");
}

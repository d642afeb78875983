// The report as JSON (the DiffReport structure), for scripts.
import type { DiffReport } from "./report";

export function renderJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// Reads the guest's machine-readable console lines (printed by guest/check.sh) and judges
// a case: all checks passed, or for a deliberately broken case, failed for the right reason.
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface GuestReport {
  readonly checks: CheckResult[];
  readonly diagnostics: string[];
  /** The guest printed its end line: every check ran. */
  readonly complete: boolean;
}

// Console lines may carry a kernel or systemd prefix: match anywhere in the line.
const CHECK = /BOOT-CHECK (\S+) (ok|FAIL) ([^:]+): ?(.*)$/;
const DIAG = /BOOT-DIAG (\S+) ?(.*)$/;
const END = /BOOT-CHECK-END (\S+) (\d+) (\d+)/;

export function readGuestReport(caseName: string, consoleText: string): GuestReport {
  const checks: CheckResult[] = [];
  const diagnostics: string[] = [];
  let complete = false;
  for (const line of consoleText.split(/\r?\n/)) {
    const end = END.exec(line);
    if (end && end[1] === caseName) {
      complete = true;
      continue;
    }
    const check = CHECK.exec(line);
    if (check && check[1] === caseName) {
      checks.push({ name: check[3].trim(), ok: check[2] === "ok", detail: check[4].trim() });
      continue;
    }
    const diag = DIAG.exec(line);
    if (diag && diag[1] === caseName) diagnostics.push(diag[2]);
  }
  return { checks, diagnostics, complete };
}

export interface Verdict {
  readonly passed: boolean;
  readonly reason: string;
}

export function judge(report: GuestReport, mustFail: readonly string[]): Verdict {
  if (!report.complete) return { passed: false, reason: "the guest never reported the end of its checks (timeout or crash)" };
  if (report.checks.length === 0) return { passed: false, reason: "the guest ran no checks" };
  const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
  if (mustFail.length === 0) {
    return failed.length === 0
      ? { passed: true, reason: `${report.checks.length} checks passed` }
      : { passed: false, reason: `failed: ${failed.join("; ")}` };
  }
  const missed = mustFail.filter((name) => !failed.includes(name));
  if (missed.length > 0) {
    return {
      passed: false,
      reason: `broken on purpose, yet these checks did not fail: ${missed.join("; ")} (failed: ${failed.join("; ") || "none"})`,
    };
  }
  return { passed: true, reason: `failed as it must: ${failed.join("; ")}` };
}

// The boot test's judging (no VM here): a case passes only when the guest finished its
// checks and every one passed, or, broken on purpose, failed the checks it must fail.
import { caseEnv } from "./seed";
import { judge, readGuestReport } from "./verdict";

const consoleOf = (...lines: string[]) => ["[   12.3] random kernel line", ...lines].join("\r\n");

describe("boot test verdict", () => {
  const complete = consoleOf(
    "BOOT-CHECK-START nfs nfs",
    "BOOT-CHECK nfs ok cloud-init status done: status: done",
    "[  OK  ] Started something.BOOT-CHECK nfs FAIL data disk mounted at /srv/factory: nothing mounted at /srv/factory",
    "BOOT-DIAG nfs status: error",
    "BOOT-CHECK other ok unrelated: from another case",
    "BOOT-CHECK-END nfs 1 1",
  );

  it("reads checks, diagnostics and the end line of its own case only", () => {
    const report = readGuestReport("nfs", complete);
    expect(report.complete).toBe(true);
    expect(report.checks).toEqual([
      { name: "cloud-init status done", ok: true, detail: "status: done" },
      { name: "data disk mounted at /srv/factory", ok: false, detail: "nothing mounted at /srv/factory" },
    ]);
    expect(report.diagnostics).toEqual(["status: error"]);
  });

  it("fails a case with a failed check, passes it only when all passed", () => {
    expect(judge(readGuestReport("nfs", complete), [])).toEqual({ passed: false, reason: "failed: data disk mounted at /srv/factory" });
    const good = consoleOf("BOOT-CHECK web ok nginx active: active", "BOOT-CHECK-END web 1 0");
    expect(judge(readGuestReport("web", good), []).passed).toBe(true);
  });

  it("fails a case whose guest never finished (timeout, crash) even if nothing failed yet", () => {
    const cut = consoleOf("BOOT-CHECK web ok nginx active: active");
    expect(judge(readGuestReport("web", cut), [])).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/never reported the end/),
    });
    expect(judge(readGuestReport("web", consoleOf("BOOT-CHECK-END web 0 0")), []).passed).toBe(false);
  });

  it("passes a broken case only when it failed for the right reason", () => {
    const report = readGuestReport("nfs", complete);
    expect(judge(report, ["data disk mounted at /srv/factory"]).passed).toBe(true);
    expect(judge(report, ["nfs-server active"])).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/did not fail: nfs-server active/),
    });
    expect(judge(readGuestReport("nfs", consoleOf("BOOT-CHECK nfs FAIL x: y")), ["x"]).passed).toBe(false);
  });

  it("refuses case.env values the guest's bash would have to unquote", () => {
    expect(caseEnv({ CASE: "nfs", EXPORTS: "/srv/a /srv/b" })).toBe("CASE='nfs'\nEXPORTS='/srv/a /srv/b'\n");
    expect(() => caseEnv({ CASE: "x'; reboot; '" })).toThrow(/unsafe CASE/);
    expect(() => caseEnv({ lower: "x" })).toThrow(/unsafe lower/);
  });
});

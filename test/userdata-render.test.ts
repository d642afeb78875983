// `factory render <role>`: a role's user-data for people to read, with the CLI's exit codes.
// Few real CLI runs (each costs a node start); the rest calls the command in-process.
import * as path from "node:path";
import { parse } from "yaml";
import { CliError, UsageError } from "../cli/errors";
import { renderCommand } from "../cli/render";
import { exampleData, REPO, runFactory, writeEnvironment } from "./helpers";

const MAXIMAL = path.join(REPO, "test", "fixtures", "maximal.yaml");

/** Runs `factory render` in-process; returns what it printed. */
function render(positionals: string[], values: Record<string, unknown>): string {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    renderCommand.run(values, positionals);
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

describe("factory render", () => {
  test("prints a role's cloud-config for the only environment", () => {
    const r = runFactory(["render", "jump", "--index", "1"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("#cloud-config\n")).toBe(true);
    expect(parse(r.stdout).users[0].name).toBe("factory");
  });

  test("exits 2 on an unknown role, 1 on an unknown template, naming the choices", () => {
    const unknown = runFactory(["render", "database"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown role "database" \(roles: jump, nfs, jenkins, web, build-host\)/);
    const template = runFactory(["render", "build-host", "--config", MAXIMAL, "--template", "centos"]);
    expect(template.status).toBe(1);
    expect(template.stderr).toBe(
      `factory: ${MAXIMAL}: no build-host template named "centos" (templates: kiwi, kiwi-sles, dib, dib-large)\n`,
    );
  });

  test("renders a build host of the named template with placeholders for Terraform's values", () => {
    const doc = parse(render(["build-host"], { config: [MAXIMAL], template: "kiwi-sles" }));
    expect(doc.packages).toContain("python3-kiwi");
    expect(doc.users.find((u: any) => u.name === "agent").ssh_authorized_keys[0]).toMatch(/^ssh-ed25519 /);
    expect(doc.fs_setup[0].device).toMatch(/^\/dev\/disk\/by-id\/virtio-[0-9a-f-]{20}$/);
  });

  test("needs one environment, a template when there are several, and an existing index", () => {
    const other = writeEnvironment({ ...exampleData(), name: "other" });
    expect(() => render(["nfs"], { config: [MAXIMAL, other] })).toThrow(UsageError);
    expect(() => render(["nfs"], { config: [MAXIMAL, other] })).toThrow(/2 environments .*pick one with --config/);
    expect(() => render(["build-host"], { config: [MAXIMAL] })).toThrow(/--template NAME \(templates: kiwi, kiwi-sles, dib, dib-large\)/);
    expect(() => render(["web"], { config: [MAXIMAL], index: "3" })).toThrow(CliError);
    expect(() => render(["web"], { config: [MAXIMAL], index: "3" })).toThrow(/--index 3: there are 3 web servers \(0\.\.2\)/);
    expect(() => render(["jump"], { config: [MAXIMAL], index: "one" })).toThrow(UsageError);
    expect(render(["jump"], { config: [MAXIMAL], index: "2" })).toContain("unicast_src_ip 10.40.0.12");
  });
});

// `factory diff` on the real stacks: pairs of environments that differ in one known way,
// and exactly what the review diff says about each (actions, flags, counts, exit code).
import * as path from "node:path";
import { compareSynthOutputs, TEMPLATE_NOTE } from "../cli/diff/compare";
import { renderMarkdown } from "../cli/diff/render-markdown";
import type { DiffReport } from "../cli/diff/report";
import { readSynthOutput, SynthOutput } from "../cli/diff/synth-output";
import { synthesize } from "../main";
import { environment, runFactoryInProcess, tempDir } from "./helpers";

const SECOND_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3xW1/Th06s5i/F+ABd8ZRE30YwT0eQ6mOpnJ8mjc2Y second@example";

/** The example with three web servers and a Jenkins home volume, so each can be taken away. */
function baseline(data: any): void {
  data.web.count = 3;
  data.servers.jenkins.homeVolumeGb = 50;
}

function synthDir(change: (data: any) => void = () => {}): string {
  const out = path.join(tempDir("diff-env-"), "out");
  synthesize([{ env: environment((d) => (baseline(d), change(d))) } as any], out);
  return out;
}

const baseDir = synthDir();
const base: SynthOutput = readSynthOutput(baseDir);

function diff(change: (data: any) => void): DiffReport {
  return compareSynthOutputs(base, readSynthOutput(synthDir(change)));
}

function actions(report: DiffReport): string[] {
  return report.environments.flatMap((e) => e.stacks.flatMap((s) => s.resources.map((r) => `${s.name} ${r.action} ${r.displayName}`)));
}

function flags(report: DiffReport): string[] {
  return report.flags.map((f) => `${f.kind} ${f.stack}: ${f.message}`);
}

function resource(report: DiffReport, stack: string, displayName: string) {
  const found = report.environments
    .flatMap((e) => e.stacks.filter((s) => s.name === stack).flatMap((s) => s.resources))
    .find((r) => r.displayName === displayName);
  if (!found) throw new Error(`no change to ${displayName} in ${stack}`);
  return found;
}

const NONE = { added: 0, removed: 0, changed: 0, replaced: 0, rebuilt: 0, deferred: 0, moved: 0, dataAtRisk: 0, security: 0 };

/**
 * Template stacks have no ignore_changes: a new cloud-config replaces the template's
 * server (and so its volume attachment; the scratch volume is made first and stays).
 */
const TEMPLATES_REPLACED = ["dib", "kiwi"].flatMap((t) => [
  `example-build-host-${t} replace volume attachment build-host/scratch-attachment`,
  `example-build-host-${t} replace server build-host/server/instance`,
]);

test("a flavor change: the Jenkins server is resized in place (replaced only if its old flavor is gone)", () => {
  const report = diff((d) => (d.servers.jenkins.flavor = "m1.xlarge"));
  expect(actions(report)).toEqual(["example-factory update server example-jenkins"]);
  expect(resource(report, "example-factory", "server example-jenkins").changes).toEqual([
    {
      path: "flavor_name",
      before: "m1.large",
      after: "m1.xlarge",
      effect: "resize",
      note: "resized in place (the server reboots); replaced instead if m1.large no longer exists in the cloud",
    },
  ]);
  expect(report.counts).toEqual({ ...NONE, changed: 1 });
});

test("a key pair change: the key pair is replaced, the servers keep the old key until rolled", () => {
  const report = diff((d) => (d.admin.sshPublicKeys[0] = SECOND_KEY));
  const deferred = ["jenkins", "jump-0", "jump-1", "nfs"].map((s) => `server example-${s}`);
  expect(actions(report)).toEqual([
    ...TEMPLATES_REPLACED,
    "example-factory deferred server example-jenkins",
    "example-factory deferred server example-jump-0",
    "example-factory deferred server example-jump-1",
    "example-factory replace key pair example-admin",
    "example-factory deferred server example-nfs",
    "example-web deferred server example-web-0",
    "example-web deferred server example-web-1",
    "example-web deferred server example-web-2",
  ]);
  expect(resource(report, "example-factory", "key pair example-admin").notes).toEqual([
    "replaces key pair example-admin (public_key changed)",
    `${deferred.join(", ")} keep the old key until rolled (a key pair is injected only at first boot)`,
  ]);
  expect(report.flags).toEqual([]); // scratch volumes of build hosts are not kept data
  expect(report.counts).toEqual({ ...NONE, replaced: 5, deferred: 7 });
  // Template stacks replace nothing that runs: only the key pair is listed up front.
  const upFront = renderMarkdown(report).split("#### Replaced or rebuilt\n\n")[1].split("\n\n")[0];
  expect(upFront).toBe("- `example-factory`: replaces key pair example-admin (public\\_key changed)");
  const template = report.environments[0].stacks.find((s) => s.name === "example-build-host-dib")!;
  expect(template.note).toBe(TEMPLATE_NOTE);
});

test("a user-data change (a second admin key): not applied until the servers are rolled, shown as a text diff", () => {
  const report = diff((d) => d.admin.sshPublicKeys.push(SECOND_KEY));
  expect(actions(report)).toEqual([
    ...TEMPLATES_REPLACED,
    "example-factory deferred server example-jenkins",
    "example-factory deferred server example-jump-0",
    "example-factory deferred server example-jump-1",
    "example-factory deferred server example-nfs",
    "example-web deferred server example-web-0",
    "example-web deferred server example-web-1",
    "example-web deferred server example-web-2",
  ]);
  const jenkins = resource(report, "example-factory", "server example-jenkins");
  expect(jenkins.notes).toEqual([
    "not applied until the server is rolled: user_data (roll it: terraform apply -replace='openstack_compute_instance_v2.jenkins_server_instance_BB16EF0F')",
  ]);
  expect(jenkins.changes).toHaveLength(1);
  expect(jenkins.changes[0]).toMatchObject({ path: "user_data", effect: "deferred", note: "not applied until the server is rolled" });
  const diffLines = jenkins.changes[0].textDiff!.split("\n");
  expect(diffLines[0]).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
  expect(diffLines.filter((l) => /^[-+]/.test(l))).toEqual([`+      - ${SECOND_KEY}`]);
  expect(report.counts).toEqual({ ...NONE, replaced: 4, deferred: 7 });
});

test("a new image for the NFS server: not applied until the server is rolled (a rebuild would wipe its root disk)", () => {
  const report = diff((d) => (d.servers.nfs.image = "debian-13"));
  expect(actions(report)).toEqual(["example-factory deferred server example-nfs"]);
  expect(resource(report, "example-factory", "server example-nfs").changes).toEqual([
    { path: "image_name", before: "debian-12", after: "debian-13", effect: "deferred", note: "not applied until the server is rolled" },
  ]);
  expect(report.counts).toEqual({ ...NONE, deferred: 1 });
});

test("a new build-host template: a new stack", () => {
  const report = diff((d) => d.buildHosts.templates.push({ name: "dib2", image: "debian-13", flavor: "m1.xlarge", tooling: "dib" }));
  const changedStacks = report.environments.flatMap((e) =>
    e.stacks.filter((s) => s.status !== "unchanged").map((s) => `${s.name} ${s.status}`),
  );
  expect(changedStacks).toEqual(["example-build-host-dib2 added"]);
  expect(actions(report)).toEqual([
    "example-build-host-dib2 add port build-host/port/port",
    "example-build-host-dib2 add server build-host/server/instance",
  ]);
  expect(report.counts).toEqual({ ...NONE, added: 2 });
});

test("a removed web server (web.count 3 → 2): its server, port, floating IP and readiness check go", () => {
  const report = diff((d) => (d.web.count = 2));
  expect(actions(report)).toEqual([
    "example-web remove terraform_data web-2-ready/wait",
    "example-web remove floating IP web/floating-ip-2",
    "example-web remove floating IP association web/floating-ip-association-2",
    "example-web remove port example-web-2",
    "example-web remove server example-web-2",
  ]);
  const web = report.environments[0].stacks.find((s) => s.name === "example-web")!;
  expect(web.settings.map((o) => o.path)).toEqual(["output.web_addresses.value", "output.web_urls.value"]);
  expect(report.flags).toEqual([]);
  expect(report.counts).toEqual({ ...NONE, removed: 5 });
});

test("a widened admin CIDR: a security flag; a narrower one is none (the rule is named by its CIDR: one out, one in)", () => {
  const widened = diff((d) => (d.admin.cidrs = ["203.0.112.0/23"]));
  expect(actions(widened)).toEqual([
    "example-network add security group rule security-groups/jump/from-admin-203-0-112-0-23-tcp-22",
    "example-network remove security group rule security-groups/jump/from-admin-203-0-113-0-24-tcp-22",
  ]);
  expect(flags(widened)).toEqual([
    "security example-network: widened ingress rule tcp port 22 from 203.0.112.0/23 into security group example-jump: new CIDR 203.0.112.0/23 (was 203.0.113.0/24)",
  ]);
  expect(widened.counts).toEqual({ ...NONE, added: 1, removed: 1, security: 1 });
  const narrowed = diff((d) => (d.admin.cidrs = ["203.0.113.0/25"]));
  expect(actions(narrowed)).toEqual([
    "example-network remove security group rule security-groups/jump/from-admin-203-0-113-0-24-tcp-22",
    "example-network add security group rule security-groups/jump/from-admin-203-0-113-0-25-tcp-22",
  ]);
  expect(narrowed.flags).toEqual([]);
});

test("another admin CIDR adds one rule and touches none of the others", () => {
  const more = diff((d) => d.admin.cidrs.unshift("198.51.100.0/24"));
  expect(actions(more)).toEqual(["example-network add security group rule security-groups/jump/from-admin-198-51-100-0-24-tcp-22"]);
  expect(flags(more)).toEqual([
    "security example-network: new ingress rule: tcp port 22 from 198.51.100.0/24 into security group example-jump",
  ]);
});

test("a smaller data volume: replaced (Cinder cannot shrink), data at risk, its attachment replaced too", () => {
  const report = diff((d) => (d.servers.nfs.dataVolumeGb = 400));
  // The NFS user-data names the disk by the volume's serial: new volume, new user-data.
  expect(actions(report)).toEqual([
    "example-data replace volume example-nfs-data",
    // quiesced (unmounted) before the old attachment goes
    "example-factory replace terraform_data nfs-quiesce/quiesce",
    "example-factory replace volume attachment nfs/data-volume",
    "example-factory deferred server example-nfs",
  ]);
  expect(flags(report)).toEqual([
    "data-at-risk example-data: replaces volume example-nfs-data: size 500 → 400 GB, Cinder cannot shrink a volume",
  ]);
  expect(report.counts).toEqual({ ...NONE, replaced: 3, deferred: 1, dataAtRisk: 1 });
});

test("a removed volume (servers.jenkins.homeVolumeGb): data at risk; exit code 2 from the CLI", async () => {
  const headDir = synthDir((d) => (d.servers.jenkins.homeVolumeGb = 0));
  const report = compareSynthOutputs(base, readSynthOutput(headDir));
  expect(actions(report)).toEqual([
    "example-data remove volume example-jenkins-home",
    "example-factory remove terraform_data jenkins-quiesce/quiesce",
    "example-factory remove volume attachment jenkins/home-volume",
    "example-factory deferred server example-jenkins",
  ]);
  expect(flags(report)).toEqual(["data-at-risk example-data: removes volume example-jenkins-home"]);
  expect(report.counts).toEqual({ ...NONE, removed: 3, deferred: 1, dataAtRisk: 1 });

  const cli = await runFactoryInProcess(["diff", "--base-dir", baseDir, "--head-dir", headDir]);
  expect(cli.status).toBe(2);
  expect(cli.stdout).toContain("#### ⚠️ Data at risk\n\n- `example-data`: removes volume example-jenkins-home\n");
  expect(await runFactoryInProcess(["diff", "--base-dir", baseDir, "--head-dir", baseDir])).toMatchObject({ status: 0 });
});

test("a report longer than a PR comment allows keeps its summary and flags and cuts the details whole", () => {
  const report = diff((d) => {
    d.admin.sshPublicKeys.push(SECOND_KEY);
    d.admin.cidrs.push("0.0.0.0/0");
  });
  const whole = renderMarkdown(report, { maxLength: 0 });
  expect(renderMarkdown(report)).toBe(whole); // well under GitHub's limit: nothing cut
  expect(whole).not.toContain("were cut here");

  const maxLength = Math.floor(whole.length / 2);
  const cut = renderMarkdown(report, { maxLength });
  expect(cut.length).toBeLessThanOrEqual(maxLength);
  const upTo = (text: string, marker: string) => text.slice(0, text.indexOf(marker));
  expect(upTo(cut, "<details>")).toBe(upTo(whole, "<details>")); // summary, flags, replaced list
  expect(cut).toContain("#### 🔓 Security");
  expect(cut.match(/<details>/g)?.length).toBe(cut.match(/<\/details>/g)?.length);
  expect(cut.match(/^ *`{3,}/gm)!.length % 2).toBe(0); // no code fence left open
  expect(cut.trimEnd().endsWith("run `npx factory diff --format text` for the whole report._")).toBe(true);
  // Every stack section in the cut report is whole: it appears in the full one as is.
  for (const section of cut.split("\n#### `").slice(1)) {
    const body = section.split("\n</details>")[0].split("\n\n_The details")[0];
    expect(whole).toContain(body);
  }
});

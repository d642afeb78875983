// The diff engine on hand-made synth outputs (test/diff-fixtures.ts), one knob at a time:
// exactly which resources change how, and which flags a reviewer sees first.
import { compareSynthOutputs } from "../cli/diff/compare";
import { renderJson } from "../cli/diff/render-json";
import { renderMarkdown } from "../cli/diff/render-markdown";
import { renderText } from "../cli/diff/render-text";
import type { DiffReport } from "../cli/diff/report";
import { readSynthOutput } from "../cli/diff/synth-output";
import { fixtureDir, FixtureOptions } from "./diff-fixtures";

const baseDir = fixtureDir();

function diff(head: FixtureOptions, base?: FixtureOptions): DiffReport {
  return compareSynthOutputs(readSynthOutput(base ? fixtureDir(base) : baseDir), readSynthOutput(fixtureDir(head)));
}

/** `<stack> <action> <display name>` of every resource that changes. */
function actions(report: DiffReport): string[] {
  return report.environments.flatMap((e) => e.stacks.flatMap((s) => s.resources.map((r) => `${s.name} ${r.action} ${r.displayName}`)));
}

function flags(report: DiffReport): string[] {
  return report.flags.map((f) => `${f.kind} ${f.stack}: ${f.message}`);
}

function resource(report: DiffReport, displayName: string) {
  const found = report.environments.flatMap((e) => e.stacks.flatMap((s) => s.resources)).find((r) => r.displayName === displayName);
  if (!found) throw new Error(`no change to ${displayName}`);
  return found;
}

test("renamed cross-stack outputs and remote states are no change: references compare by target", () => {
  const report = diff({ plumbingSalt: "renamed" });
  expect(report.changed).toBe(false);
  expect(renderText(report)).toBe("No changes: the synthesized stacks are equivalent.\n");
  expect(renderMarkdown(report)).toContain("No changes");
});

test("a flavor change resizes the server in place, replaced only if the old flavor is gone", () => {
  const report = diff({ jenkinsFlavor: "m1.xlarge" });
  expect(actions(report)).toEqual(["example-factory update server example-jenkins"]);
  expect(resource(report, "server example-jenkins").changes).toEqual([
    {
      path: "flavor_name",
      before: "m1.large",
      after: "m1.xlarge",
      effect: "resize",
      note: "resized in place (the server reboots); replaced instead if m1.large no longer exists in the cloud",
    },
  ]);
  expect(report.flags).toEqual([]);
  expect(report.counts).toMatchObject({ changed: 1, replaced: 0, rebuilt: 0 });
});

// The factory's servers ignore their image after creation (constructs/server.ts); a server
// that does not is rebuilt by the provider when its image changes.
test("a new image rebuilds a server that does not ignore it, in place: flagged as wiping its disk", () => {
  const report = diff({ jenkinsImage: "debian-13" });
  expect(actions(report)).toEqual(["example-factory rebuild server example-jenkins"]);
  expect(resource(report, "server example-jenkins").notes).toEqual([
    "rebuilds server example-jenkins in place from the new image: its disk is wiped (image_name changed)",
  ]);
  expect(report.counts).toMatchObject({ rebuilt: 1, changed: 0 });
  expect(renderMarkdown(report)).toMatch(/#### Replaced or rebuilt\n\n- `example-factory`: rebuilds server example-jenkins in place/);
});

test("a new admin key replaces the key pair; servers ignore their new user-data until rolled", () => {
  const report = diff({ adminKey: "ssh-ed25519 AAAAkey2 admin@example" });
  expect(actions(report)).toEqual([
    "example-factory replace key pair example-admin",
    "example-factory deferred server example-jenkins",
    "example-factory deferred server example-nfs",
  ]);
  expect(resource(report, "key pair example-admin").notes).toEqual([
    "replaces key pair example-admin (public_key changed)",
    "server example-jenkins, server example-nfs keep the old key until rolled (a key pair is injected only at first boot)",
  ]);
  const jenkins = resource(report, "server example-jenkins");
  expect(jenkins.notes).toEqual([
    "not applied until the server is rolled: user_data (roll it: terraform apply -replace='openstack_compute_instance_v2.jenkins_8')",
  ]);
  expect(jenkins.changes.map((c) => [c.path, c.effect, c.note])).toEqual([
    ["user_data", "deferred", "not applied until the server is rolled"],
  ]);
  // A unified diff of the cloud-config, not two long strings.
  expect(jenkins.changes[0].textDiff).toBe(
    [
      "@@ -3,6 +3,6 @@",
      "   - default",
      "   - name: factory",
      "     ssh_authorized_keys:",
      "-      - ssh-ed25519 AAAAkey1 admin@example",
      "+      - ssh-ed25519 AAAAkey2 admin@example",
      " ssh_pwauth: false",
      " disable_root: true",
    ].join("\n"),
  );
  expect(report.counts).toMatchObject({ replaced: 1, deferred: 2, dataAtRisk: 0, security: 0 });
  expect(renderMarkdown(report)).toContain("```diff\n    @@ -3,6 +3,6 @@");
});

test("a smaller data volume is replaced (Cinder cannot shrink), and so is its attachment", () => {
  const report = diff({ nfsDataGb: 400 });
  expect(actions(report)).toEqual([
    "example-data replace volume example-nfs-data",
    "example-factory replace volume attachment nfs/data-attachment",
  ]);
  expect(flags(report)).toEqual([
    "data-at-risk example-data: replaces volume example-nfs-data: size 500 → 400 GB, Cinder cannot shrink a volume",
  ]);
  // The attachment refers to the volume through a cross-stack output: its id is new.
  expect(resource(report, "volume attachment nfs/data-attachment").changes).toEqual([
    {
      path: "volume_id",
      before: "${example-data/nfs-data.id}",
      after: "(known after apply)",
      effect: "replace",
      note: "forces replacement; example-data/nfs-data is replaced",
    },
  ]);
});

test("a bigger data volume is extended in place: no flag", () => {
  const report = diff({ nfsDataGb: 600 });
  expect(actions(report)).toEqual(["example-data update volume example-nfs-data"]);
  expect(report.flags).toEqual([]);
});

test("a removed volume, and a volume losing prevent_destroy, are data at risk", () => {
  expect(flags(diff({}, { homeVolumeGb: 50 }))).toEqual(["data-at-risk example-data: removes volume example-jenkins-home"]);
  const unprotected = diff({ homeVolumeGb: 50, homePreventDestroy: false }, { homeVolumeGb: 50 });
  expect(actions(unprotected)).toEqual(["example-data update volume example-jenkins-home"]);
  expect(flags(unprotected)).toEqual(["data-at-risk example-data: volume example-jenkins-home loses lifecycle.prevent_destroy"]);
});

test("ingress widened to the world, or losing its remote group, is a security flag", () => {
  expect(flags(diff({ adminCidr: "0.0.0.0/0" }))).toEqual([
    "security example-network: widened ingress rule tcp port 22 from 0.0.0.0/0 into security group example-jump: now open to the world; new CIDR 0.0.0.0/0 (was 203.0.113.0/24)",
  ]);
  expect(flags(diff({ adminCidr: "198.51.100.0/24" }))).toEqual([
    "security example-network: widened ingress rule tcp port 22 from 198.51.100.0/24 into security group example-jump: new CIDR 198.51.100.0/24 (was 203.0.113.0/24)",
  ]);
  expect(flags(diff({ jenkinsFromJumpGroup: false }))).toEqual([
    "security example-network: widened ingress rule tcp port 8080 from anywhere into security group example-jenkins: now open to the world; remote group restriction removed (was security group example-jump)",
  ]);
});

test("a new security group rule in the web stack is flagged, egress too", () => {
  const report = diff({ webRules: 2 });
  expect(actions(report)).toEqual(["example-web add security group rule web/rule-1"]);
  expect(flags(report)).toEqual([
    "security example-web: new egress rule in the web stack: tcp port 444 to 10.0.0.0/8 from security group example-web",
  ]);
});

test("a new build-host template is a new stack; renderers agree", () => {
  const report = diff({ buildHosts: ["kiwi"] });
  const stacks = report.environments.flatMap((e) => e.stacks.map((s) => `${s.name} ${s.status}`));
  expect(stacks).toEqual([
    "example-network unchanged",
    "example-data unchanged",
    "example-factory unchanged",
    "example-web unchanged",
    "example-build-host-kiwi added",
  ]);
  expect(actions(report)).toEqual(["example-build-host-kiwi add server example-build-kiwi"]);
  expect(report.counts).toEqual({
    added: 1,
    removed: 0,
    changed: 0,
    replaced: 0,
    rebuilt: 0,
    deferred: 0,
    moved: 0,
    dataAtRisk: 0,
    security: 0,
  });
  const markdown = renderMarkdown(report);
  expect(markdown.split("\n").slice(0, 3)).toEqual([
    "### factory diff",
    "",
    "Changes in 1 environment (example), 1 stack (example-build-host-kiwi added). Resources: 1 added. 0 data-at-risk findings, 0 security findings.",
  ]);
  expect(markdown).toContain("<details><summary>Environment <b>example</b>: 1 stack changed</summary>");
  expect(markdown).toContain("- `+` **server example-build-kiwi** `build-host` — added");
  expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
});

const MOVED_FROM = "openstack_networking_secgroup_rule_v2.rule_admin_3";

test("a resource a moved block brings to a new address, unchanged: moved, nothing destroyed or created", () => {
  const report = diff({ moveAdminRule: true });
  expect(actions(report)).toEqual(["example-network move security group rule security-groups/jump/from-admin-tcp-22"]);
  expect(resource(report, "security group rule security-groups/jump/from-admin-tcp-22")).toMatchObject({
    address: "openstack_networking_secgroup_rule_v2.rule_admin_tcp_22_13",
    movedFrom: MOVED_FROM,
    changes: [],
  });
  expect(report.counts).toEqual({
    added: 0,
    removed: 0,
    changed: 0,
    replaced: 0,
    rebuilt: 0,
    deferred: 0,
    moved: 1,
    dataAtRisk: 0,
    security: 0,
  });
  expect(flags(report)).toEqual([]); // not a new ingress rule: the same rule, renamed
  const markdown = renderMarkdown(report);
  expect(markdown).toContain("Resources: 1 moved to new addresses. 0 data-at-risk findings, 0 security findings.");
  expect(markdown).toContain(
    `- \`->\` **security group rule security-groups/jump/from-admin-tcp-22** — moved from \`${MOVED_FROM}\` (nothing else changes)`,
  );
  expect(markdown).not.toContain("Replaced or rebuilt");
  expect(renderText(report)).toContain(
    `  -> security group rule security-groups/jump/from-admin-tcp-22 [security-groups/jump/from-admin-tcp-22] moved from ${MOVED_FROM} (nothing else changes)\n`,
  );
  expect(JSON.parse(renderJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
});

test("a moved resource that also changes is compared with its old self: replaced per the force-new table, flagged as usual", () => {
  const report = diff({ moveAdminRule: true, adminCidr: "198.51.100.0/24" });
  expect(actions(report)).toEqual(["example-network replace security group rule security-groups/jump/from-admin-tcp-22"]);
  const rule = resource(report, "security group rule security-groups/jump/from-admin-tcp-22");
  expect(rule).toMatchObject({
    movedFrom: MOVED_FROM,
    changes: [{ path: "remote_ip_prefix", before: "203.0.113.0/24", after: "198.51.100.0/24", effect: "replace" }],
  });
  expect(report.counts).toMatchObject({ added: 0, removed: 0, replaced: 1, moved: 0 });
  expect(flags(report)).toEqual([
    "security example-network: widened ingress rule tcp port 22 from 198.51.100.0/24 into security group example-jump: new CIDR 198.51.100.0/24 (was 203.0.113.0/24)",
  ]);
  expect(renderMarkdown(report)).toContain(
    `**security group rule security-groups/jump/from-admin-tcp-22** — replaced (moved from \`${MOVED_FROM}\`)`,
  );
  expect(renderText(report)).toContain(`replaced (moved from ${MOVED_FROM})`);
});

test("references follow a move; moved blocks already applied in the base, or from nowhere, do nothing", () => {
  // The group every rule and the factory's server refer to moves: only the group shows.
  expect(actions(diff({ moveJumpGroup: true }))).toEqual(["example-network move security group example-jump"]);
  expect(diff({ moveAdminRule: true, moveJumpGroup: true }, { moveAdminRule: true, moveJumpGroup: true }).changed).toBe(false);
  // Without the moved block, the same rename is a destroy and a create.
  const base = readSynthOutput(baseDir);
  const head = readSynthOutput(fixtureDir({ moveAdminRule: true }));
  delete (head.stacks.get("example-network") as { moved?: unknown }).moved;
  expect(actions(compareSynthOutputs(base, head)).sort()).toEqual([
    "example-network add security group rule security-groups/jump/from-admin-tcp-22",
    "example-network remove security group rule security-groups/jump/from-admin-ssh",
  ]);
});

test("a resource whose provider is the same configuration under another name (an alias become the default) is unchanged; another configuration is a change", () => {
  const report = diff({ webProvider: "default" });
  expect(actions(report)).toEqual([]);
  // The stack's provider block itself did change, and says so.
  const web = report.environments[0].stacks.find((s) => s.name === "example-web")!;
  expect(web.settings.map((c) => c.path)).toEqual(expect.arrayContaining(["provider.openstack.0.cloud", "provider.openstack.1.alias"]));
  expect(report.counts).toMatchObject({ added: 0, removed: 0, changed: 0, replaced: 0 });
  // Another tenant's cloud under the same default name: the resources change provider.
  const elsewhere = diff({ webProvider: "default", webCloud: "other-tenant" });
  expect(resource(elsewhere, "security group example-web").changes).toEqual([
    expect.objectContaining({ path: "provider", before: "openstack.web" }),
  ]);
});

// What an image is registered with, from its catalogue entry: the controller's own
// catalogue.py (entry, then META.json) and registration.jq (META.json to the arguments of
// `openstack image create`), run for real, without a cloud. Glance storing them, and the
// rotation, run against the real Glance in test:pipeline (test/pipeline/publish.pipeline.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { modelFileOf, REPO, tempDir } from "./helpers";

const CATALOGUE = path.join(REPO, "jobs", "stages", "catalogue.py");
const PUBLISH = path.join(REPO, "jobs", "publish");
const dir = tempDir("publish-registration-");
const COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** An environment file: the example, changed by `change`. */
function envFile(name: string, change: (data: any) => void = () => {}): string {
  const data = parse(readFileSync(path.join(REPO, "environments", "example.yaml"), "utf8"));
  change(data);
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(data));
  return file;
}

/** META.json of a build of catalogue image `image`, as stage 8 writes it. */
function meta(env: string, image: string, started = "2026-11-21T08:30:00Z", baseUrl = "https://images.example.com"): string {
  const entry = path.join(dir, `${image}.entry.json`);
  writeFileSync(
    entry,
    execFileSync("/usr/bin/python3", [CATALOGUE, "entry", "--model", modelFileOf(env, "example"), "--image", image], { encoding: "utf8" }),
  );
  const file = path.join(dir, `${image}.meta.json`);
  writeFileSync(
    file,
    execFileSync(
      "/usr/bin/python3",
      [CATALOGUE, "meta", "--entry", entry, "--build-id", "77", "--git-commit", COMMIT, "--date", started, "--base-url", baseUrl],
      { encoding: "utf8" },
    ),
  );
  return file;
}

/** registration.jq on META: the `image create` arguments, or its refusal. */
function registration(metaFile: string, name: string, buildTime = "2026-11-21 08:30:00") {
  const r = spawnSync(
    "jq",
    [
      "-r",
      "--arg",
      "meta",
      metaFile,
      "--arg",
      "name",
      name,
      "--arg",
      "build",
      "77",
      "--arg",
      "build_date",
      buildTime.slice(0, 10),
      "--arg",
      "build_time",
      buildTime,
      "--arg",
      "file",
      "/nfs/x.qcow2",
      "-f",
      path.join(PUBLISH, "registration.jq"),
      metaFile,
    ],
    { encoding: "utf8" },
  );
  const argv = r.stdout.split("\n").filter(Boolean);
  const properties: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (argv[i - 1] === "--property") properties[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
  });
  return { status: r.status, stderr: r.stderr, argv, properties };
}

const example = envFile("example");

test("the example's openSUSE image: SCS image metadata and the factory's provenance, from its catalogue entry", () => {
  const r = registration(meta(example, "Standard_openSUSE_15.6"), "Standard_openSUSE_15.6");
  expect(r.status).toBe(0);
  const base = "https://images.example.com/Standard_openSUSE_15.6/77";
  expect(r.properties).toEqual({
    architecture: "x86_64",
    os_distro: "opensuse",
    os_version: "15.6",
    hw_disk_bus: "virtio",
    hw_vif_model: "virtio",
    hw_qemu_guest_agent: "yes",
    os_require_quiesce: "yes",
    hypervisor_type: "qemu",
    hw_rng_model: "virtio",
    os_purpose: "generic",
    image_original_user: "linux",
    image_build_date: "2026-11-21 08:30:00",
    image_source: `${base}/Standard_openSUSE_15.6.qcow2`,
    image_description: `${base}/`,
    replace_frequency: "monthly",
    provided_until: "notice",
    uuid_validity: "2028-11-21",
    factory_image_name: "Standard_openSUSE_15.6",
    factory_build_id: "77",
    factory_build_date: "2026-11-21",
    factory_git_commit: COMMIT,
    factory_definition: "jobs/images/kiwi/opensuse-leap-15.6",
    factory_tooling: "kiwi",
    factory_visibility: "private",
    factory_signature_url: `${base}/Standard_openSUSE_15.6.qcow2.asc`,
    factory_hashlist_url: `${base}/Standard_openSUSE_15.6.hashdeep`,
  });
  // Registered private whatever the catalogue says (published later), with SCS's min_ram and os tag.
  expect(r.argv.slice(0, 8)).toEqual([
    "create",
    "--disk-format",
    "qcow2",
    "--container-format",
    "bare",
    "--file",
    "/nfs/x.qcow2",
    "--private",
  ]);
  expect(r.argv.join(" ")).toContain("--min-disk 4 --min-ram 1024 ");
  expect(r.argv.slice(-7)).toEqual(["--tag", "os:opensuse", "-f", "value", "-c", "id", "Standard_openSUSE_15.6_candidate_77"]);
});

test("every optional key of an entry reaches its property; none and any leave theirs out", () => {
  const env = envFile("everything", (d) => {
    d.images[1] = {
      ...d.images[1],
      minDiskGb: 20,
      minRamMb: 2048,
      visibility: "public",
      diskBus: "scsi",
      guestAgent: false,
      loginUser: "debian",
      description: "Debian 12 with the factory's hardening",
      purpose: "minimal",
      replaceFrequency: "weekly",
      providedUntil: "2028-06-30",
      hotfixHours: 48,
      maintainedUntil: "2028-06-10",
      hypervisorType: "any",
      rngModel: "none",
    };
  });
  const r = registration(meta(env, "Standard_Debian_12", "2026-11-21T01:30:00+02:00", ""), "Standard_Debian_12", "2026-11-20 23:30:00");
  expect(r.status).toBe(0);
  expect(r.argv.join(" ")).toContain("--min-disk 20 --min-ram 2048 ");
  expect(r.properties).toMatchObject({
    hw_disk_bus: "scsi",
    hw_scsi_model: "virtio-scsi",
    image_original_user: "debian",
    image_description: "Debian 12 with the factory's hardening",
    image_source: "private",
    os_purpose: "minimal",
    replace_frequency: "weekly",
    provided_until: "2028-06-30",
    hotfix_hours: "48",
    maintained_until: "2028-06-10",
    image_build_date: "2026-11-20 23:30:00",
    factory_visibility: "public",
  });
  for (const absent of ["hypervisor_type", "hw_rng_model", "hw_qemu_guest_agent", "os_require_quiesce", "factory_signature_url"])
    expect(Object.keys(r.properties)).not.toContain(absent);
});

test("a wrong META.json is refused, naming the file and each field", () => {
  const file = meta(example, "Standard_Debian_12");
  const wrong = {
    ...JSON.parse(readFileSync(file, "utf8")),
    name: "Standard_Debian_13",
    minDiskGb: 0,
    os: { distro: "debian" },
    purpose: "fun",
    uuidValidity: "soon",
  };
  writeFileSync(file, JSON.stringify(wrong));
  const r = registration(file, "Standard_Debian_12");
  expect(r.status).toBe(1);
  expect(r.argv).toEqual([]);
  expect(r.stderr.trim().split("\n")).toEqual([
    `${file}: name: "Standard_Debian_13" is not the image being registered (--name Standard_Debian_12)`,
    `${file}: minDiskGb: must be a whole number >= 1`,
    `${file}: os.version: is required`,
    `${file}: os.architecture: must be x86_64 or aarch64`,
    `${file}: purpose: must be generic, minimal, k8snode, gpu, network or custom`,
    `${file}: uuidValidity: must be YYYY-MM-DD`,
  ]);
});

test("the publish scripts pass shellcheck", () => {
  const scripts = ["lib.sh", "register.sh", "upload-regions.sh", "publish.sh", "rollback.sh", "push-web.sh"].map((s) =>
    path.join(PUBLISH, s),
  );
  expect(() => execFileSync("shellcheck", ["-x", ...scripts], { cwd: REPO, encoding: "utf8" })).not.toThrow();
});

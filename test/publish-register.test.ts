// register.sh and upload-regions.sh against the recording stand-in for `openstack`:
// the exact `openstack image create` arguments (the Glance properties Nova boots by,
// and the provenance the rotation finds images by), and idempotent reruns.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Environment, ImageEntry } from "../config/schema";
import { environment, tempDir } from "./helpers";
import { cloudWith, factoryImage, FakeCloud, ScriptRun } from "./publish-harness";

/**
 * META.json as the pipeline's prepare stage writes it from a catalogue entry (the
 * contract of jobs/publish/*.sh; jobs/stages/catalogue.py writes the same fields).
 */
function metaFor(env: Environment, entry: ImageEntry, build: { id: string; date: string; baseUrl?: string }) {
  const base = build.baseUrl ? `${build.baseUrl}/${entry.name}/${build.id}` : "";
  return {
    name: entry.name,
    definition: entry.definition,
    tooling: entry.tooling,
    minDiskGb: entry.minDiskGb,
    ...(entry.minRamMb !== undefined ? { minRamMb: entry.minRamMb } : {}),
    visibility: entry.visibility,
    os: entry.os,
    regions: entry.regions ?? env.uploadRegions,
    guestAgent: entry.guestAgent,
    diskBus: entry.diskBus,
    vifModel: entry.vifModel,
    buildId: build.id,
    gitCommit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    date: build.date,
    signatureUrl: base ? `${base}/${entry.name}.qcow2.asc` : "",
    hashListUrl: base ? `${base}/${entry.name}.hashdeep` : "",
  };
}

const dir = tempDir("publish-register-");
const qcow2 = path.join(dir, "image.qcow2");
writeFileSync(qcow2, "QFI\xfb");
function metaFile(name: string, meta: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(meta, null, 2));
  return file;
}
const register = (meta: string, name: string, build: string, region = "RegionOne") =>
  ["--image", qcow2, "--name", name, "--build-id", build, "--region", region, "--meta", meta];

const example = environment();
const [opensuse, debian] = example.images;
const BUILD = "20261121083000-standard-12";
const exampleMeta = (entry: ImageEntry) =>
  metaFile(`${entry.name}.json`, metaFor(example, entry, { id: BUILD, date: "2026-11-21", baseUrl: "https://images.example.com" }));

// An entry with everything optional set: guest agent, minimum RAM, public, and a
// build time with an offset (it is 2026-11-20 in UTC).
const sles = environment((d) => {
  d.buildHosts.templates.push({ name: "sles", image: "sles-15", flavor: "m1.xlarge", tooling: "kiwi" });
  d.images.push({
    name: "Enterprise_SLES_15",
    definition: "jobs/images/kiwi/sles-15",
    tooling: "kiwi",
    template: "sles",
    minDiskGb: 20,
    minRamMb: 2048,
    visibility: "public",
    os: { distro: "sles", version: 15.6 },
    guestAgent: true,
    diskBus: "scsi",
    regions: ["RegionTwo", "RegionThree"],
  });
}).images[2];
const slesMeta = metaFile("sles.json", { ...metaFor(example, sles, { id: "77", date: "2026-11-21T01:30:00+02:00" }), signatureUrl: "https://images.example.com/sles/77.asc" });

const clouds = {
  example: new FakeCloud(cloudWith({ RegionOne: [] })),
  sles: new FakeCloud(cloudWith({ RegionOne: [] })),
  upload: new FakeCloud(
    cloudWith({
      RegionTwo: [{ ...factoryImage({ catalogue: "Enterprise_SLES_15", build: "77", date: "2026-11-20", name: "Enterprise_SLES_15_candidate_77" }), status: "killed" }],
      RegionThree: [],
    }),
  ),
  badMeta: new FakeCloud(cloudWith({ RegionOne: [] })),
};
const runs: Record<string, ScriptRun> = {};

beforeAll(async () => {
  const upload = ["--image", qcow2, "--name", sles.name, "--build-id", "77", "--regions", "RegionTwo RegionThree", "--meta", slesMeta];
  const bad = metaFile("bad.json", { ...metaFor(example, debian, { id: "5", date: "2026-11-21" }), name: "Standard_Debian_13", os: { distro: "debian" }, minDiskGb: 0 });
  const badDate = metaFile("bad-date.json", metaFor(example, debian, { id: "5", date: "21.11.2026" }));
  await Promise.all([
    (async () => {
      runs.opensuse = await clouds.example.run("register.sh", register(exampleMeta(opensuse), opensuse.name, BUILD));
      runs.debian = await clouds.example.run("register.sh", register(exampleMeta(debian), debian.name, BUILD));
      runs.again = await clouds.example.run("register.sh", register(exampleMeta(debian), debian.name, BUILD));
    })(),
    (async () => {
      runs.sles = await clouds.sles.run("register.sh", register(slesMeta, sles.name, "77"));
    })(),
    (async () => {
      runs.upload = await clouds.upload.run("upload-regions.sh", upload);
      runs.uploadAgain = await clouds.upload.run("upload-regions.sh", upload);
    })(),
    (async () => {
      runs.bad = await clouds.badMeta.run("register.sh", register(bad, debian.name, "5"));
      runs.badDate = await clouds.badMeta.run("register.sh", register(badDate, debian.name, "5"));
    })(),
  ]);
});

const LOOKUP = (region: string, name: string, build: string) =>
  `--os-region-name ${region} image list --property factory_image_name=${name} --property factory_build_id=${build} -f json`;
const CREATE = `image create --disk-format qcow2 --container-format bare --file ${qcow2} --private`;

test("the example environment's images are registered with the properties their catalogue entries imply", () => {
  const [suseId, debianId] = clouds.example.state().regions.RegionOne.images.map((i) => i.id);
  const url = `https://images.example.com`;
  expect(runs.opensuse.status).toBe(0);
  expect(runs.opensuse.stdout).toBe(`${suseId}\n`);
  expect(runs.opensuse.calls).toEqual([
    LOOKUP("RegionOne", opensuse.name, BUILD),
    `--os-region-name RegionOne ${CREATE} --min-disk 4 ` +
      [
        "architecture=x86_64",
        "os_distro=opensuse",
        "os_version=15.6",
        "hw_disk_bus=virtio",
        "hw_vif_model=virtio",
        "hw_qemu_guest_agent=yes",
        "os_require_quiesce=yes",
        `factory_image_name=${opensuse.name}`,
        `factory_build_id=${BUILD}`,
        "factory_build_date=2026-11-21",
        "factory_git_commit=4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "factory_definition=jobs/images/kiwi/opensuse-leap-15.6",
        "factory_tooling=kiwi",
        "factory_visibility=private",
        `factory_signature_url=${url}/${opensuse.name}/${BUILD}/${opensuse.name}.qcow2.asc`,
        `factory_hashlist_url=${url}/${opensuse.name}/${BUILD}/${opensuse.name}.hashdeep`,
      ]
        .map((p) => `--property ${p}`)
        .join(" ") +
      ` -f value -c id ${opensuse.name}_candidate_${BUILD}`,
    `--os-region-name RegionOne image show ${suseId} -f value -c status`,
  ]);
  // Debian: no guest agent, so neither hw_qemu_guest_agent nor os_require_quiesce.
  expect(runs.debian.stdout).toBe(`${debianId}\n`);
  const create = runs.debian.calls[1];
  expect(create).toContain(`--min-disk 4 --property architecture=x86_64 --property os_distro=debian --property os_version=12 --property hw_disk_bus=virtio --property hw_vif_model=virtio --property factory_image_name=${debian.name} `);
  expect(create).not.toMatch(/guest_agent|quiesce|min-ram|scsi/);
  expect(create).toMatch(/factory_tooling=dib --property factory_visibility=private .* -f value -c id Standard_Debian_12_candidate_/);
  const image = clouds.example.state().regions.RegionOne.images[1];
  expect({ name: image.name, visibility: image.visibility, min_disk: image.min_disk, min_ram: image.min_ram }).toEqual({
    name: `${debian.name}_candidate_${BUILD}`,
    visibility: "private",
    min_disk: 4,
    min_ram: 0,
  });
});

test("an entry with guest agent, minimum RAM and public visibility: registered private, visibility kept for publish", () => {
  const id = clouds.sles.state().regions.RegionOne.images[0].id;
  expect(runs.sles.status).toBe(0);
  expect(runs.sles.calls[1]).toBe(
    `--os-region-name RegionOne ${CREATE} --min-disk 20 --min-ram 2048 ` +
      [
        "architecture=x86_64",
        "os_distro=sles",
        "os_version=15.6",
        "hw_disk_bus=scsi",
        "hw_scsi_model=virtio-scsi",
        "hw_vif_model=virtio",
        "hw_qemu_guest_agent=yes",
        "os_require_quiesce=yes",
        "factory_image_name=Enterprise_SLES_15",
        "factory_build_id=77",
        "factory_build_date=2026-11-20",
        "factory_git_commit=4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "factory_definition=jobs/images/kiwi/sles-15",
        "factory_tooling=kiwi",
        "factory_visibility=public",
        "factory_signature_url=https://images.example.com/sles/77.asc",
      ]
        .map((p) => `--property ${p}`)
        .join(" ") +
      " -f value -c id Enterprise_SLES_15_candidate_77",
  );
  expect(runs.sles.stdout).toBe(`${id}\n`);
});

test("registering a build again reuses its active image", () => {
  const debianId = clouds.example.state().regions.RegionOne.images[1].id;
  expect(runs.again.status).toBe(0);
  expect(runs.again.stdout).toBe(`${debianId}\n`);
  expect(runs.again.calls).toEqual([LOOKUP("RegionOne", debian.name, BUILD)]);
  expect(clouds.example.state().regions.RegionOne.images).toHaveLength(2);
});

test("upload to other regions: a dead earlier upload is replaced, a rerun reuses what is there", () => {
  const state = clouds.upload.state().regions;
  const [two] = state.RegionTwo.images;
  const [three] = state.RegionThree.images;
  expect(runs.upload.status).toBe(0);
  expect(runs.upload.stdout).toBe(`RegionTwo ${two.id}\nRegionThree ${three.id}\n`);
  expect(runs.upload.calls.map((c) => c.split(" ").slice(0, 4).join(" "))).toEqual([
    "--os-region-name RegionTwo image list",
    "--os-region-name RegionTwo image delete",
    "--os-region-name RegionTwo image create",
    "--os-region-name RegionTwo image show",
    "--os-region-name RegionThree image list",
    "--os-region-name RegionThree image create",
    "--os-region-name RegionThree image show",
  ]);
  expect(runs.upload.calls[1]).toMatch(/image delete 11111111-/);
  expect(runs.upload.calls[2]).toBe(runs.upload.calls[5].replace("RegionThree", "RegionTwo"));
  expect([two.status, three.status, two.name]).toEqual(["active", "active", "Enterprise_SLES_15_candidate_77"]);
  expect(runs.uploadAgain.stdout).toBe(runs.upload.stdout);
  expect(runs.uploadAgain.calls).toEqual([LOOKUP("RegionTwo", "Enterprise_SLES_15", "77"), LOOKUP("RegionThree", "Enterprise_SLES_15", "77")]);
});

test("a wrong META.json is refused before any call, naming the file and each field", () => {
  expect(runs.bad.status).toBe(1);
  expect(runs.bad.calls).toEqual([]);
  const meta = path.join(dir, "bad.json");
  expect(runs.bad.stderr).toBe(
    [
      `${meta}: name: "Standard_Debian_13" is not the image being registered (--name Standard_Debian_12)`,
      `${meta}: minDiskGb: must be a whole number >= 1`,
      `${meta}: os.version: is required`,
      `${meta}: os.architecture: must be x86_64 or aarch64`,
      "",
    ].join("\n"),
  );
  expect(runs.badDate.status).toBe(1);
  expect(runs.badDate.calls).toEqual([]);
  expect(runs.badDate.stderr).toBe(`register.sh: ${path.join(dir, "bad-date.json")}: date: "21.11.2026" is not YYYY-MM-DD or an RFC 3339 time\n`);
});

// The Sovereign Cloud Stack's image metadata standard, scs-0102 v1 (Standards/
// scs-0102-v1-image-metadata.md in SovereignCloudStack/standards), as checks of one image
// as Glance stores it: each mandatory property present with a value the standard allows,
// and the recommended ones the factory sets. Written from the standard's text; the values
// allowed where the text defers to OpenStack's list follow its conformance tests' lists.
import type { GlanceImage } from "./support";

const ARCHITECTURES = ["x86_64", "aarch64", "risc-v"];
const DISK_BUSES = ["virtio", "scsi"];
const HYPERVISORS = ["qemu", "kvm", "xen", "hyper-v", "esxi"];
const PURPOSES = ["generic", "minimal", "k8snode", "gpu", "network", "custom"];
const FREQUENCIES = ["yearly", "quarterly", "monthly", "weekly", "daily", "critical_bug", "never"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BUILD_DATE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/;

/** What is wrong with an image by scs-0102 (empty: conformant). */
export function scsProblems(image: GlanceImage): string[] {
  const p = image.properties;
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  // Technical requirements: mandatory.
  need(ARCHITECTURES.includes(p.architecture), `architecture ${p.architecture}`);
  need(image.min_disk > 0 && image.min_disk * 1024 ** 3 >= image.size, `min_disk ${image.min_disk} GiB for ${image.size} bytes`);
  need(image.min_ram > 0, `min_ram ${image.min_ram}`);
  need(!!p.os_version && !!p.os_distro && p.os_distro === p.os_distro.toLowerCase(), `os_distro/os_version ${p.os_distro}/${p.os_version}`);
  need(DISK_BUSES.includes(p.hw_disk_bus), `hw_disk_bus ${p.hw_disk_bus}`);
  if (p.hw_disk_bus === "scsi") need(p.hw_scsi_model === "virtio-scsi", `hw_scsi_model ${p.hw_scsi_model} with hw_disk_bus scsi`);
  // Recommended, and set by the factory.
  need(HYPERVISORS.includes(p.hypervisor_type), `hypervisor_type ${p.hypervisor_type}`);
  need(p.hw_rng_model === undefined || p.hw_rng_model === "virtio", `hw_rng_model ${p.hw_rng_model}`);
  need(PURPOSES.includes(p.os_purpose), `os_purpose ${p.os_purpose}`);
  // Image handling: mandatory.
  need(FREQUENCIES.includes(p.replace_frequency), `replace_frequency ${p.replace_frequency}`);
  need(DAY.test(p.provided_until ?? "") || ["none", "notice"].includes(p.provided_until), `provided_until ${p.provided_until}`);
  need(
    DAY.test(p.uuid_validity ?? "") || /^last-\d+$/.test(p.uuid_validity ?? "") || ["none", "notice", "forever"].includes(p.uuid_validity),
    `uuid_validity ${p.uuid_validity}`,
  );
  need(p.hotfix_hours === undefined || /^\d+$/.test(p.hotfix_hours), `hotfix_hours ${p.hotfix_hours}`);
  // Origin and build info: mandatory.
  need(p.image_source === "private" || /^(https?|ftps?):\/\//.test(p.image_source ?? ""), `image_source ${p.image_source}`);
  need(!!p.image_description, "image_description");
  need(BUILD_DATE.test(p.image_build_date ?? ""), `image_build_date ${p.image_build_date}`);
  // "All publicly released patches before this date must be included": not after registration.
  if (BUILD_DATE.test(p.image_build_date ?? "")) {
    const built = Date.parse(`${p.image_build_date.replace(" ", "T")}${p.image_build_date.length === 10 ? "T00:00:00" : ""}Z`);
    need(built <= Date.parse(image.created_at), `image_build_date ${p.image_build_date} after its registration ${image.created_at}`);
  }
  need(!!p.image_original_user, "image_original_user");
  need(["sha256", "sha512"].includes(image.os_hash_algo) && !!image.os_hash_value, `os_hash_algo ${image.os_hash_algo}`);
  return problems;
}

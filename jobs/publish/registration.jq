# META.json (written by the pipeline's prepare stage from the image catalogue entry)
# -> the arguments of `openstack image create`, one per line. Invalid META stops with
# every problem named as `<file>: <field>: <message>`.
#
# Arguments: $meta (the file's path, for messages), $name and $build (what the
# pipeline says it registers: META must agree), $build_date (META.date as a UTC
# YYYY-MM-DD), $build_time (META.date as SCS writes times: "YYYY-MM-DD hh:mm:ss" UTC, or
# the date alone), $file (the qcow2).

def problem($field; $message): "\($meta): \($field): \($message)";

def oneline: type == "string" and (test("[[:cntrl:]]") | not);
def text: oneline and length > 0;
def whole($min): type == "number" and . == floor and . >= $min;
def day: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
def url: oneline and test("^https?://[^[:space:]]+$");
def one_of($values): . as $v | $values | index([$v]) != null;

if type != "object" then problem("(root)"; "expected a JSON object") + "\n" | halt_error(1) else . end
| . as $m
| [
    (if $m.name != $name then problem("name"; "\($m.name | tojson) is not the image being registered (--name \($name))") else empty end),
    (if ($m.buildId | tostring) != $build then problem("buildId"; "\($m.buildId | tojson) is not the build being registered (--build-id \($build))") else empty end),
    (if ($m.definition | text) | not then problem("definition"; "a path is required") else empty end),
    (if ["kiwi", "dib"] | index($m.tooling) | not then problem("tooling"; "must be kiwi or dib") else empty end),
    (if ($m.gitCommit | text) | not then problem("gitCommit"; "the commit of the image definition is required") else empty end),
    (if ($m.minDiskGb | whole(1)) | not then problem("minDiskGb"; "must be a whole number >= 1") else empty end),
    (if $m.minRamMb != null and (($m.minRamMb | whole(1)) | not) then problem("minRamMb"; "must be a whole number >= 1") else empty end),
    (if ["private", "shared", "public"] | index($m.visibility) | not then problem("visibility"; "must be private, shared or public") else empty end),
    (if ($m.os.distro | text) | not then problem("os.distro"; "is required") else empty end),
    (if ($m.os.version | (type == "number") or text) | not then problem("os.version"; "is required") else empty end),
    (if ["x86_64", "aarch64"] | index($m.os.architecture) | not then problem("os.architecture"; "must be x86_64 or aarch64") else empty end),
    (if ($m.guestAgent | type) != "boolean" then problem("guestAgent"; "must be true or false") else empty end),
    (if ["virtio", "scsi", "ide"] | index($m.diskBus) | not then problem("diskBus"; "must be virtio, scsi or ide") else empty end),
    (if ["virtio", "e1000"] | index($m.vifModel) | not then problem("vifModel"; "must be virtio or e1000") else empty end),
    (["signatureUrl", "hashListUrl"][] as $k | if ($m[$k] // "") != "" and (($m[$k] | text) | not) then problem($k; "must be a URL on one line") else empty end),
    # SCS image metadata (scs-0102).
    (if ($m.loginUser | type == "string" and test("^[a-z_][a-z0-9_-]*$")) | not then problem("loginUser"; "must be a user name") else empty end),
    (if ($m.purpose | one_of(["generic", "minimal", "k8snode", "gpu", "network", "custom"])) | not then problem("purpose"; "must be generic, minimal, k8snode, gpu, network or custom") else empty end),
    (if ($m.replaceFrequency | one_of(["yearly", "quarterly", "monthly", "weekly", "daily", "critical_bug", "never"])) | not then problem("replaceFrequency"; "must be yearly, quarterly, monthly, weekly, daily, critical_bug or never") else empty end),
    (if ($m.providedUntil | day or one_of(["notice", "none"])) | not then problem("providedUntil"; "must be YYYY-MM-DD, notice or none") else empty end),
    (if $m.hotfixHours != null and (($m.hotfixHours | whole(0)) | not) then problem("hotfixHours"; "must be a whole number >= 0") else empty end),
    (if ($m.hypervisorType | one_of(["qemu", "kvm", "xen", "hyper-v", "esxi", "any"])) | not then problem("hypervisorType"; "must be qemu, kvm, xen, hyper-v, esxi or any") else empty end),
    (if ($m.rngModel | one_of(["virtio", "none"])) | not then problem("rngModel"; "must be virtio or none") else empty end),
    (if $m.maintainedUntil != null and (($m.maintainedUntil | day) | not) then problem("maintainedUntil"; "must be YYYY-MM-DD") else empty end),
    (if ($m.imageSource == "private" or ($m.imageSource | url)) | not then problem("imageSource"; "must be an http(s) URL or \"private\"") else empty end),
    (if ($m.imageDescription | text) | not then problem("imageDescription"; "must be a URL or text on one line") else empty end),
    (if ($m.uuidValidity | day) | not then problem("uuidValidity"; "must be YYYY-MM-DD") else empty end)
  ] as $problems
| if ($problems | length) > 0 then ($problems | join("\n") + "\n" | halt_error(1)) else . end
| [
    "create",
    "--disk-format", "qcow2", "--container-format", "bare", "--file", $file,
    "--private",
    "--min-disk", ($m.minDiskGb | tostring),
    (if $m.minRamMb != null then "--min-ram", ($m.minRamMb | tostring) else empty end),
    (
      # What Nova needs to boot the image well (seeds/002).
      "architecture=\($m.os.architecture)",
      "os_distro=\($m.os.distro)",
      "os_version=\($m.os.version)",
      "hw_disk_bus=\($m.diskBus)",
      # Without it, libvirt emulates an LSI controller for the SCSI bus.
      (if $m.diskBus == "scsi" then "hw_scsi_model=virtio-scsi" else empty end),
      "hw_vif_model=\($m.vifModel)",
      (if $m.guestAgent then "hw_qemu_guest_agent=yes", "os_require_quiesce=yes" else empty end),
      # Nova schedules an image with hypervisor_type only onto hosts of that type.
      (if $m.hypervisorType != "any" then "hypervisor_type=\($m.hypervisorType)" else empty end),
      (if $m.rngModel != "none" then "hw_rng_model=\($m.rngModel)" else empty end),
      # What users are promised (SCS scs-0102, "Image handling" and "Image build info").
      "os_purpose=\($m.purpose)",
      "image_original_user=\($m.loginUser)",
      "image_build_date=\($build_time)",
      "image_source=\($m.imageSource)",
      "image_description=\($m.imageDescription)",
      "replace_frequency=\($m.replaceFrequency)",
      "provided_until=\($m.providedUntil)",
      "uuid_validity=\($m.uuidValidity)",
      (if $m.hotfixHours != null then "hotfix_hours=\($m.hotfixHours)" else empty end),
      (if $m.maintainedUntil != null then "maintained_until=\($m.maintainedUntil)" else empty end),
      # Provenance, and what the rotation finds the image by.
      "factory_image_name=\($name)",
      "factory_build_id=\($build)",
      "factory_build_date=\($build_date)",
      "factory_git_commit=\($m.gitCommit)",
      "factory_definition=\($m.definition)",
      "factory_tooling=\($m.tooling)",
      "factory_visibility=\($m.visibility)",
      # Absent or "" when the factory has no web server to publish them on.
      (if ($m.signatureUrl // "") != "" then "factory_signature_url=\($m.signatureUrl)" else empty end),
      (if ($m.hashListUrl // "") != "" then "factory_hashlist_url=\($m.hashListUrl)" else empty end)
      | "--property", .
    ),
    # SCS's recommended tag for the operating system.
    "--tag", "os:\($m.os.distro)",
    "-f", "value", "-c", "id",
    "\($name)_candidate_\($build)"
  ][]

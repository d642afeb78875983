# META.json (written by the pipeline's prepare stage from the image catalogue entry)
# -> the arguments of `openstack image create`, one per line. Invalid META stops with
# every problem named as `<file>: <field>: <message>`.
#
# Arguments: $meta (the file's path, for messages), $name and $build (what the
# pipeline says it registers: META must agree), $build_date (META.date as a UTC
# YYYY-MM-DD), $file (the qcow2).

def problem($field; $message): "\($meta): \($field): \($message)";

def oneline: type == "string" and (test("[[:cntrl:]]") | not);
def text: oneline and length > 0;
def whole($min): type == "number" and . == floor and . >= $min;

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
    (["signatureUrl", "hashListUrl"][] as $k | if ($m[$k] // "") != "" and (($m[$k] | text) | not) then problem($k; "must be a URL on one line") else empty end)
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
    "-f", "value", "-c", "id",
    "\($name)_candidate_\($build)"
  ][]

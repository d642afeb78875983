#!/usr/bin/env bash
# KIWI runs this inside the image root after the packages are installed and the root/
# overlay is copied: services and the last hardening steps.
set -euo pipefail

# The image was configured offline: drop what identifies the build machine.
rm -f /etc/ssh/ssh_host_*key* /var/lib/systemd/random-seed
: >/etc/machine-id

# Network names must not depend on the MAC address of the build (seed 002): an empty
# rules file and no generator, net.ifnames=0 on the command line.
: >/etc/udev/rules.d/70-persistent-net.rules
: >/etc/udev/rules.d/75-persistent-net-generator.rules

for service in sshd chronyd cloud-init-local cloud-init cloud-config cloud-final wicked rngd qemu-guest-agent; do
  systemctl enable "$service" 2>/dev/null || echo "config.sh: $service has no unit to enable" >&2
done
systemctl disable firewalld 2>/dev/null || true

# sshd reads /etc/ssh/sshd_config from the overlay; the host keys come at first boot.
chmod 600 /etc/ssh/sshd_config

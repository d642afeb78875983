#!/usr/bin/env bash
# Activates the sshd hardening drop-in written by cloud-init
# (/etc/ssh/sshd_config.d/10-factory-hardening.conf):
#  - makes sure sshd_config includes sshd_config.d (older openSUSE images do not),
#  - drops algorithm names the installed OpenSSH does not know, so sshd never refuses
#    to start on an older release,
#  - checks the effective configuration, then reloads sshd.
set -euo pipefail

ssh_dir=${SSH_DIR:-/etc/ssh} # another root only for tests
dropin=$ssh_dir/sshd_config.d/10-factory-hardening.conf
main=$ssh_dir/sshd_config

[ -f "$dropin" ] || { echo "harden-sshd: $dropin is missing" >&2; exit 1; }

if [ -f "$main" ] && ! grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\.d/' "$main"; then
  # sshd uses the first value it reads: the include must come first.
  sed -i '1i Include /etc/ssh/sshd_config.d/*.conf' "$main"
fi

# keep only the names `ssh -Q <kind>` lists (client and server come from one OpenSSH)
filter_algorithms() {
  local keyword=$1 kind=$2 wanted supported kept=() name
  wanted=$(awk -v k="$keyword" 'tolower($1) == tolower(k) { print $2 }' "$dropin")
  [ -n "$wanted" ] || return 0
  supported=$(ssh -Q "$kind")
  IFS=, read -r -a names <<<"$wanted"
  for name in "${names[@]}"; do
    if grep -qxF "$name" <<<"$supported"; then kept+=("$name"); fi
  done
  if [ "${#kept[@]}" -eq 0 ]; then
    echo "harden-sshd: none of the $keyword is supported by this OpenSSH" >&2
    exit 1
  fi
  local joined
  joined=$(IFS=,; echo "${kept[*]}")
  if [ "$joined" != "$wanted" ]; then
    sed -i "s/^$keyword .*/$keyword $joined/" "$dropin"
  fi
}
filter_algorithms KexAlgorithms kex
filter_algorithms Ciphers cipher
filter_algorithms MACs mac

# privilege-separation directory; absent until sshd ran once on some distributions
mkdir -p /run/sshd 2>/dev/null || true
sshd -t

effective=$(sshd -T -C user=factory,host=localhost,addr=127.0.0.1)
for setting in "permitrootlogin no" "passwordauthentication no" "kbdinteractiveauthentication no"; do
  if ! grep -qxF "$setting" <<<"$effective"; then
    echo "harden-sshd: sshd does not apply \"$setting\"" >&2
    exit 1
  fi
done

systemctl reload sshd.service 2>/dev/null || systemctl reload ssh.service

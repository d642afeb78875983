#!/usr/bin/env bash
# The image test suite (seeds 000 and 002): checks that an image is production ready.
#
#   run.sh --host ADDRESS --user USER --key KEYFILE [--wait SECONDS]   a server booted from the image
#   run.sh --root DIR                                                  an unpacked root filesystem
#
# Prints TAP on stdout; exits 0 when every check passed, 1 when one failed, 2 on bad usage.
# Against a directory, checks that need a running system look at the configuration that
# produces that state instead, and say so; `only sshd listens` is skipped there.
#
# Checks: key login; PasswordAuthentication (and keyboard-interactive) off; PermitRootLogin
# no; cloud-init finished without errors; root filesystem grown to the disk; no MAC-bound
# persistent network rules; console=ttyS0 on the kernel command line; only sshd listens on
# non-loopback addresses; network sysctl hardening; time synchronisation configured.
set -euo pipefail

usage() {
  echo "usage: $0 --host ADDRESS --user USER --key KEYFILE [--wait SECONDS] | --root DIR" >&2
  exit 2
}

MODE="" HOST="" LOGIN="" KEY="" ROOT="" WAIT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --host) MODE=host HOST="${2:?}" && shift 2 ;;
    --user) LOGIN="${2:?}" && shift 2 ;;
    --key) KEY="${2:?}" && shift 2 ;;
    --wait) WAIT="${2:?}" && shift 2 ;;
    --root) MODE=root ROOT="${2:?}" && shift 2 ;;
    *) usage ;;
  esac
done
case "$MODE" in
  host) if [ -z "$LOGIN" ] || [ -z "$KEY" ]; then usage; fi ;;
  root) [ -d "$ROOT" ] || { echo "$0: $ROOT is not a directory" >&2 && exit 2; } ;;
  *) usage ;;
esac

TMP="$(mktemp -d)"
finish() {
  # The shared SSH connection must not outlive the suite (it would hold its output open).
  if [ "$MODE" = host ]; then ssh -o "ControlPath=$TMP/cm-%r" -O exit "$LOGIN@$HOST" >/dev/null 2>&1 || true; fi
  rm -rf "$TMP"
}
trap finish EXIT

# --- access to the system under test -------------------------------------------------
SSH_OPTS=(-o BatchMode=yes -o StrictHostKeyChecking=no -o "UserKnownHostsFile=$TMP/known_hosts"
  -o ConnectTimeout=10 -o ControlMaster=auto -o "ControlPath=$TMP/cm-%r" -o ControlPersist=120)
remote() { ssh "${SSH_OPTS[@]}" -i "$KEY" "$LOGIN@$HOST" "$@"; }

# A file's content ("" when missing), as the system under test sees it.
read_file() {
  if [ "$MODE" = root ]; then
    if [ -f "$ROOT$1" ]; then cat "$ROOT$1"; fi
  else
    remote "sudo -n cat '$1' 2>/dev/null || true"
  fi
}

# Copies the files named by the glob patterns (and their include targets) into $TMP/tree,
# so the parsers below read one local tree in both modes.
fetch_tree() {
  local tree="$TMP/tree"
  rm -rf "$tree" && mkdir -p "$tree"
  if [ "$MODE" = root ]; then
    (cd "$ROOT" && for pattern in "$@"; do
      for f in ${pattern#/}; do
        if [ -e "$f" ]; then cp -L --parents "$f" "$tree/" 2>/dev/null || true; fi
      done
    done)
  else
    # Unquoted: the server's shell expands the (fixed) patterns.
    remote "cd / && sudo -n tar -ch --ignore-failed-read ${*#/} 2>/dev/null || true" | tar -x -C "$tree" 2>/dev/null || true
  fi
  echo "$tree"
}

# --- TAP ------------------------------------------------------------------------------
N=0 FAILED=0
ok() { N=$((N + 1)) && echo "ok $N - $1"; }
not_ok() { N=$((N + 1)) && FAILED=$((FAILED + 1)) && echo "not ok $N - $1" && echo "#   $2"; }
skip() { N=$((N + 1)) && echo "ok $N - $1 # SKIP $2"; }
check() { if [ "$2" = pass ]; then ok "$1"; else not_ok "$1" "$3"; fi; }

# --- the checks ----------------------------------------------------------------------
# Effective sshd settings: `sshd -T` on a live system; on a directory, the config files
# with sshd's rules (first value wins, Include expanded in place, Match ends the globals).
sshd_settings() {
  if [ "$MODE" = host ]; then
    remote "sudo -n sshd -T" 2>/dev/null | tr '[:upper:]' '[:lower:]' || true
    return
  fi
  python3 - "$ROOT" <<'PY'
import glob, os, shlex, sys
root = sys.argv[1]
seen = {}
def parse(path):
    full = root + path
    if not os.path.isfile(full):
        return True
    for line in open(full, encoding="utf-8", errors="replace"):
        words = shlex.split(line, comments=True)
        if not words:
            continue
        key, values = words[0].lower(), words[1:]
        if key == "match":
            return False
        if key == "include":
            for pattern in values:
                pattern = pattern if pattern.startswith("/") else "/etc/ssh/" + pattern
                for inc in sorted(glob.glob(root + pattern)):
                    if not parse(inc[len(root):]):
                        return False
            continue
        seen.setdefault(key, " ".join(values).lower())
    return True
main = "/etc/ssh/sshd_config" if os.path.isfile(root + "/etc/ssh/sshd_config") else "/usr/etc/ssh/sshd_config"
parse(main)
for key, value in seen.items():
    print(key, value)
PY
}
setting() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$TMP/sshd"; }

sshd_settings >"$TMP/sshd"
[ -s "$TMP/sshd" ] || echo "# no sshd configuration found" >&2

# 1. key login
if [ "$MODE" = host ]; then
  deadline=$(($(date +%s) + WAIT))
  until remote true 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then break; fi
    sleep 5
  done
  if remote true 2>"$TMP/login.err"; then ok "key login as $LOGIN"; else not_ok "key login as $LOGIN" "$(tail -n 1 "$TMP/login.err")"; fi
else
  pubkey="$(setting pubkeyauthentication)"
  check "key login (configuration only: PubkeyAuthentication ${pubkey:-yes}; live login skipped)" \
    "$([ "${pubkey:-yes}" = yes ] && echo pass)" "PubkeyAuthentication is $pubkey"
fi

# 2. no password logins
password="$(setting passwordauthentication)"
kbd="$(setting kbdinteractiveauthentication)"
kbd="${kbd:-$(setting challengeresponseauthentication)}"
check "PasswordAuthentication no" "$([ "$password" = no ] && echo pass)" "PasswordAuthentication is ${password:-unset (default yes)}"
check "KbdInteractiveAuthentication no" "$([ "$kbd" = no ] && echo pass)" "KbdInteractiveAuthentication is ${kbd:-unset (default yes)}"
if [ "$MODE" = host ]; then
  # What the server offers a client without a key: only "publickey" may be listed.
  offered="$(ssh -o BatchMode=yes -o PubkeyAuthentication=no -o StrictHostKeyChecking=no -o "UserKnownHostsFile=$TMP/known_hosts" \
    -o ConnectTimeout=10 "nobody@$HOST" true 2>&1 | sed -n 's/.*Permission denied (\(.*\)).*/\1/p' || true)"
  check "server offers only publickey authentication" "$([ "$offered" = publickey ] && echo pass)" "offered: ${offered:-nothing readable}"
fi

# 3. no root login
root_login="$(setting permitrootlogin)"
check "PermitRootLogin no" "$([ "$root_login" = no ] && echo pass)" "PermitRootLogin is ${root_login:-unset (default prohibit-password)}"

# 4. cloud-init
if [ "$MODE" = host ]; then
  if remote "cloud-init status --wait --long" >"$TMP/ci" 2>&1; then ci_rc=0; else ci_rc=$?; fi
  check "cloud-init finished without errors" "$([ "$ci_rc" = 0 ] && grep -q '^status: done' "$TMP/ci" && echo pass)" \
    "cloud-init status (exit $ci_rc): $(tr '\n' ' ' <"$TMP/ci" | cut -c1-300)"
else
  enabled="$(find "$ROOT/etc/systemd/system" -path '*.wants/cloud-init*.service' 2>/dev/null | head -n 1 || true)"
  problem=""
  [ -x "$ROOT/usr/bin/cloud-init" ] || problem="/usr/bin/cloud-init missing"
  [ -n "$enabled" ] || problem="${problem:+$problem; }cloud-init services not enabled"
  [ ! -e "$ROOT/etc/cloud/cloud-init.disabled" ] || problem="${problem:+$problem; }/etc/cloud/cloud-init.disabled exists"
  check "cloud-init installed and enabled (run result skipped: needs a booted system)" "$([ -z "$problem" ] && echo pass)" "$problem"
fi

# 5. root filesystem grown to the disk
if [ "$MODE" = host ]; then
  # shellcheck disable=SC2016 # expanded on the server
  sizes="$(remote 'fs=$(df -B1 --output=size / | tail -n 1); src=$(findmnt -no SOURCE /); disk=$(lsblk -no PKNAME "$src" | head -n 1); echo "$fs $(lsblk -bdno SIZE "/dev/${disk:-$(basename "$src")}")"' 2>/dev/null || true)"
  read -r fs_size disk_size <<<"${sizes:-0 0}"
  # Boot and EFI partitions take a little; a grown root has at least 85 % of the disk.
  check "root filesystem grew to the disk ($fs_size of $disk_size bytes)" \
    "$([ "${disk_size:-0}" -gt 0 ] && [ $((fs_size * 100)) -ge $((disk_size * 85)) ] && echo pass)" "root filesystem is $fs_size bytes on a $disk_size-byte disk"
else
  tree="$(fetch_tree /etc/cloud/cloud.cfg '/etc/cloud/cloud.cfg.d/*.cfg')"
  growth="$(python3 - "$tree" <<'PY'
import glob, os, sys, yaml
tree = sys.argv[1]
config = {}
for path in [tree + "/etc/cloud/cloud.cfg"] + sorted(glob.glob(tree + "/etc/cloud/cloud.cfg.d/*.cfg")):
    if os.path.isfile(path):
        config.update(yaml.safe_load(open(path)) or {})
modules = [m if isinstance(m, str) else m[0] for key in ("cloud_init_modules", "cloud_config_modules") for m in config.get(key) or []]
modules = [m.replace("-", "_") for m in modules]
problems = [f"module {m} not run" for m in ("growpart", "resizefs") if m not in modules]
if str((config.get("growpart") or {}).get("mode", "auto")).lower() in ("off", "false"):
    problems.append("growpart mode is off")
if config.get("resize_rootfs") is False:
    problems.append("resize_rootfs is false")
print("; ".join(problems) or "pass")
PY
)"
  check "root filesystem grows to the disk (configuration only: cloud-init growpart + resizefs)" \
    "$([ "$growth" = pass ] && echo pass)" "$growth"
fi

# 6. no MAC-bound persistent network configuration
tree="$(fetch_tree /etc/udev/rules.d/70-persistent-net.rules /etc/udev/rules.d/75-persistent-net-generator.rules \
  '/etc/sysconfig/network-scripts/ifcfg-*' '/etc/sysconfig/network/ifcfg-*' /etc/network/interfaces)"
bound="$(cd "$tree" || exit; grep -rlE 'ATTR\{address\}|^[[:space:]]*(HWADDR|LLADDR|MACADDR)=|^[[:space:]]*hwaddress' . 2>/dev/null | grep -v -- '-lo$' | sed 's|^\.||' || true)"
bound="$(for f in $bound; do grep -q 'cloud-init' "$tree$f" || echo "$f"; done)"
generator="$(read_file /lib/udev/rules.d/75-persistent-net-generator.rules || true)"
[ -z "$generator" ] || bound="$bound /lib/udev/rules.d/75-persistent-net-generator.rules"
check "no persistent MAC-bound network rules" "$([ -z "${bound// /}" ] && echo pass)" "MAC addresses bound in:$bound"

# 7. console=ttyS0
if [ "$MODE" = host ]; then
  cmdline="$(remote cat /proc/cmdline 2>/dev/null || true)"
  check "console=ttyS0 on the kernel command line" "$(grep -qE '(^| )console=ttyS0(,| |$)' <<<"$cmdline" && echo pass)" "/proc/cmdline: $cmdline"
else
  tree="$(fetch_tree /etc/default/grub '/etc/default/grub.d/*.cfg' /boot/grub/grub.cfg /boot/grub2/grub.cfg)"
  grub_cmdline="$(cat "$tree"/etc/default/grub "$tree"/etc/default/grub.d/*.cfg 2>/dev/null | grep -E '^GRUB_CMDLINE_LINUX(_DEFAULT)?=' || true)"
  problem=""
  grep -qE 'console=ttyS0(,| |"|$)' <<<"$grub_cmdline" || problem="GRUB_CMDLINE_LINUX in /etc/default/grub has no console=ttyS0"
  for cfg in "$tree"/boot/grub/grub.cfg "$tree"/boot/grub2/grub.cfg; do
    if [ -f "$cfg" ] && grep -qE '^[[:space:]]*linux' "$cfg" && ! grep -E '^[[:space:]]*linux' "$cfg" | grep -qE 'console=ttyS0(,| |$)'; then
      problem="${problem:+$problem; }${cfg#"$tree"} boots without console=ttyS0"
    fi
  done
  check "console=ttyS0 on the kernel command line (configuration: grub)" "$([ -z "$problem" ] && echo pass)" "$problem"
fi

# 8. only sshd listens on non-loopback addresses
if [ "$MODE" = host ]; then
  listeners="$(remote "sudo -n ss -Htulnp" 2>/dev/null || true)"
  # DHCP clients keep a UDP socket on 68/546; everything else non-local must be sshd.
  others="$(awk '{ split($5, a, ":"); port = a[length(a)]; addr = substr($5, 1, length($5) - length(port) - 1) }
    addr ~ /^(127\.|\[::1\]|::1)/ { next }
    $1 == "udp" && (port == 68 || port == 546) { next }
    $7 !~ /"sshd"/ { print $1 " " $5 " " $7 }' <<<"$listeners")"
  check "only sshd listens on non-loopback addresses" "$([ -n "$listeners" ] && [ -z "$others" ] && echo pass)" \
    "${others:-ss printed nothing (no sudo?)}"
else
  skip "only sshd listens on non-loopback addresses" "needs a running system"
fi

# 9. sysctl hardening
HARDENING=(
  net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0
  net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.default.accept_redirects=0
  net.ipv4.conf.all.secure_redirects=0 net.ipv4.conf.default.secure_redirects=0
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0
  net.ipv4.conf.all.accept_source_route=0 net.ipv4.conf.default.accept_source_route=0
  net.ipv4.icmp_echo_ignore_broadcasts=1 net.ipv4.icmp_ignore_bogus_error_responses=1
  net.ipv4.tcp_syncookies=1 net.ipv4.conf.all.log_martians=1
)
if [ "$MODE" = host ]; then
  remote "sysctl ${HARDENING[*]%%=*}" 2>/dev/null | tr -d ' ' >"$TMP/sysctl" || true
else
  tree="$(fetch_tree /etc/sysctl.conf '/etc/sysctl.d/*.conf' '/run/sysctl.d/*.conf' '/usr/lib/sysctl.d/*.conf' '/lib/sysctl.d/*.conf')"
  # systemd-sysctl's order: files sorted by name, /etc over /run over /usr/lib; last value wins.
  python3 - "$tree" >"$TMP/sysctl" <<'PY'
import glob, os, sys
tree = sys.argv[1]
files = {}
for d in ("/lib/sysctl.d", "/usr/lib/sysctl.d", "/run/sysctl.d", "/etc/sysctl.d"):
    for path in glob.glob(tree + d + "/*.conf"):
        files[os.path.basename(path)] = path
ordered = [files[name] for name in sorted(files)] + [tree + "/etc/sysctl.conf"]
values = {}
for path in ordered:
    if os.path.isfile(path):
        for line in open(path):
            line = line.split("#")[0].split(";")[0].strip()
            if "=" in line:
                key, value = line.split("=", 1)
                values[key.strip().lstrip("-").replace("/", ".")] = value.strip()
for key, value in values.items():
    print(f"{key}={value}")
PY
fi
wrong=""
for want in "${HARDENING[@]}"; do
  grep -qxF "$want" "$TMP/sysctl" || wrong="$wrong ${want%%=*}=$(sed -n "s/^${want%%=*}=//p" "$TMP/sysctl" | tail -n 1)"
done
check "network sysctl hardening${ROOT:+ (configuration: sysctl.d)}" "$([ -z "$wrong" ] && echo pass)" "wrong or unset:$wrong"

# 10. time synchronisation
if [ "$MODE" = host ]; then
  active="$(remote "systemctl is-active chronyd chrony systemd-timesyncd ntpd ntpsec 2>/dev/null" | grep -c '^active$' || true)"
  check "time synchronisation running" "$([ "${active:-0}" -gt 0 ] && echo pass)" "none of chronyd, systemd-timesyncd, ntpd is active"
else
  tree="$(fetch_tree /etc/chrony.conf /etc/chrony/chrony.conf '/etc/chrony.d/*.conf' '/etc/chrony/conf.d/*.conf' '/etc/chrony/sources.d/*.sources')"
  service="$(find "$ROOT/etc/systemd/system" -path '*.wants/*' \( -name 'chronyd.service' -o -name 'chrony.service' -o -name 'systemd-timesyncd.service' -o -name 'ntpsec.service' -o -name 'ntpd.service' \) -printf '%f\n' 2>/dev/null | head -n 1 || true)"
  problem=""
  [ -n "$service" ] || problem="no time synchronisation service enabled"
  if [[ "$service" == chrony* ]] && ! grep -rqE '^[[:space:]]*(server|pool)[[:space:]]' "$tree" 2>/dev/null; then
    problem="chrony has no server or pool configured"
  fi
  check "time synchronisation configured${service:+ ($service)}" "$([ -z "$problem" ] && echo pass)" "$problem"
fi

echo "1..$N"
[ "$FAILED" -eq 0 ] || { echo "# $FAILED of $N checks failed" && exit 1; }

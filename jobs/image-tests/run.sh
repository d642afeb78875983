#!/usr/bin/env bash
# The image test suite (seeds 000 and 002): checks that an image is production ready.
#
#   run.sh --host ADDRESS --user USER --key KEYFILE [--port N] [--wait SECONDS]
#          [--iperf3 SERVER[:PORT]] [--min-mbits N] [--mirror URL] [--only ID,...]
#                                    a server booted from the image (USER: its default user)
#   run.sh --root DIR [--only ID,...] an unpacked root filesystem
#
# Prints TAP on stdout; exits 0 when every check passed, 1 when one failed, 2 on bad usage.
# Against a directory, checks that need a running system look at the configuration that
# produces that state instead, and say so; those that cannot are skipped there.
#
# Checks (ID: what), in this order:
#   login        key login (always run: every other live check needs it)
#   password     PasswordAuthentication and keyboard-interactive off; only publickey offered
#   root-login   PermitRootLogin no
#   crypto       sshd's Ciphers, MACs and KexAlgorithms hold no CBC, SHA-1, MD5 or 64-bit-tag
#                algorithm (seed 000: "only state-of-the-art cryptography")
#   cloud-init   cloud-init finished without errors
#   rootfs       root filesystem grown to the disk (boot it on a disk larger than the image)
#   mac          no MAC-bound persistent network rules (live: none but for the server's own
#                NICs, which cloud-init's eni renderer names at an instance's first boot)
#   console      console=ttyS0 on the kernel command line
#   listeners    only sshd listens on non-loopback addresses
#   sysctl       network sysctl hardening
#   time         time synchronisation
#   user         the default user exists, may sudo without a password, and sshd offers
#                it no password login (Match blocks included)
#   firewall     no firewall active (seed 002: security groups do that job)
#   entropy      the kernel's random pool is ready and rngd (rng-tools, seed 000) feeds it
#   update       apt refreshes from the configured sources (--mirror: must be one of them)
#                with signature checks on, and refuses an unsigned repository
#   network      iperf3 throughput to --iperf3 SERVER is at least --min-mbits (default 100);
#                installs the iperf3 client from the image's own sources if it is missing
#   reboot       the server comes back, cloud-init runs no per-instance module again and
#                the SSH host keys are the same (last: it reboots the server)
# --only runs the listed checks (and login); the TAP numbers count what ran.
set -euo pipefail

usage() {
  echo "usage: $0 --host ADDRESS --user USER --key KEYFILE [--port N] [--wait SECONDS] [--iperf3 SERVER[:PORT]] [--min-mbits N] [--mirror URL] [--only ID,...] | --root DIR [--only ID,...]" >&2
  exit 2
}

CHECK_IDS=" login password root-login crypto cloud-init rootfs mac console listeners sysctl time user firewall entropy update network reboot "
MODE="" HOST="" LOGIN="" KEY="" ROOT="" WAIT=0 PORT=22 IPERF3="" MIN_MBITS=100 MIRROR="" ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --host) MODE=host HOST="${2:?}" && shift 2 ;;
    --user) LOGIN="${2:?}" && shift 2 ;;
    --key) KEY="${2:?}" && shift 2 ;;
    --port) PORT="${2:?}" && shift 2 ;;
    --wait) WAIT="${2:?}" && shift 2 ;;
    --iperf3) IPERF3="${2:?}" && shift 2 ;;
    --min-mbits) MIN_MBITS="${2:?}" && shift 2 ;;
    --mirror) MIRROR="${2:?}" && shift 2 ;;
    --only) ONLY="${2:?}" && shift 2 ;;
    --root) MODE=root ROOT="${2:?}" && shift 2 ;;
    *) usage ;;
  esac
done
case "$MODE" in
  host) if [ -z "$LOGIN" ] || [ -z "$KEY" ]; then usage; fi ;;
  root) [ -d "$ROOT" ] || { echo "$0: $ROOT is not a directory" >&2 && exit 2; } ;;
  *) usage ;;
esac
[[ "$PORT" =~ ^[0-9]+$ && "$WAIT" =~ ^[0-9]+$ && "$MIN_MBITS" =~ ^[0-9]+([.][0-9]+)?$ ]] || usage
for id in ${ONLY//,/ }; do
  [[ "$CHECK_IDS" == *" $id "* ]] || { echo "$0: unknown check '$id' (checks:$CHECK_IDS)" >&2 && exit 2; }
done
# want ID — whether the check runs.
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

TMP="$(mktemp -d)"
finish() {
  # The shared SSH connection must not outlive the suite (it would hold its output open).
  if [ "$MODE" = host ]; then close_connection; fi
  rm -rf "$TMP"
}
trap finish EXIT

# --- access to the system under test -------------------------------------------------
# The server's host key is learnt on first contact; the reboot check compares it itself.
SSH_OPTS=(-p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no -o "UserKnownHostsFile=$TMP/known_hosts"
  -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3
  -o ControlMaster=auto -o "ControlPath=$TMP/cm-%r" -o ControlPersist=120)
remote() { ssh "${SSH_OPTS[@]}" -i "$KEY" "$LOGIN@$HOST" "$@"; }
close_connection() { ssh "${SSH_OPTS[@]}" -O exit "$LOGIN@$HOST" >/dev/null 2>&1 || true; }
# wait_for_login SECONDS — until a key login works; fails when it never did.
wait_for_login() {
  local deadline=$(($(date +%s) + $1))
  until remote true 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
    sleep 5
  done
}
# The authentication methods sshd offers USER when the client has no key.
# A new connection each time (not the shared one), so a busy server may be slow to greet:
# tried three times; without a method list, what ssh said last is returned after "ssh: ".
offered_methods() {
  local said methods try
  for try in 1 2 3; do
    said="$(ssh -p "$PORT" -o BatchMode=yes -o PubkeyAuthentication=no -o StrictHostKeyChecking=no -o "UserKnownHostsFile=$TMP/known_hosts" \
      -o ConnectTimeout=30 "$1@$HOST" true 2>&1 || true)"
    methods="$(sed -n 's/.*Permission denied (\(.*\)).*/\1/p' <<<"$said")"
    if [ -n "$methods" ]; then echo "$methods"; return; fi
    [ "$try" -eq 3 ] || sleep "${SSH_RETRY_PAUSE:-5}"
  done
  echo "ssh: $(tail -n 1 <<<"$said")"
}

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

# 1. key login (first: the live settings below are read over this login)
if [ "$MODE" = host ]; then
  wait_for_login "$WAIT" || true
  if remote true 2>"$TMP/login.err"; then ok "key login as $LOGIN"; else not_ok "key login as $LOGIN" "$(tail -n 1 "$TMP/login.err")"; fi
  sshd_settings >"$TMP/sshd"
else
  sshd_settings >"$TMP/sshd"
  pubkey="$(setting pubkeyauthentication)"
  check "key login (configuration only: PubkeyAuthentication ${pubkey:-yes}; live login skipped)" \
    "$([ "${pubkey:-yes}" = yes ] && echo pass)" "PubkeyAuthentication is $pubkey"
fi
[ -s "$TMP/sshd" ] || echo "# no sshd configuration found" >&2

# 2. no password logins
if want password; then
  password="$(setting passwordauthentication)"
  kbd="$(setting kbdinteractiveauthentication)"
  kbd="${kbd:-$(setting challengeresponseauthentication)}"
  check "PasswordAuthentication no" "$([ "$password" = no ] && echo pass)" "PasswordAuthentication is ${password:-unset (default yes)}"
  check "KbdInteractiveAuthentication no" "$([ "$kbd" = no ] && echo pass)" "KbdInteractiveAuthentication is ${kbd:-unset (default yes)}"
  if [ "$MODE" = host ]; then
    # What the server offers a client without a key: only "publickey" may be listed.
    offered="$(offered_methods nobody)"
    check "server offers only publickey authentication" "$([ "$offered" = publickey ] && echo pass)" "offered: ${offered:-nothing}"
  fi
fi

# 3. no root login
if want root-login; then
  root_login="$(setting permitrootlogin)"
  check "PermitRootLogin no" "$([ "$root_login" = no ] && echo pass)" "PermitRootLogin is ${root_login:-unset (default prohibit-password)}"
fi

# 3b. current cryptography only
if want crypto; then
  declare -A WEAK=([ciphers]='-cbc$|3des|arcfour|blowfish|cast128|rijndael' [macs]='md5|sha1|ripemd|umac-64|-96'
    [kexalgorithms]='sha1$|group1-|gss-')
  weak=""
  for key in ciphers macs kexalgorithms; do
    value="$(setting "$key")"
    if [ -z "$value" ]; then
      weak="$weak; $key not set (OpenSSH's defaults include SHA-1)"
    else
      bad="$(tr ',' '\n' <<<"$value" | grep -E -e "${WEAK[$key]}" | paste -sd, - || true)"
      [ -z "$bad" ] || weak="$weak; $key: $bad"
    fi
  done
  check "sshd offers current cryptography only (Ciphers, MACs, KexAlgorithms)" "$([ -z "$weak" ] && echo pass)" "${weak#; }"
fi

# 4. cloud-init
if want cloud-init; then
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
fi

# 5. root filesystem grown to the disk
if want rootfs; then
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
fi

# 6. no MAC-bound persistent network configuration
if want mac; then
  tree="$(fetch_tree /etc/udev/rules.d/70-persistent-net.rules /etc/udev/rules.d/75-persistent-net-generator.rules \
    '/etc/sysconfig/network-scripts/ifcfg-*' '/etc/sysconfig/network/ifcfg-*' /etc/network/interfaces)"
  bound="$(cd "$tree" || exit; grep -rlE 'ATTR\{address\}|^[[:space:]]*(HWADDR|LLADDR|MACADDR)=|^[[:space:]]*hwaddress' . 2>/dev/null | grep -v -- '-lo$' | sed 's|^\.||' || true)"
  bound="$(for f in $bound; do grep -q 'cloud-init' "$tree$f" || echo "$f"; done)"
  if [ "$MODE" = host ] && [ -n "$bound" ]; then
    # cloud-init's eni renderer names this server's own NICs by their MACs at its first
    # boot, and again for every new instance: only addresses of other machines (the build
    # host's, another instance's) are persistent rules that break the next boot.
    own="$(remote 'cat /sys/class/net/*/address' 2>/dev/null | tr '[:upper:]' '[:lower:]' || true)"
    bound="$(for f in $bound; do
      foreign="$(grep -oiE '([0-9a-f]{2}:){5}[0-9a-f]{2}' "$tree$f" | tr '[:upper:]' '[:lower:]' | grep -vxF -e "${own:-none}" || true)"
      if [ -n "$foreign" ]; then echo "$f"; fi
    done)"
  fi
  generator="$(read_file /lib/udev/rules.d/75-persistent-net-generator.rules || true)"
  [ -z "$generator" ] || bound="$bound /lib/udev/rules.d/75-persistent-net-generator.rules"
  check "no persistent MAC-bound network rules" "$([ -z "${bound// /}" ] && echo pass)" "MAC addresses bound in:$bound"
fi

# 7. console=ttyS0
if want console; then
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
fi

# 8. only sshd listens on non-loopback addresses
if want listeners; then
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
fi

# 9. sysctl hardening
if want sysctl; then
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
    # sysctl is in /sbin, which a user's PATH on Debian lacks.
    remote "PATH=\"\$PATH:/usr/sbin:/sbin\" sysctl ${HARDENING[*]%%=*}" 2>/dev/null | tr -d ' ' >"$TMP/sysctl" || true
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
fi

# 10. time synchronisation
if want time; then
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
fi

# 11. the default user
if want user; then
  if [ "$MODE" = host ]; then
    # sshd's view of this very user and client (Match blocks apply), and what it offers.
    # shellcheck disable=SC2016 # expanded on the server
    user_view="$(remote 'getent passwd "$USER" | cut -d: -f1,7; sudo -n true && echo sudo=yes
      sudo -n sshd -T -C "user=$USER,host=test-client,addr=${SSH_CLIENT%% *}" | grep -iE "^(passwordauthentication|kbdinteractiveauthentication) "' 2>/dev/null || true)"
    user_offered="$(offered_methods "$LOGIN")"
    problem=""
    grep -q "^$LOGIN:" <<<"$user_view" || problem="no user $LOGIN"
    grep -qx "sudo=yes" <<<"$user_view" || problem="${problem:+$problem; }$LOGIN may not sudo without a password"
    for key in passwordauthentication kbdinteractiveauthentication; do
      value="$(awk -v k="$key" 'tolower($1) == k { print tolower($2) }' <<<"$user_view")"
      [ "$value" = no ] || problem="${problem:+$problem; }$key for $LOGIN is ${value:-unknown}"
    done
    [ "$user_offered" = publickey ] || problem="${problem:+$problem; }offered to $LOGIN: ${user_offered:-nothing}"
    check "default user $LOGIN: exists, passwordless sudo, no password login over SSH" "$([ -z "$problem" ] && echo pass)" "$problem"
  else
    skip "default user: exists, may sudo, no password login over SSH" "needs a running system (cloud-init creates the user)"
  fi
fi

# 12. no firewall in the guest
if want firewall; then
  if [ "$MODE" = host ]; then
    firewall="$(remote "sudo -n sh -s" 2>/dev/null <<'SH' || true
for s in ufw firewalld nftables netfilter-persistent iptables ip6tables; do
  if systemctl is-active --quiet "$s.service"; then echo "service $s is active"; fi
done
if command -v nft >/dev/null; then
  chains="$(nft list ruleset 2>/dev/null | grep -E 'type filter hook' | sed 's/^[[:space:]]*//; s/;.*//' | sort -u | tr '\n' ',')"
  if [ -n "$chains" ]; then echo "nftables base chains: ${chains%,}"; fi
fi
for t in iptables ip6tables; do
  if command -v "$t-save" >/dev/null && "$t-save" 2>/dev/null | grep -qE '^-A |^:[A-Z]+ (DROP|REJECT)'; then echo "$t rules loaded"; fi
done
if [ -s /proc/net/ip_tables_names ]; then echo "legacy iptables tables: $(tr '\n' ' ' </proc/net/ip_tables_names)"; fi
echo inspected
SH
)"
    problems="$(grep -v '^inspected$' <<<"$firewall" | paste -sd ';' - || true)"
    check "no firewall active" "$(grep -qx inspected <<<"$firewall" && [ -z "$problems" ] && echo pass)" "${problems:-could not inspect the firewall}"
  else
    enabled="$(find "$ROOT/etc/systemd/system" -path '*.wants/*' \( -name ufw.service -o -name firewalld.service -o -name nftables.service \
      -o -name netfilter-persistent.service -o -name iptables.service -o -name ip6tables.service \) -printf '%f ' 2>/dev/null || true)"
    check "no firewall enabled (configuration: systemd units)" "$([ -z "$enabled" ] && echo pass)" "enabled: $enabled"
  fi
fi

# 13. entropy
if want entropy; then
  if [ "$MODE" = host ]; then
    # getrandom(GRND_NONBLOCK) fails until the kernel's pool is initialised.
    # shellcheck disable=SC2016 # expanded on the server
    entropy="$(remote 'echo "avail=$(cat /proc/sys/kernel/random/entropy_avail)"
      python3 -c "import os; os.getrandom(16, os.GRND_NONBLOCK)" 2>/dev/null && echo ready=yes
      pgrep -x rngd >/dev/null && echo rngd=running
      echo "hwrng=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || echo none)"' 2>/dev/null || true)"
    avail="$(sed -n 's/^avail=//p' <<<"$entropy")"
    hwrng="$(sed -n 's/^hwrng=//p' <<<"$entropy")"
    problem=""
    grep -qx ready=yes <<<"$entropy" || problem="the kernel's random pool is not initialised"
    [ "${avail:-0}" -ge 256 ] || problem="${problem:+$problem; }entropy_avail is ${avail:-unknown} (< 256)"
    grep -qx rngd=running <<<"$entropy" || problem="${problem:+$problem; }rngd (rng-tools) is not running"
    check "entropy: random pool ready (entropy_avail ${avail:-?}), rngd feeding it (hwrng ${hwrng:-none})" "$([ -z "$problem" ] && echo pass)" "$problem"
  else
    rngd="$(find "$ROOT/etc/systemd/system" -path '*.wants/*' \( -name 'rng-tools*.service' -o -name 'rngd.service' \) -printf '%f\n' 2>/dev/null | head -n 1 || true)"
    problem=""
    [ -x "$ROOT/usr/sbin/rngd" ] || problem="rngd (rng-tools) not installed"
    [ -n "$rngd" ] || problem="${problem:+$problem; }no rngd service enabled"
    check "entropy: rngd installed and enabled (configuration${rngd:+: $rngd})" "$([ -z "$problem" ] && echo pass)" "$problem"
  fi
fi

# 14. package updates: the configured sources, signatures checked, unsigned refused
if want update; then
  if [ "$MODE" = host ]; then
    update="$(remote "sudo -n bash -s" 2>&1 <<'SH' || true
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
out="$(apt-get update 2>&1)" && echo "update-rc=0" || echo "update-rc=$?"
grep -E '^(W|E|Err):' <<<"$out" | head -n 3 | sed 's/^/problem: /'
apt-get indextargets --format '$(SITE)' 2>/dev/null | sort -u | sed 's/^/site: /'
apt-config dump | grep -iE '(AllowInsecureRepositories|AllowUnauthenticated|AllowDowngradeToInsecureRepositories) "(1|true|yes)"' | sed 's/^/insecure: /'
grep -rhoiE '\[[^]]*(trusted|allow-insecure)=yes[^]]*\]|^(Trusted|Allow-Insecure): *yes' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null | sed 's/^/insecure source: /'
# An unsigned repository of our own: apt must refuse it.
d="$(mktemp -d)" && chmod 755 "$d" && mkdir -p "$d/repo" "$d/parts" "$d/lists/partial"
printf 'Suite: unsigned\nCodename: unsigned\nArchitectures: amd64 all\nDate: %s\n' "$(date -uR)" >"$d/repo/Release"
: >"$d/repo/Packages"
echo "deb file:$d/repo ./" >"$d/unsigned.list"
unsigned="$(apt-get update -o "Dir::Etc::SourceList=$d/unsigned.list" -o "Dir::Etc::SourceParts=$d/parts" -o "Dir::State::Lists=$d/lists" 2>&1)" && echo "unsigned-rc=0" || echo "unsigned-rc=$?"
grep -q 'is not signed' <<<"$unsigned" && echo "unsigned: refused as not signed"
rm -rf "$d"
SH
)"
    sites="$(sed -n 's/^site: //p' <<<"$update" | paste -sd ' ' -)"
    problem=""
    grep -qx update-rc=0 <<<"$update" || problem="apt-get update failed"
    problem="$problem$(sed -n 's/^problem: /; /p; s/^\(insecure\|insecure source\): /; \1: /p' <<<"$update" | tr -d '\n')"
    [ -n "$sites" ] || problem="${problem:+$problem; }no package sources"
    if [ -n "$MIRROR" ] && ! grep -qF "${MIRROR%/}" <<<"$sites"; then problem="${problem:+$problem; }$MIRROR is not among the sources ($sites)"; fi
    if grep -qx unsigned-rc=0 <<<"$update" || ! grep -q '^unsigned: refused' <<<"$update"; then problem="${problem:+$problem; }an unsigned repository was accepted"; fi
    problem="${problem#; }"
    check "package updates: apt refreshes from ${sites:-its sources} with signature checks, refuses an unsigned repository" "$([ -z "$problem" ] && echo pass)" "$problem"
  else
    tree="$(fetch_tree '/etc/apt/apt.conf.d/*' /etc/apt/sources.list '/etc/apt/sources.list.d/*')"
    insecure="$(grep -rhiE '(AllowInsecureRepositories|AllowUnauthenticated|AllowDowngradeToInsecureRepositories)[[:space:]]+"?(1|true|yes)|(trusted|allow-insecure)=yes|^(Trusted|Allow-Insecure): *yes' "$tree" 2>/dev/null | head -n 3 | paste -sd ';' - || true)"
    sources="$(find "$tree/etc/apt" -name 'sources.list' -o -name '*.list' -o -name '*.sources' 2>/dev/null | head -n 1)"
    problem=""
    [ -n "$sources" ] || problem="no apt sources"
    [ -z "$insecure" ] || problem="${problem:+$problem; }signature checks relaxed: $insecure"
    check "package updates: apt sources configured, signature checks not relaxed (configuration)" "$([ -z "$problem" ] && echo pass)" "$problem"
  fi
fi

# 15. network performance against an iperf3 server (stage 1 runs one on the controller)
if want network; then
  if [ "$MODE" = host ] && [ -n "$IPERF3" ]; then
    server="${IPERF3%:*}" iperf_port="5201"
    [[ "$IPERF3" != *:* ]] || iperf_port="${IPERF3##*:}"
    # The client comes from the image's own sources, as a user would install it.
    remote "command -v iperf3 >/dev/null || { apt-cache policy iperf3 | grep -q 'Candidate: [0-9]' || sudo -n apt-get update -q; sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends iperf3; }" >"$TMP/iperf3-install" 2>&1 || true
    # The server measures one client at a time (stage 1's serves every build of the
    # controller): while it is busy with another, wait for it, up to about two minutes.
    for try in $(seq 1 12); do
      remote "iperf3 --client '$server' --port '$iperf_port' --time 5 --json" >"$TMP/iperf3.json" 2>/dev/null || true
      grep -q '"error": *"[^"]*busy' "$TMP/iperf3.json" || break
      [ "$try" -eq 12 ] || sleep "${IPERF3_BUSY_PAUSE:-10}"
    done
    mbits="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["end"]["sum_received"]["bits_per_second"] / 1e6, 1))' "$TMP/iperf3.json" 2>/dev/null || true)"
    why="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error", ""))' "$TMP/iperf3.json" 2>/dev/null || tail -n 1 "$TMP/iperf3-install")"
    if [ -n "$mbits" ]; then why="only $mbits Mbit/s"; else why="no measurement: ${why:-iperf3 printed nothing}"; fi
    check "network throughput to $server:$iperf_port: ${mbits:-?} Mbit/s (at least $MIN_MBITS)" \
      "$([ -n "$mbits" ] && python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$mbits" "$MIN_MBITS" && echo pass)" "$why"
  elif [ "$MODE" = host ]; then
    skip "network throughput (iperf3)" "no server given (--iperf3)"
  else
    skip "network throughput (iperf3)" "needs a running system"
  fi
fi

# 16. reboot (last: everything above ran on the first boot)
if want reboot; then
  if [ "$MODE" = host ]; then
    # The server's host keys (its own files: ssh-keyscan on a slow server can miss a key
    # type and report a change that is none); per-instance work cloud-init has done (its
    # semaphores). The client's known_hosts entry is checked by logging in with it, strictly.
    host_keys() { remote 'cat /etc/ssh/ssh_host_*_key.pub' 2>/dev/null | awk '{ print $1, $2 }' | sort; }
    # shellcheck disable=SC2016 # expanded on the server
    state='cat /proc/sys/kernel/random/boot_id; sudo -n sh -c "cd /var/lib/cloud/instance/sem 2>/dev/null && stat -c \"%n %Y\" *"'
    keys_before="$(host_keys)"
    before="$(remote "$state" 2>/dev/null || true)"
    remote "sudo -n systemctl --no-block reboot" >/dev/null 2>&1 || true
    close_connection
    back_within=$((WAIT > 300 ? WAIT : 300))
    deadline=$(($(date +%s) + back_within))
    after=""
    while [ "$(date +%s)" -lt "$deadline" ]; do
      after="$(remote "$state" 2>/dev/null || true)"
      if [ -n "$after" ] && [ "$(head -n 1 <<<"$after")" != "$(head -n 1 <<<"$before")" ]; then break; fi
      after=""
      sleep 5
    done
    problem=""
    if [ -z "$after" ]; then
      problem="the server did not come back within $back_within s"
    else
      remote "cloud-init status --wait" >/dev/null 2>&1 || problem="cloud-init did not finish after the reboot"
      rerun="$(diff <(tail -n +2 <<<"$before") <(tail -n +2 <<<"$after") | sed -n 's/^> \([^ ]*\) .*/\1/p' | paste -sd ' ' - || true)"
      [ -z "$rerun" ] || problem="${problem:+$problem; }per-instance steps ran again: $rerun"
      [ "$(host_keys)" = "$keys_before" ] && [ -n "$keys_before" ] || problem="${problem:+$problem; }the SSH host keys changed"
      ssh "${SSH_OPTS[@]/StrictHostKeyChecking=no/StrictHostKeyChecking=yes}" -o ControlPath=none -i "$KEY" "$LOGIN@$HOST" true 2>/dev/null ||
        problem="${problem:+$problem; }the host key known from before the reboot no longer verifies"
    fi
    check "reboot: back in time, no per-instance cloud-init module re-ran, same SSH host keys" "$([ -z "$problem" ] && echo pass)" "$problem"
  else
    skip "reboot" "needs a running system"
  fi
fi

echo "1..$N"
[ "$FAILED" -eq 0 ] || { echo "# $FAILED of $N checks failed" && exit 1; }

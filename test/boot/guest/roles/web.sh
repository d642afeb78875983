# Web server checks (sourced by check.sh): nginx serves the published tree with listings.
# shellcheck shell=bash
expect "nginx active" systemctl is-active nginx.service
probe=boot-check-$RANDOM.txt
serves_listing() {
  install -d "${WEB_ROOT:?}" && echo "published by the boot test" >"$WEB_ROOT/$probe" || return 1
  local page
  page=$(curl -fsS --max-time 10 http://127.0.0.1/) || { echo "GET / failed: $page"; return 1; }
  grep -F "$probe" <<<"$page" >/dev/null || { echo "listing lacks $probe: ${page:0:300}"; return 1; }
  echo "GET / lists $probe"
}
expect "nginx lists the published tree" serves_listing
expect "nginx serves a published file" sh -c "curl -fsS --max-time 10 'http://127.0.0.1/$probe' | grep -qx 'published by the boot test' && echo 'GET /$probe ok'"

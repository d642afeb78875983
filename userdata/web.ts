// Web servers: the published image tree (qcow2, signatures, hash lists, logs) served
// read-only with directory listings; Jenkins pushes into it with rsync over SSH as the
// `publish` user, which can do nothing else.
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { scriptFile, scriptPath } from "./scripts";

const WEB_ROOT = "/srv/www/images";
const PUBLISH_USER = "publish";
const NGINX_SITE = "/etc/nginx/sites-available/factory-images";
/** Debian's rsync ships rrsync: restricts an SSH key to rsync within one directory. */
const RRSYNC = "/usr/bin/rrsync";

export function addWeb(config: CloudConfig, { env }: UserDataContext, index: number): void {
  const web = env.web;
  if (!web) throw new Error("web user-data requested, but the environment has no web section");
  if (!Number.isInteger(index) || index < 0 || index >= web.count) throw new Error(`web server index ${index} is outside 0..${web.count - 1}`);
  config.users.push({
    name: PUBLISH_USER,
    gecos: "Image publishing (rsync only)",
    homedir: `/var/lib/${PUBLISH_USER}`,
    shell: "/bin/sh",
    lock_passwd: true,
    // none yet: Jenkins' key is added to web.publishKeys after its first boot
    ...(web.publishKeys.length > 0 ? { ssh_authorized_keys: web.publishKeys.map((key) => publishKeyLine(key)) } : {}),
  });
  config.packages.push("nginx", "rsync");
  config.write_files.push({ path: NGINX_SITE, content: nginxSite(web.domain), owner: "root:root", permissions: "0644" }, scriptFile("web-server"), scriptFile("check-listeners"));
  config.runcmd.push([scriptPath("web-server"), WEB_ROOT, PUBLISH_USER, NGINX_SITE], [scriptPath("check-listeners"), "tcp:22", "tcp:80"]);
}

/**
 * An authorized_keys line that allows only `rsync` writes below the web root (another root:
 * the push test's). -munge: a symlink the key writes points below /rsyncd-munged/, nowhere,
 * so nginx cannot be made to serve the server's own files.
 */
export function publishKeyLine(key: string, webRoot = WEB_ROOT): string {
  return `restrict,command="${RRSYNC} -wo -munge ${webRoot}" ${key}`;
}

// TLS is left to a load balancer or a later certificate: user-data carries no keys.
function nginxSite(domain: string): string {
  return [
    "# The factory's published images, read-only, with directory listings.",
    "server {",
    "\tlisten 80 default_server;",
    "\tlisten [::]:80 default_server;",
    `\tserver_name ${domain};`,
    `\troot ${WEB_ROOT};`,
    "\tserver_tokens off;",
    "\tautoindex on;",
    "\tcharset utf-8;",
    "\t# Signatures, hash lists and logs show in the browser; images download.",
    "\tdefault_type text/plain;",
    '\tadd_header X-Content-Type-Options "nosniff" always;',
    "\t# The build statistics' SVG charts (/stats/) are text: gzip sends an eighth of the bytes.",
    "\tgzip_types image/svg+xml;",
    "",
    "\tlocation / {",
    "\t\tlimit_except GET { deny all; }",
    "\t\ttry_files $uri $uri/ =404;",
    "\t}",
    "\tlocation ~* \\.(qcow2|raw|img|vmdk|iso|xz|gz|zst|tar)$ {",
    "\t\tdefault_type application/octet-stream;",
    "\t}",
    "\t# rsync's temporary files and anything hidden stay private.",
    "\tlocation ~ /\\. {",
    "\t\tdeny all;",
    "\t}",
    "}",
    "",
  ].join("\n");
}

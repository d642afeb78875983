// Web servers: the published image tree (qcow2, signatures, hash lists, logs) served
// read-only with directory listings; Jenkins pushes into it with rsync over SSH as the
// `publish` user, which can do nothing else.
import { PORTS } from "../config/roles";
import type { CloudConfig } from "./cloud-config";
import type { UserDataContext } from "./context";
import { checkListeners, scriptFile, scriptPath } from "./scripts";

const NGINX_SITE = "/etc/nginx/sites-available/factory-images";
/** Debian's rsync ships rrsync: restricts an SSH key to rsync within one directory. */
const RRSYNC = "/usr/bin/rrsync";

export function addWeb(config: CloudConfig, { env, roles }: UserDataContext, index: number): void {
  const web = env.web;
  const { user, paths, listens } = roles.web;
  if (!web) throw new Error("web user-data requested, but the environment has no web section");
  if (!Number.isInteger(index) || index < 0 || index >= web.count)
    throw new Error(`web server index ${index} is outside 0..${web.count - 1}`);
  config.users.push({
    name: user.name,
    gecos: "Image publishing (rsync only)",
    homedir: user.home,
    shell: "/bin/sh",
    lock_passwd: true,
    // none yet: Jenkins' key is added to web.publishKeys after its first boot
    ...(web.publishKeys.length > 0 ? { ssh_authorized_keys: web.publishKeys.map((key) => publishKeyLine(key, paths.root)) } : {}),
  });
  config.packages.push("nginx", "rsync");
  config.write_files.push(
    { path: NGINX_SITE, content: nginxSite(web.domain, paths.root), owner: "root:root", permissions: "0644" },
    scriptFile("web-server"),
    scriptFile("check-listeners"),
  );
  config.runcmd.push([scriptPath("web-server"), paths.root, user.name, NGINX_SITE], checkListeners(listens));
}

/**
 * An authorized_keys line that allows only `rsync` writes below the web root (another root:
 * the push test's). -munge: a symlink the key writes points below /rsyncd-munged/, nowhere,
 * so nginx cannot be made to serve the server's own files.
 */
export function publishKeyLine(key: string, webRoot: string): string {
  return `restrict,command="${RRSYNC} -wo -munge ${webRoot}" ${key}`;
}

// TLS is left to a load balancer or a later certificate: user-data carries no keys.
function nginxSite(domain: string, root: string): string {
  return [
    "# The factory's published images, read-only, with directory listings.",
    "server {",
    `\tlisten ${PORTS.http} default_server;`,
    `\tlisten [::]:${PORTS.http} default_server;`,
    `\tserver_name ${domain};`,
    `\troot ${root};`,
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

// The subset of cloud-init's cloud-config this project writes, as types, and its one
// renderer. Keys follow cloud-init's JSON schema (checked by `cloud-init schema` in the
// tests); anything not typed here is not used on purpose.
import { stringify } from "yaml";

/** Nova's limit on user_data, in bytes. */
export const NOVA_USER_DATA_LIMIT = 65_535;

interface CloudConfigUser {
  readonly name: string;
  readonly gecos?: string;
  readonly uid?: number;
  readonly homedir?: string;
  readonly shell?: string;
  readonly sudo?: string | false;
  readonly lock_passwd: true; // no password logins anywhere
  readonly ssh_authorized_keys?: readonly string[];
}

export interface WriteFile {
  readonly path: string;
  readonly content: string;
  readonly owner?: string;
  readonly permissions?: string;
  /** Written in cloud-init's final stage, after the packages are installed. */
  readonly defer?: true;
}

interface AptSource {
  readonly arches: readonly string[];
  readonly uri: string;
}

export interface AptConfig {
  readonly preserve_sources_list?: boolean;
  readonly primary?: readonly AptSource[];
  readonly security?: readonly AptSource[];
  readonly sources_list?: string;
}

interface NtpConfig {
  readonly enabled: boolean;
  readonly servers?: readonly string[];
}

export interface FsSetup {
  readonly label: string;
  readonly filesystem: "ext4" | "xfs";
  readonly device: string;
  /** "auto": reuse a filesystem with this label and type, create one only on a blank disk. */
  readonly partition: "auto";
  readonly overwrite: false;
}

/** One fstab line: spec, mount point, type, options, dump, pass. */
export type MountEntry = readonly [string, string, string, string, string, string];

/** A command as an argv list (quoted by cloud-init, so values are never parsed by a shell). */
export type Command = readonly string[];

export interface CloudConfig {
  users: CloudConfigUser[];
  disable_root: true;
  ssh_pwauth: false;
  ssh_genkeytypes?: string[];
  /** "localhost": cloud-init adds the server's own name to /etc/hosts (127.0.1.1), leaving the rest. */
  manage_etc_hosts?: "localhost";
  apt?: AptConfig;
  ntp?: NtpConfig;
  package_update?: boolean;
  package_upgrade?: boolean;
  packages: string[];
  bootcmd: Command[];
  fs_setup?: FsSetup[];
  mounts: MountEntry[];
  write_files: WriteFile[];
  /** argv lists, plus plain lines written into cloud-init's runcmd shell script as they are. */
  runcmd: (Command | string)[];
}

const CLOUD_CONFIG_HEADER = "#cloud-config\n";

/**
 * Renders a cloud-config document. lineWidth 0: strings are never folded or split, so a
 * Terraform token string (`${TfToken[TOKEN.1]}`) reaches Terraform exactly as given.
 */
export function renderCloudConfig(config: CloudConfig): string {
  const body = stringify(dropEmpty(config), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
  return CLOUD_CONFIG_HEADER + body;
}

/**
 * The rendered text as a Terraform string: Terraform reads `${` and `%{` as template
 * syntax, so literal ones (shell's `${var}`) are doubled; cdktf tokens (`${TfToken[...]}`)
 * stay as they are, for Terraform to fill in.
 */
export function escapeForTerraform(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** What Terraform makes of an escaped literal string (the inverse of escapeForTerraform). */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}

// The order cloud-init acts in (users and disks, then packages, files, commands): the
// rendered text reads top to bottom like the first boot.
const KEY_ORDER: readonly (keyof CloudConfig)[] = [
  "users",
  "disable_root",
  "ssh_pwauth",
  "ssh_genkeytypes",
  "manage_etc_hosts",
  "bootcmd",
  "fs_setup",
  "mounts",
  "apt",
  "ntp",
  "package_update",
  "package_upgrade",
  "packages",
  "write_files",
  "runcmd",
];

// Empty lists add noise to a PR diff and mean nothing to cloud-init.
function dropEmpty(config: CloudConfig): Record<string, unknown> {
  const entries = Object.entries(config).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  const rank = (k: string) => {
    const i = KEY_ORDER.indexOf(k as keyof CloudConfig);
    return i < 0 ? KEY_ORDER.length : i;
  };
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
}

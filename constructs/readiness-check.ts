// Makes `cdktf deploy` wait for a server's first boot: a terraform_data resource (built
// into Terraform, no provider to install) that connects over SSH (through a jump host)
// and waits for `cloud-init status --wait`, failing the deploy when first boot failed
// (what its exit code 2 means: readinessCommand).
// It runs again whenever the server is replaced.
import { Construct } from "constructs";
import { ADMIN } from "../config/roles";
import { DataResource, ITerraformDependable } from "cdktf";
import { FIRST_BOOT_MARKER } from "../userdata/base";

/** Seconds to wait for first boot to finish (packages, Jenkins plugins...). */
const READINESS_TIMEOUT_S = 1800;

/**
 * What the check runs on the server. `cloud-init status --wait` exits 0 when first boot is
 * done, 1 on an error (a module failed: our runcmd under `set -e`, a package...), and since
 * cloud-init 23.4 (Debian 13) 2 when it is done with recoverable errors — deprecated keys,
 * warnings a module logged and went on. 2 passes only if the first boot's last step wrote
 * its marker (so every step of ours ran), and its warnings are printed; anything else fails.
 */
export function readinessCommand(timeoutSeconds: number): string {
  return [
    `sudo timeout ${timeoutSeconds} cloud-init status --wait >/dev/null; rc=$?`,
    "sudo cloud-init status --long",
    `if [ "$rc" -eq 2 ] && [ -e ${FIRST_BOOT_MARKER} ]; then echo "readiness: first boot done with recoverable errors (above): accepted, every step of it ran"; exit 0; fi`,
    "exit $rc",
  ].join("; ");
}

export interface ReadinessCheckProps {
  /** Server id: the check is redone when it changes. */
  readonly serverId: string;
  /** Address to SSH to (a floating IP, or a private address reached through `bastionHost`). */
  readonly host: string;
  /** Jump host to go through. @default direct connection */
  readonly bastionHost?: string;
  /** Login user, who must be allowed to run `cloud-init` with sudo. @default "factory" */
  readonly user?: string;
  /** @default READINESS_TIMEOUT_S */
  readonly timeoutSeconds?: number;
  /** Checks that must pass first (a server whose first boot needs another's, the jump host it goes through). @default none */
  readonly after?: ReadinessCheck[];
  /** What must exist before it can connect (the floating IP association of `host`). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class ReadinessCheck extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: ReadinessCheckProps) {
    super(scope, id);
    const user = props.user ?? ADMIN.name;
    const timeout = props.timeoutSeconds ?? READINESS_TIMEOUT_S;
    this.resource = new DataResource(this, "wait", {
      triggersReplace: { server_id: props.serverId },
      dependsOn: orNone([...(props.after ?? []).map((check) => check.resource), ...(props.dependsOn ?? [])]),
      // The admin's SSH agent holds the key; no key material is written anywhere.
      connection: {
        type: "ssh",
        host: props.host,
        user,
        agent: "true",
        timeout: "15m",
        bastionHost: props.bastionHost,
        bastionUser: props.bastionHost ? user : undefined,
      },
      provisioners: [{ type: "remote-exec", inline: [readinessCommand(timeout)] }],
    });
  }
}

function orNone<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

// Makes `cdktf deploy` wait for a server's first boot: a terraform_data resource (built
// into Terraform, no provider to install) that connects over SSH (through a jump host)
// and waits for `cloud-init status --wait`, failing the deploy when first boot failed.
// It runs again whenever the server is replaced.
import { Construct } from "constructs";
import { DataResource } from "cdktf";

/** Seconds to wait for first boot to finish (packages, Jenkins plugins...). */
export const READINESS_TIMEOUT_S = 1800;

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
  /** Checks that must pass first (a server whose first boot needs another's). @default none */
  readonly after?: ReadinessCheck[];
}

export class ReadinessCheck extends Construct {
  readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: ReadinessCheckProps) {
    super(scope, id);
    const user = props.user ?? "factory";
    const timeout = props.timeoutSeconds ?? READINESS_TIMEOUT_S;
    this.resource = new DataResource(this, "wait", {
      triggersReplace: { server_id: props.serverId },
      dependsOn: props.after?.map((check) => check.resource),
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
      provisioners: [
        {
          type: "remote-exec",
          inline: [
            `sudo timeout ${timeout} cloud-init status --wait >/dev/null; rc=$?; sudo cloud-init status --long; exit $rc`,
          ],
        },
      ],
    });
  }
}

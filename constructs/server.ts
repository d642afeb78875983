// One Nova server on a given port, configured by its user-data on first boot. Servers hold
// no data (volumes are attached from the data stack) and boot with a config drive, so
// first boot needs no metadata service. What a server was booted from is ignored after
// creation, and applied only when the server is deliberately rolled (`terraform apply
// -replace=...`), never by surprise: `user_data` forces replacement in the provider, and a
// changed `image_name` rebuilds the server (its root disk wiped) — which is also what any
// plan would do after the image is rotated in Glance (a new image under the same name,
// the old one renamed: the provider reads the server's image name back as the old one's).
import { Construct } from "constructs";
import { ComputeInstanceV2 } from "../.gen/providers/openstack/compute-instance-v2";
import type { ServerPort } from "./server-port";

export interface ServerProps {
  /** Nova name, `<env>-<role>[-<n>]`. */
  readonly name: string;
  readonly image: string;
  readonly flavor: string;
  /** The port it boots on (its address and security groups). */
  readonly port: ServerPort;
  /** Rendered `#cloud-config` text. */
  readonly userData: string;
  /** @default the scheduler's choice */
  readonly availabilityZone?: string;
  /** Nova key pair name (for the image's default user). @default none */
  readonly keyPair?: string;
  /** Server group (anti-affinity) to schedule into. @default none */
  readonly serverGroupId?: string;
  /** Extra metadata; `factory` and `role` are always set. @default {} */
  readonly metadata?: Record<string, string>;
  /**
   * Metadata keys whose value is set once, at create, and never updated (a value computed
   * anew at every plan, such as an expiry from `timestamp()`). @default none
   */
  readonly metadataSetAtCreate?: readonly string[];
  /**
   * Keep the server as booted: ignore later changes to its user-data and image, which
   * would replace or rebuild it (see above). Off for build-host templates: each build
   * applies its template afresh, so a template's new user-data or image is what the next
   * builds get, and `factory diff` says so instead of "not applied until rolled".
   * @default true
   */
  readonly keepAsBooted?: boolean;
  readonly envName: string;
  readonly role: string;
}

/**
 * Servers boot on pre-made ports, and a recreated server boots on the same port. Where
 * Nova defers deletes (reclaim_instance_interval > 0), a plain delete only soft-deletes:
 * the server, still holding its port, lingers as SOFT_DELETED — which the provider takes
 * for deleted — and the new server finds the port in use. forceDelete deletes at once, in
 * any state, and project members may call it (Nova's os-deferred-delete:force policy).
 */
const FORCE_DELETE = true;

/** What a single-server role (Jenkins, NFS) takes; the role adds its volumes. */
export interface RoleServerProps {
  /** The environment (the server's `factory` metadata). */
  readonly envName: string;
  /** Nova name, `<env>-<role>`. */
  readonly name: string;
  readonly image: string;
  readonly flavor: string;
  readonly availabilityZone: string;
  /** Its fixed port from the data stack. */
  readonly port: ServerPort;
  readonly userData: string;
  /** @default none */
  readonly keyPair?: string;
}

/** The server of a single-server role. */
export function roleServer(scope: Construct, role: string, props: RoleServerProps): Server {
  const { envName, name, image, flavor, availabilityZone, port, userData, keyPair } = props;
  return new Server(scope, "server", { name, envName, role, image, flavor, availabilityZone, port, userData, keyPair });
}

export class Server extends Construct {
  readonly instance: ComputeInstanceV2;

  constructor(scope: Construct, id: string, props: ServerProps) {
    super(scope, id);
    this.instance = new ComputeInstanceV2(this, "instance", {
      name: props.name,
      imageName: props.image,
      flavorName: props.flavor,
      availabilityZone: props.availabilityZone,
      keyPair: props.keyPair,
      configDrive: true,
      userData: props.userData,
      network: [{ port: props.port.id }],
      schedulerHints: props.serverGroupId ? [{ group: props.serverGroupId }] : undefined,
      metadata: { factory: props.envName, role: props.role, ...props.metadata },
      forceDelete: FORCE_DELETE,
      lifecycle: {
        ignoreChanges: [
          ...((props.keepAsBooted ?? true) ? ["user_data", "image_name", "image_id"] : []),
          ...(props.metadataSetAtCreate ?? []).map((key) => `metadata["${key}"]`),
        ],
      },
    });
  }

  get id(): string {
    return this.instance.id;
  }
}

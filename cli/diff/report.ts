// The result of comparing two synth outputs: what `factory diff` renders as markdown,
// text or JSON. The JSON format is this structure as is, so keep field names stable.

/** What Terraform would do to one resource. */
export type ResourceAction =
  | "add"
  | "remove"
  | "replace" // destroyed and created again (a ForceNew argument changed)
  | "rebuild" // a server rebuilt in place from a new image: its disk is wiped
  | "update" // changed in place
  | "deferred" // only arguments the resource ignores (`ignore_changes`) changed
  | "move"; // only its address changed (a `moved` block): renamed in the state, nothing else

/** What a changed argument does to its resource. */
export type ChangeEffect =
  | "replace" // ForceNew: the resource is replaced
  | "rebuild" // image of a server: rebuilt in place
  | "resize" // flavor of a server: resized in place, or replaced if the old flavor is gone
  | "update" // changed in place
  | "deferred"; // in `ignore_changes`: not applied until the resource is recreated

export interface AttributeChange {
  /** Dotted path of the argument, list indices as numbers (`network.0.uuid`). */
  readonly path: string;
  /** Normalized values (references resolved to construct paths); absent = not set. */
  readonly before?: unknown;
  readonly after?: unknown;
  readonly effect: ChangeEffect;
  /** A unified diff when both sides are multi-line text (rendered cloud-config). */
  readonly textDiff?: string;
  /** Why the effect applies, in words (e.g. "not applied until the server is rolled"). */
  readonly note?: string;
}

export interface ResourceDiff {
  /** Terraform address in its stack: `<type>.<logical id>`. */
  readonly address: string;
  readonly type: string;
  /** Construct path without the stack name (e.g. `servers/jenkins/instance`). */
  readonly path: string;
  /** For people: "server example-jenkins", "volume example-nfs-data". */
  readonly displayName: string;
  readonly action: ResourceAction;
  readonly changes: AttributeChange[];
  readonly notes: string[];
  /** Its address in the base, when a `moved` block brings it to `address` (whatever its action). */
  readonly movedFrom?: string;
}

type StackStatus = "added" | "removed" | "changed" | "unchanged";

export interface StackDiff {
  readonly name: string;
  readonly status: StackStatus;
  readonly resources: ResourceDiff[];
  /** Stack settings: provider and backend configuration, outputs (not cdktf's cross-stack plumbing). */
  readonly settings: AttributeChange[];
  /** What the stack's changes mean beyond its resources (build-host templates). */
  readonly note?: string;
}

export interface EnvironmentDiff {
  readonly name: string;
  readonly stacks: StackDiff[];
}

type FlagKind = "data-at-risk" | "security";

/** A finding a reviewer must see first. */
export interface Flag {
  readonly kind: FlagKind;
  readonly stack: string;
  readonly address: string;
  readonly displayName: string;
  readonly message: string;
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  replaced: number;
  rebuilt: number;
  deferred: number;
  /** Resources whose only change is their address (`moved`); moved ones that also change count there. */
  moved: number;
  dataAtRisk: number;
  security: number;
}

export interface DiffReport {
  readonly changed: boolean;
  readonly counts: DiffCounts;
  readonly flags: Flag[];
  readonly environments: EnvironmentDiff[];
}

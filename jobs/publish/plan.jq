# The rotation planner, a jq module (include "plan"). plan($mode; $name; $build;
# $cutoff; $inuse) takes the images of catalogue image $name in one region, as
# image_state (image-state.jq) gives them, and gives the ordered `openstack image`
# calls that bring the region to its target state, and what that target is. It is a pure
# function of the images' properties, so a run interrupted at any step and run
# again plans exactly the steps that are left.
#
# Roles come from properties, never from names:
#   published    factory_publish_seq set (the order of publication), not rolled back
#     latest     the published image with the highest sequence   -> <name>_latest
#     prev       the published image before it                    -> <name>_prev
#     dated      every older published image                      -> <name>_YYYYMMDD, hidden
#   rolled back  factory_rolled_back=true                          -> <name>_rolled_back_<build>, hidden
#   candidate    registered, never published                      -> name left as registered
#
# Arguments: $mode (publish | rollback | status), $name, $build (publish: the build
# to publish; rollback: the build to withdraw), $cutoff (YYYY-MM-DD: images built
# before it may be deleted; "" for no retention), $inuse (ids of images servers use).
# plan_lines renders a plan for the scripts as tab-separated lines (see lib.sh).

def plan($mode; $name; $build; $cutoff; $inuse):
  def published: map(select(.seq != null and (.rolled_back | not))) | sort_by(-.seq);

  def ymd: (.build_date // "unknown") | gsub("-"; "");

  # Publishing build $build: it gets the next sequence number, unless it already is
  # the latest (a rerun must not publish it again after a later build).
  def mark_publish:
    (published | .[0]) as $current
    | [.[] | select(.build_id == $build and .status == "active")] as $builds
    | if ($builds | length) == 0 then
        {state: ., actions: [], errors: ["no active image of build \($build) of \($name): register it (register.sh / upload-regions.sh) first"]}
      elif $current != null and $current.build_id == $build then
        {state: ., actions: [], errors: []}
      else
        ($builds | sort_by(.seq != null, .created_at, .id) | last) as $x
        | (([.[].seq // 0] | max) + 1) as $seq
        | {
            state: map(if .id == $x.id then .seq = $seq | .rolled_back = false | .visibility = .target_visibility else . end),
            # The catalogue's visibility first: it is the one change a cloud may refuse
            # (Glance lets only admins make an image public), and refused first, nothing
            # else has changed.
            actions: ((if $x.visibility != $x.target_visibility then [{
              say: "make build \($build) (\($x.id)) \($x.target_visibility), as the catalogue says",
              argv: ["set", "--\($x.target_visibility)", $x.id]
            }] else [] end) + [{
              say: "publish build \($build) (\($x.id)) as number \($seq)",
              argv: (["set", "--property", "factory_publish_seq=\($seq)"]
                + (if $x.rolled_back then ["--property", "factory_rolled_back=false"] else [] end)
                + [$x.id])
            }]),
            errors: []
          }
      end;

  # Rolling back build $build: every image of it is marked; the planner then makes the
  # published image before it the latest again.
  def mark_rollback:
    map(if .build_id == $build then .rolled_back = true else . end) as $after
    | {
        state: $after,
        actions: [.[] | select(.build_id == $build and (.rolled_back | not)) | {
          say: "withdraw build \($build) (\(.id))",
          argv: ["set", "--property", "factory_rolled_back=true", .id]
        }],
        errors: (if ($after | published | length) == 0 then ["no published image of \($name) other than build \($build): nothing to roll back to"] else [] end)
      };

  # The renames, in an order that never leaves the region without <name>_latest: the
  # new latest is named first (for a moment two images carry the name), then the old
  # one becomes _prev, then the older ones get their dated, hidden names.
  def converge:
    (published | to_entries | map(.value + {
      want_name: (if .key == 0 then "\($name)_latest" elif .key == 1 then "\($name)_prev" else "\($name)_\(.value | ymd)" end),
      want_hidden: (.key > 1)
    }))
    + (map(select(.rolled_back)) | map(. + {want_name: "\($name)_rolled_back_\(.build_id)", want_hidden: true}))
    | map(
        ([
          (if .name != .want_name then ["--name", .want_name] else empty end),
          (if .hidden != .want_hidden then [if .want_hidden then "--hidden" else "--unhidden" end] else empty end),
          (if .visibility != .target_visibility then ["--\(.target_visibility)"] else empty end)
        ] | add) as $flags
        | select($flags != null)
        | {say: "\(.name) -> \(.want_name) (build \(.build_id), \(.id)): \($flags | join(" "))", argv: (["set"] + $flags + [.id])}
      );

  # Retention: images built before $cutoff are deleted unless they are the latest or
  # the previous one, a server of the project uses them, or someone protected them.
  def retention:
    (published | .[0:2] | map(.id)) as $keep
    | map(select(
        .build_date != null and $cutoff != "" and .build_date < $cutoff
        and (.id as $id | $keep | index($id) | not)
      ))
    | sort_by(.build_date, .id)
    | {
        old: length,
        notes: [.[] | select(.protected or (.id as $id | $inuse | index($id))) | "keeping \(.name) (\(.id), built \(.build_date)): \(if .protected then "protected" else "used by a server" end)"],
        actions: [.[] | select((.protected | not) and (.id as $id | $inuse | index($id) | not)) | {
          say: "delete \(.name) (\(.id), built \(.build_date), before \($cutoff))",
          argv: ["delete", .id]
        }]
      };

  (if $mode == "publish" then mark_publish
   elif $mode == "rollback" then mark_rollback
   elif $mode == "status" then {state: ., actions: [], errors: []}
   else error("unknown mode \($mode)") end) as $marked
  | ($marked.state | converge) as $renames
  | (if $mode == "publish" then ($marked.state | retention) else {old: 0, notes: [], actions: []} end) as $retention
  | ($marked.state | published) as $published
  | {
      errors: $marked.errors,
      actions: ($marked.actions + $renames + $retention.actions),
      notes: $retention.notes,
      old: $retention.old,
      converged: (($marked.actions + $renames) | length == 0),
      latest: ($published[0] // null | if . then {build_id, id} else null end),
      prev: ($published[1] // null | if . then {build_id, id} else null end)
    };

# One line per fact, tab-separated, for bash to read without further jq calls:
#   error <message> | note <message> | old <count> | converged true|false
#   latest <build> <image id> ("-" when none) | action <description> <argv>...
def plan_lines:
  (.errors[] | ["error", .]),
  (.notes[] | ["note", .]),
  ["old", (.old | tostring)],
  ["converged", (.converged | tostring)],
  ["latest", (.latest.build_id // "-"), (.latest.id // "-")],
  (.actions[] | ["action", .say] + .argv)
  | @tsv;

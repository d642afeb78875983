# A jq module (include "image-state"): image_state($project) turns the outputs of
# `openstack image show -f json` (slurped into an array) into the facts the planner
# (plan.jq) needs, keeping only the images owned by $project. openstackclient
# versions differ in where os_hidden appears (top level, or among the properties)
# and in how booleans are spelled; all of them are accepted.

def truthy:
  if type == "boolean" then .
  elif type == "string" then (ascii_downcase | . == "true" or . == "yes")
  else false end;

def properties:
  if .properties == null then {}
  elif (.properties | type) == "object" then .properties
  else error("image \(.id): properties printed as text, not a JSON object: use a recent python-openstackclient")
  end;

def image_state($project):
  map(
    properties as $p
    | {
        id,
        name,
        status,
        owner,
        visibility,
        protected: (.protected | truthy),
        hidden: ([.os_hidden, .is_hidden, $p.os_hidden] | map(select(. != null)) | (.[0] // false) | truthy),
        created_at: (.created_at // ""),
        build_id: ($p.factory_build_id // null),
        build_date: ($p.factory_build_date // null),
        seq: ($p.factory_publish_seq | if . == null then null else tonumber end),
        rolled_back: ($p.factory_rolled_back | truthy),
        target_visibility: ($p.factory_visibility // .visibility)
      }
  )
  | map(select(.owner == $project))
  | sort_by(.created_at, .id);

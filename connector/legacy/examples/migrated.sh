#!/bin/sh
# The same calls, unchanged, on the Public API: the token is a Public API token
# (SEGMENT_API_TOKEN) and `segment-connector legacy run` translates each call.
set -eu
WS=${WS:-my-workspace}
legacy() { segment-connector legacy run "$@"; }

legacy POST "/v1beta/workspaces/$WS/sources" \
  --body "{\"source\": {\"name\": \"workspaces/$WS/sources/web\",
           \"catalog_name\": \"catalog/sources/javascript\"}}"
legacy POST "/v1beta/workspaces/$WS/sources/web/destinations" \
  --body "{\"destination\": {\"name\": \"workspaces/$WS/sources/web/destinations/amplitude\",
           \"enabled\": true, \"config\": [{\"name\": \"workspaces/$WS/sources/web/destinations/amplitude/config/apiKey\",
           \"type\": \"string\", \"value\": \"$AMPLITUDE_KEY\"}]}}"
legacy PATCH "/v1beta/workspaces/$WS/sources/web/destinations/amplitude" \
  --body '{"destination": {"enabled": false}, "update_mask": {"paths": ["destination.enabled"]}}'
legacy GET "/v1beta/workspaces/$WS/sources/web/destinations"

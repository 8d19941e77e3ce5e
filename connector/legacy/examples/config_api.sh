#!/bin/sh
# Make a web source with an Amplitude destination, then pause the destination (Config API).
set -eu
API=https://platform.segmentapis.com/v1beta
WS=${WS:-my-workspace}
AUTH="Authorization: Bearer $CONFIG_API_TOKEN"

curl -sf -X POST "$API/workspaces/$WS/sources" -H "$AUTH" \
  -d "{\"source\": {\"name\": \"workspaces/$WS/sources/web\",
       \"catalog_name\": \"catalog/sources/javascript\"}}"
curl -sf -X POST "$API/workspaces/$WS/sources/web/destinations" -H "$AUTH" \
  -d "{\"destination\": {\"name\": \"workspaces/$WS/sources/web/destinations/amplitude\",
       \"enabled\": true, \"config\": [{\"name\": \"workspaces/$WS/sources/web/destinations/amplitude/config/apiKey\",
       \"type\": \"string\", \"value\": \"$AMPLITUDE_KEY\"}]}}"
curl -sf -X PATCH "$API/workspaces/$WS/sources/web/destinations/amplitude" -H "$AUTH" \
  -d '{"destination": {"enabled": false}, "update_mask": {"paths": ["destination.enabled"]}}'
curl -sf "$API/workspaces/$WS/sources/web/destinations" -H "$AUTH"

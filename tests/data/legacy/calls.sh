#!/bin/bash
# Config API calls as shell scripts held them.
TOKEN=$(cat ~/.segment-config-token)
WS=acme
curl -s https://platform.segmentapis.com/v1beta/workspaces -H "Authorization: Bearer $TOKEN"
curl -s "https://platform.segmentapis.com/v1beta/workspaces/$WS/sources?page_size=50" \
  -H "Authorization: Bearer $TOKEN"
curl -s -X PATCH "https://platform.segmentapis.com/v1beta/workspaces/${WS}/sources/web/destinations/google-analytics" \
  -H "Authorization: Bearer $TOKEN" \
  -d '{"destination": {"enabled": false}, "update_mask": {"paths": ["destination.enabled"]}}'
curl -s --request DELETE https://platform.segmentapis.com/v1beta/workspaces/$WS/regulations/reg_1
curl -s -d '{"display_name": "ci"}' https://platform.segmentapis.com/v1beta/access-tokens

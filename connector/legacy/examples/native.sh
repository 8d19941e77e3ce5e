#!/bin/sh
# The end state: Public API actions by id, no translation (jq reads the ids).
set -eu
run() { segment-connector run "$@"; }

JS=$(segment-connector picklist sourcesCatalog | jq -r '.result[] | select(.label == "Javascript") | .key')
SOURCE=$(run createSource -i slug=web -i enabled=true -i metadataId="$JS" | jq -r .data.data.source.id)
AMP=$(segment-connector picklist destinationsCatalog | jq -r '.result[] | select(.label == "Amplitude") | .key')
DEST=$(run createDestination -i sourceId="$SOURCE" -i metadataId="$AMP" -i enabled=true \
  -i settings="{\"apiKey\": \"$AMPLITUDE_KEY\"}" | jq -r .data.data.destination.id)
run updateDestination -i destinationId="$DEST" -i enabled=false
run listConnectedDestinationsFromSource -i sourceId="$SOURCE"

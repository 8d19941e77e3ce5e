"""The legacy Config API (`platform.segmentapis.com/v1beta`) run on the Public API.

A Config API call (method, `/v1beta/...` path, query, body) is matched against
the mapping table (`endpoints.json`), turned into Public API actions run
through the normal runtime, and answered in the Config API's shape. Modules:
`table` (the mapping data), `run` (one call, end to end), `plan` (its steps
and the per-run `Bridge`), `resolve` (slugs to ids), `mask` (update_mask),
`pages` (page tokens), `settings` (config[] lists), `rules` (tracking-plan
rules), `filters` (filter actions), `fields` (renames), `handlers` (one
function per endpoint), `errors`, `explain`, `scan` (with `clients` for the
client libraries), `guide` (docs/config-api.md) and `cli` (`segment-connector
legacy`).
"""

"""`segment-connector serve`: the connector over HTTP, for flow builders in any language.

An optional extra (`pip install -e '.[serve]'` in a checkout; FastAPI + uvicorn);
nothing here is imported unless the `serve` command runs. Every call goes
through the same runtime as the CLI and the Python API.

HTTP API, version 1 (JSON in, JSON out)
---------------------------------------

Credentials, per request (kept for that request only, never logged):

- `X-Segment-Token: <token>`: the workspace's Public API token, or
- `X-Segment-Profile: <name>`: a profile of the server's config file;
- `X-Segment-Region: api | eu1.api` (optional; a profile's own region wins
  when the header is absent).

The API base URL is the operator's (`--base-url`, the config file or
`SEGMENT_BASE_URL`, else the region's host); no request can change it.

Service keys: with keys configured, every `/v1` call needs
`Authorization: Bearer <service key>` (401 otherwise); a key limited to some
profiles gets 403 for the others (a token of the caller's own is still
allowed). `/healthz` and `/readyz` need none.

Endpoints:

- `GET  /v1/manifest`: the manifest (as `manifest.json`).
- `GET  /v1/actions/{key}`: one action's manifest entry.
- `POST /v1/actions/{key}/run` `{"inputs": {...}}` -> `{"data": <API body>}`.
- `POST /v1/actions/{key}/dry-run` `{"inputs": {...}}` -> the request that
  would be sent (`method`, `url`, `headers`, `body`, ...), token masked.
- `POST /v1/actions/{key}/items` `{"inputs": {...}}` ->
  `application/x-ndjson`: one item of the listing per line, page by page; a
  failure after the first line ends the stream with `{"error": <problem>}`.
- `POST /v1/picklists/{key}` `{"inputs": {..., "filter", "pageToken",
  "maxItems"}}` -> `{"result": [{"label", "key"}], "truncated": bool,
  "nextPageToken"?: str}`.
- `POST /v1/triggers/{key}/poll` `{"inputs": {...}, "state": {...}|null}` ->
  `{"events": [...], "state": {...}}` (`Runtime.poll`: each event once; keep
  the state and send it with the next poll).
- `POST /v1/check` (no body) -> `{"workspace": {"id", "name", "slug"},
  "region", "baseUrl"}`.
- `GET  /metrics`: Prometheus metrics of every call (`connector.metrics`),
  behind the service keys when there are any.
- `GET  /healthz` -> `{"status": "ok"}`; `GET /readyz` -> `{"status": "ready",
  "actions": N, "picklists": M}` (503 until the plugins are loaded).
- `GET  /openapi.json` (every action's, picklist's and trigger's input schema
  as `Inputs_<key>`, `PicklistInputs_<key>`, `TriggerInputs_<key>`),
  `GET /docs` (served locally, no CDN), `GET /` (the playground page, from
  `static/`), `/static/...`.
- `POST /mcp`: the MCP server (`connector.mcp`) as streamable HTTP, with the
  `mcp` extra installed; the same headers carry its credentials.

Policies (`connector.policy`): a service key's (`policy` in its table), the
profile's (`[profiles.NAME.policy]`), and `serve --read-only`'s apply to
every call; a refusal is 403 with `code` `policy` naming the policy and rule.

Errors are RFC 9457 problem details (`application/problem+json`):
`{"type", "title", "status", "detail", "code", "category", "retryable",
"instance"}`, plus `fields` (input name -> problem) for input errors,
`suggestions` for an unknown action, picklist or trigger, `retryAfter` (and a
`Retry-After` header) for 429, and the API's `errors` envelope and `apiStatus`
when it answered. Statuses: bad input 400 (a body that is not JSON) or 422
(inputs the action refuses), no credentials or service key 401, unknown
action/picklist/trigger/profile 404, a service key not allowed that profile
403, the API's own 401/403/404/409/422 as it said, rate limited 429, body too
large 413, the API failed or the connection was lost 502, no answer in time
504, still loading 503, a bug 500 (never a traceback).

Refused before any route runs (`guard`, `bodies`, `limits`): a Host the
service does not serve, another origin, a cross-site fetch 403; a body that is
not JSON 415; a body not arriving in time 408, or while bodies still arriving
hold the budget 503; headers too large or too many 431, or not arriving in
time 408.
"""

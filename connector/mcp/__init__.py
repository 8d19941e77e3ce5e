"""MCP (Model Context Protocol): every action as tools an agent can call, guarded by policy.

`segment-connector mcp` serves them over stdio, and `serve` mounts the same
server at `/mcp` as the streamable HTTP transport (the `mcp` extra: the
official MCP SDK, imported only there). Modules: `tools` (what is listed),
`server` (how each tool runs), `answers` (size caps and resumable
listings), `confirm` (confirmation tokens for dangerous calls), `cli`.
This package's own import loads nothing of the SDK.
"""

"""`/openapi.json` with every action's and picklist's inputs, and `/docs` served locally.

Each action's input schema (the manifest's `inputSchema`) becomes
`components.schemas.Inputs_<key>` and a path of its own,
`POST /v1/actions/<key>/run`, so generated clients get typed calls; picklists
and triggers likewise (`PicklistInputs_<key>`, `TriggerInputs_<key>`).

`/docs` is Swagger UI 5, which reads the OpenAPI 3.1 FastAPI writes (4.x cannot),
from the `swagger-ui-bundle-v2` package's files: nothing loads from a CDN. The
page (static/docs.html) runs no inline script, so a strict policy holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from connector import __version__
from connector.service.context import Service
from connector.service.openapi_doc import (
    answers,
    blank_allowed,
    document_problems,
    hoist_defs,
    request_body,
)
from connector.service.routes import BODY_MODELS

ASSETS = "/docs/assets"
PAGE = Path(__file__).resolve().parent / "static" / "docs.html"
# Swagger UI sets inline styles; scripts come only from this service.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
          "base-uri 'none'; form-action 'none'")
TITLE = "segment-connector service"
SECURITY = {
    "serviceKey": {"type": "http", "scheme": "bearer",
                   "description": "A service key (needed when the service has keys)."},
    "segmentToken": {"type": "apiKey", "in": "header", "name": "X-Segment-Token",
                     "description": "The workspace's Public API token, for this call only."},
    "segmentProfile": {"type": "apiKey", "in": "header", "name": "X-Segment-Profile",
                       "description": "A profile of the service's config file."},
}


# Per kind of manifest entry: schema name prefix, path, tag ("" : the action's area).
_PLACES = {"": ("Inputs", "/v1/actions/{key}/run", ""),
           "picklist": ("PicklistInputs", "/v1/picklists/{key}", "picklists"),
           "trigger": ("TriggerInputs", "/v1/triggers/{key}/poll", "triggers")}


def openapi_schema(app: FastAPI, service: Service) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=TITLE, version=__version__, routes=app.routes,
                         description="The Segment Public API connector over HTTP. "
                                     "Errors are RFC 9457 problem details.")
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = SECURITY
    for model in BODY_MODELS:  # the generic routes' bodies, read by the routes themselves
        schemas[model.__name__] = model.model_json_schema()
    schema["security"] = [{"serviceKey": [], "segmentToken": []},
                          {"serviceKey": [], "segmentProfile": []}]
    entries = service.entries()
    for name, entry in sorted(entries.items()):
        kind, _, _ = name.rpartition(":")  # "" (an action), "picklist" or "trigger"
        key = entry["key"]
        prefix, path, tag = _PLACES[kind]
        ref = f"{prefix}_{key}"
        inputs = hoist_defs(entry["inputSchema"], ref, schemas)
        schemas[ref] = blank_allowed(inputs)
        schema["paths"][path.format(key=key)] = {"post": {
            "summary": entry.get("display", key),
            "description": entry.get("description", ""),
            "operationId": f"{kind or 'run'}_{key}",
            "tags": [tag or entry.get("area") or "actions"],
            "requestBody": request_body(kind, ref, inputs),
            "responses": answers(kind),
        }}
    document_problems(schema)
    app.openapi_schema = schema
    return schema


def mount_docs(app: FastAPI, service: Service) -> None:
    """`/openapi.json` (made on first request) and `/docs` with local assets."""
    from swagger_ui_bundle import swagger_ui_path

    app.openapi = lambda: openapi_schema(app, service)  # type: ignore[method-assign]
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    page = PAGE.read_text(encoding="utf-8")  # a package file: read once

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page,
                            headers={"Content-Security-Policy": POLICY})

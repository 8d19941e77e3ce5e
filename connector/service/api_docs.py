"""`/openapi.json` with every action's and picklist's inputs, and `/docs` served locally.

Each action's input schema (the manifest's `inputSchema`) becomes
`components.schemas.Inputs_<key>` and a path of its own,
`POST /v1/actions/<key>/run`, so generated clients get typed calls. The Swagger
UI page and its assets come from the `swagger-ui-bundle` package: nothing
loads from a CDN.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from connector import __version__
from connector.service.context import Service

ASSETS = "/docs/assets"
TITLE = "segment-connector service"
SECURITY = {
    "serviceKey": {"type": "http", "scheme": "bearer",
                   "description": "A service key (needed when the service has keys)."},
    "segmentToken": {"type": "apiKey", "in": "header", "name": "X-Segment-Token",
                     "description": "The workspace's Public API token, for this call only."},
    "segmentProfile": {"type": "apiKey", "in": "header", "name": "X-Segment-Profile",
                       "description": "A profile of the service's config file."},
}


def openapi_schema(app: FastAPI, service: Service) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=TITLE, version=__version__, routes=app.routes,
                         description="The Segment Public API connector over HTTP. "
                                     "Errors are RFC 9457 problem details.")
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = SECURITY
    schema["security"] = [{"serviceKey": [], "segmentToken": []},
                          {"serviceKey": [], "segmentProfile": []}]
    entries = service.entries()
    for name, entry in sorted(entries.items()):
        is_picklist = name.startswith("picklist:")
        key = entry["key"]
        ref = f"{'PicklistInputs' if is_picklist else 'Inputs'}_{key}"
        schemas[ref] = copy.deepcopy(entry["inputSchema"])
        body = {"type": "object", "additionalProperties": False,
                "properties": {"inputs": {"$ref": f"#/components/schemas/{ref}"}}}
        path = f"/v1/picklists/{key}" if is_picklist else f"/v1/actions/{key}/run"
        schema["paths"][path] = {"post": {
            "summary": entry.get("display", key),
            "description": entry.get("description", ""),
            "operationId": f"{'picklist' if is_picklist else 'run'}_{key}",
            "tags": ["picklists" if is_picklist else entry.get("area") or "actions"],
            "requestBody": {"required": False,
                            "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "The answer",
                                  "content": {"application/json": {"schema": {}}}},
                          "default": {"description": "A problem (RFC 9457)",
                                      "content": {"application/problem+json": {
                                          "schema": {"type": "object"}}}}},
        }}
    app.openapi_schema = schema
    return schema


def mount_docs(app: FastAPI, service: Service) -> None:
    """`/openapi.json` (made on first request) and `/docs` with local assets."""
    from swagger_ui_bundle import swagger_ui_path

    app.openapi = lambda: openapi_schema(app, service)  # type: ignore[method-assign]
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE,
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")

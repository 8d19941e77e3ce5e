"""The fixed part of a new workspace: catalog entries, roles, a user and a space.

Metadata ids are those the seed products' examples use, so their example
payloads work against the simulator unchanged.
"""

from __future__ import annotations

from typing import Any

_CDN = "https://cdn.filepicker.io/api/file/"


def _option(name: str, required: bool = True, type_: str = "string",
            default: Any = None, label: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": type_, "required": required}
    if default is not None:
        out["defaultValue"] = default
    if label:
        out["label"] = label
    return out


def _source(id_: str, slug: str, name: str, category: str, cloud: bool = False,
            options: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": id_, "slug": slug, "name": name, "categories": [category],
            "description": f"{name} source.", "logos": {"default": f"{_CDN}{slug}-default.svg"},
            "options": options or [], "isCloudEventSource": cloud, "status": "PUBLIC"}


def _destination(id_: str, slug: str, name: str, category: str,
                 options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": id_, "slug": slug, "name": name, "description": f"{name} destination.",
        "logos": {"default": f"{_CDN}{slug}-default.svg"}, "options": options,
        "categories": [category], "website": f"https://www.{slug}.com", "components": [],
        "previousNames": [name], "status": "PUBLIC", "actions": [], "presets": [],
        "supportedMethods": {"track": True, "identify": True, "pageview": True,
                             "group": True, "alias": True},
        "supportedPlatforms": {"browser": True, "server": True, "mobile": True},
        "supportedFeatures": {"replay": False},
    }


def _warehouse(id_: str, slug: str, name: str, description: str,
               options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": id_, "slug": slug, "name": name, "description": description,
            "logos": {"default": f"https://d3hotuclm6if1r.cloudfront.net/logos/{slug}-default.svg"},
            "options": options}


SOURCE_METADATA: list[dict[str, Any]] = [
    _source("IqDTy1TpoU", "javascript", "Javascript", "Website"),
    _source("UBrsG9RVzw", "ios", "iOS", "Mobile"),
    _source("rQ1pI4Q6Ae", "android", "Android", "Mobile"),
    _source("xRxQ1grfHd", "http-api", "HTTP API", "Server"),
    _source("1bow82lmk", "stripe", "Stripe", "Payments", cloud=False),
]

DESTINATION_METADATA: list[dict[str, Any]] = [
    _destination("57da359580412f644ff33fb9", "amazon-kinesis", "Amazon Kinesis", "Analytics", [
        _option("region", default="us-west-2", label="AWS Kinesis Stream Region"),
        _option("roleAddress", label="Role Address"),
        _option("secretId", label="Secret ID"),
        _option("stream", label="AWS Kinesis Stream Name"),
    ]),
    _destination("54521fd525e721e32a72ee91", "amplitude", "Amplitude", "Analytics", [
        _option("apiKey", label="API Key"),
    ]),
    _destination("54521fd725e721e32a72eec6", "webhooks", "Webhooks", "Raw Data", [
        _option("hooks", required=False, type_="array", label="Webhooks"),
    ]),
]

WAREHOUSE_METADATA: list[dict[str, Any]] = [
    _warehouse("55d3d3aea3c", "postgres", "Postgres", "Open source data warehouse", [
        _option("hostname"), _option("port"), _option("database"),
        _option("username"), _option("password"),
    ]),
    _warehouse("ba9b8e5a40", "snowflake", "Snowflake", "Cloud data warehouse", [
        _option("account"), _option("database"), _option("warehouse"),
        _option("username"), _option("password"),
    ]),
]

ROLES: list[dict[str, Any]] = [
    {"id": "1xL6TqBk3zHiSsXkZPdHB9Nz7Ln", "name": "Workspace Owner",
     "description": "Full access to the workspace."},
    {"id": "1xL6TpRkRy3LR6ASGxYrTnQqBOt", "name": "Workspace Member",
     "description": "Access to resources granted separately."},
    {"id": "1xL6TtOgjcBx6R1xDr4Z7yGmvxh", "name": "Source Admin",
     "description": "Read and edit access to the sources it is granted."},
    {"id": "1xL6TqUqLUWX8TS3VoCiBkQhk0K", "name": "Source Read-only",
     "description": "Read access to the sources it is granted."},
]

USERS: list[dict[str, Any]] = [
    {"id": "1bOHeKJg5BbFhoQqBsgk6xZYi1D", "name": "Ada Owner", "email": "owner@example.com",
     "permissions": [{"roleId": ROLES[0]["id"], "roleName": ROLES[0]["name"],
                      "resources": [{"id": "", "type": "WORKSPACE"}]}]},
    {"id": "2M3QGZg7gCRNYiLbP8ECmnpn2Zm", "name": "Bo Member", "email": "member@example.com",
     "permissions": []},
]

SPACES: list[dict[str, Any]] = [
    {"id": "spa_9aQ1Lj62S4bomZKLF4DPqW", "name": "Production", "slug": "production"},
]

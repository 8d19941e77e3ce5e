"""Event delivery metrics: the nearest Delivery Overview series and summaries."""

from __future__ import annotations

import re
from typing import Any

from connector.errors import InputError
from connector.legacy.handlers import handles
from connector.legacy.handlers.destinations import target
from connector.legacy.plan import Plan

_GRANULARITIES = ("MINUTE", "HOUR", "DAY")


def _window(plan: Plan, required: bool = True) -> dict[str, Any]:
    """startTime, endTime and granularity from the query (or the body)."""
    out: dict[str, Any] = {}
    for config, public in (("start_time", "startTime"), ("end_time", "endTime"),
                           ("granularity", "granularity")):
        value = plan.query.get(config) or plan.body.get(config)
        if value:
            out[public] = str(value).upper() if public == "granularity" else str(value)
    if required:
        missing = [c for c, p in (("start_time", "startTime"), ("end_time", "endTime"))
                   if p not in out]
        if missing:
            raise InputError({m: "is required: an ISO 8601 time" for m in missing}, "legacy")
        out.setdefault("granularity", "HOUR")
    if out.get("granularity") and out["granularity"] not in _GRANULARITIES:
        raise InputError({"granularity": f"must be one of {', '.join(_GRANULARITIES)}"},
                         "legacy")
    return out


def _series(plan: Plan, op: str, metric: str) -> dict[str, Any]:
    src, dst = target(plan)
    data = plan.call(op, {"sourceId": src["id"], "destinationConfigId": dst["id"],
                          **_window(plan)})
    return {"name": f"{plan.ws}/sources/{plan.params['src']}/destinations/"
                    f"{plan.params['dst']}/metrics/{metric}", "series": data}


def _names(plan: Plan, what: str) -> list[Any]:
    """`names` from the body (a list) or the query (comma-separated)."""
    names = plan.body.get("names") or [n for n in plan.query.get("names", "").split(",") if n]
    if not isinstance(names, list) or not names:
        raise InputError({"names": f"give {what}, a list"}, "legacy")
    return names


_NEAREST = ("the Config API metric {m} has no Public API counterpart; the series is "
            "Delivery Overview's {kind} deliveries")
_FAILED = re.compile(r"fail|error|discard|retr|reject", re.I)


def _nearest(plan: Plan, metric: str) -> dict[str, Any]:
    """The Delivery Overview series nearest to a Config API metric, with its warning."""
    failed = bool(_FAILED.search(metric))
    plan.warnings.append(_NEAREST.format(m=metric, kind="failed" if failed else "successful"))
    op = ("getEgressFailedMetricsFromDeliveryOverview" if failed
          else "getEgressSuccessMetricsFromDeliveryOverview")
    return _series(plan, op, metric)


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/metrics/{metric}")
def get_metric(plan: Plan) -> dict[str, Any]:
    return _nearest(plan, plan.params["metric"])


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/metrics:batchGet",
         "POST /workspaces/{ws}/sources/{src}/destinations/{dst}/metrics:batchGet")
def batch_get_metrics(plan: Plan) -> dict[str, Any]:
    names = _names(plan, "the metric names to read")
    return {"metrics": [_nearest(plan, str(name).rsplit("/", 1)[-1]) for name in names]}


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/metrics")
def list_metrics(plan: Plan) -> dict[str, Any]:
    plan.warnings.append("only Delivery Overview's successful and failed delivery series "
                         "exist on the Public API; other Config API metrics are left out")
    return {"metrics": [
        _series(plan, "getEgressSuccessMetricsFromDeliveryOverview", "successful_deliveries"),
        _series(plan, "getEgressFailedMetricsFromDeliveryOverview", "failed_deliveries")],
        "next_page_token": ""}


def _summary(plan: Plan, src: dict[str, Any], dst: dict[str, Any], name: str) -> dict[str, Any]:
    data = plan.call("listDeliveryMetricsSummaryFromDestination",
                     {"destinationId": dst["id"], "sourceId": src["id"],
                      **_window(plan, required=False)})
    return {"name": name, "summary": data.get("deliveryMetricsSummary", data)}


@handles("GET /workspaces/{ws}/sources/{src}/destinations/{dst}/metrics:getSummary")
def get_summary(plan: Plan) -> dict[str, Any]:
    src, dst = target(plan)
    return _summary(plan, src, dst, f"{plan.ws}/sources/{plan.params['src']}/destinations/"
                                    f"{plan.params['dst']}")


@handles("GET /workspaces/{ws}/event-delivery-metrics:batchGetSummary",
         "POST /workspaces/{ws}/event-delivery-metrics:batchGetSummary")
def batch_summary(plan: Plan) -> dict[str, Any]:
    names = _names(plan, "source/destination names")
    out = []
    for at, name in enumerate(names):
        parts = str(name).strip("/").split("/")
        if len(parts) != 6 or parts[:2] != plan.ws.split("/") or parts[2] != "sources" \
                or parts[4] != "destinations":
            raise InputError({f"names[{at}]": f"must be {plan.ws}/sources/SRC/destinations/DST"},
                             "legacy")
        src = plan.resolver.source(plan, parts[3])
        dst = plan.resolver.destination(plan, src, parts[5])
        out.append(_summary(plan, src, dst, str(name)))
    return {"summaries": out}

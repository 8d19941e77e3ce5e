"""Catalogue tags (API areas), their names as people write them, and their plugin modules."""

from __future__ import annotations

import re

# One module per tag: actions/<module>.py and actions/examples/<module>.json.
TAG_MODULES: dict[str, str] = {
    "Activations": "activations",
    "APICalls": "api_calls",
    "Audiences": "audiences",
    "AuditTrail": "audit_trail",
    "Catalog": "catalog",
    "ComputedTraits": "computed_traits",
    "Credentials": "credentials",
    "CustomerInsights": "customer_insights",
    "Dbt": "dbt",
    "DeletionAndSuppression": "deletion_and_suppression",
    "DeliveryOverview": "delivery_overview",
    "DestinationFilters": "destination_filters",
    "Destinations": "destinations",
    "Events": "events",
    "Functions": "functions",
    "IAMGroups": "iam_groups",
    "IAMRoles": "iam_roles",
    "IAMUsers": "iam_users",
    "Labels": "labels",
    "LivePlugins": "live_plugins",
    "MonthlyTrackedUsers": "monthly_tracked_users",
    "ProfilesSync": "profiles_sync",
    "ReverseETL": "reverse_etl",
    "SelectiveSync": "selective_sync",
    "Sources": "sources",
    "SpaceFilters": "space_filters",
    "SpaceSchemaAPI": "space_schema_api",
    "Spaces": "spaces",
    "Testing": "testing",
    "TrackingPlans": "tracking_plans",
    "Transformations": "transformations",
    "Warehouses": "warehouses",
    "Workspaces": "workspaces",
}


def module_for_tag(tag: str) -> str:
    """`ReverseETL` -> `reverse_etl`; unknown tags raise KeyError."""
    try:
        return TAG_MODULES[tag]
    except KeyError:
        raise KeyError(f"no action module for catalogue tag {tag!r}") from None


# Tags whose words do not split well.
_TITLES = {"Dbt": "dbt", "APICalls": "API Calls", "SpaceSchemaAPI": "Space Schema"}


def title_for(area: str) -> str:
    """An area as people write it: `ReverseETL` -> `Reverse ETL`, `DeletionAndSuppression`
    -> `Deletion and Suppression`; a name with spaces already (`Raw Request`) stays."""
    if area in _TITLES:
        return _TITLES[area]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", area)
    return spaced.replace(" And ", " and ").strip() or "Other"

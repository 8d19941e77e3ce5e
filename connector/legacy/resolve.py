"""Config API names to Public API ids, with a cache per run.

Config API paths name things by slug (workspace, source, destination type,
catalog entry); the Public API wants ids. Each lookup lists once per run and
is cached; a write that adds or removes a resource forgets its kind. The
workspace in the path must be the token's own (a 404 otherwise, as the Config
API answered for a workspace the token cannot see).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector.legacy.errors import AmbiguousSlugError, not_found

if TYPE_CHECKING:
    from connector.legacy.plan import Plan


class Resolver:
    """Slug -> resource lookups of one run."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def forget(self, *kinds: str) -> None:
        for kind in kinds:
            for key in [k for k in self._cache if k == kind or k.startswith(kind + ":")]:
                del self._cache[key]

    def _listing(self, plan: Plan, kind: str, op: str, inputs: dict[str, Any] | None = None
                 ) -> list[dict[str, Any]] | None:
        """Every item of `op` (cached under `kind`); None in a dry run."""
        if plan.dry:
            list(plan.items(op, inputs))
            return None
        if kind not in self._cache:
            self._cache[kind] = [i for i in plan.items(op, inputs) if isinstance(i, dict)]
        return list(self._cache[kind])

    def workspace(self, plan: Plan, slug: str) -> dict[str, Any]:
        """The token's workspace, when `slug` names it; NotFoundError otherwise."""
        if plan.dry:  # the check is shown once per run, as it would be sent
            if "workspace-shown" not in self._cache:
                self._cache["workspace-shown"] = plan.call("getWorkspace")
            return {"slug": slug, "id": plan.placeholder("id of the token's workspace"),
                    "name": slug}
        if "workspace" not in self._cache:
            self._cache["workspace"] = plan.call("getWorkspace").get("workspace") or {}
        ws = self._cache["workspace"]
        if ws.get("slug") != slug:
            raise not_found("workspace", f"workspaces/{slug}")
        return dict(ws)

    def source(self, plan: Plan, slug: str) -> dict[str, Any]:
        found = self._listing(plan, "sources", "listSources")
        if found is None:
            return {"id": plan.placeholder(f"id of source {slug}"), "slug": slug,
                    "metadata": {"slug": "", "isCloudEventSource": False}}
        for item in found:
            if item.get("slug") == slug:
                return item
        raise not_found("source", f"{plan.ws}/sources/{slug}")

    def source_slug(self, plan: Plan, source_id: str) -> str | None:
        """The slug of the source with `source_id` (None when unknown or in a dry run)."""
        found = self._listing(plan, "sources", "listSources") or []
        return next((s.get("slug") for s in found if s.get("id") == source_id), None)

    def destination(self, plan: Plan, source: dict[str, Any], slug: str) -> dict[str, Any]:
        """The one destination of catalog type `slug` on `source`; ambiguity is an error."""
        found = self._listing(plan, f"destinations:{source['id']}",
                              "listConnectedDestinationsFromSource", {"sourceId": source["id"]})
        name = f"{plan.ws}/sources/{source.get('slug')}/destinations/{slug}"
        if found is None:
            return {"id": plan.placeholder(f"id of destination {slug}"), "settings": {},
                    "metadata": {"slug": slug, "options": []}}
        hits = [d for d in found if (d.get("metadata") or {}).get("slug") == slug]
        if not hits:
            raise not_found("destination", name)
        if len(hits) > 1:
            both = " and ".join(f"{d.get('id')} ({d.get('name') or 'no name'})" for d in hits)
            raise AmbiguousSlugError({"destination": f"{name} names {len(hits)} destinations: "
                                                     f"{both}; call the Public API actions "
                                                     "with the destination id"}, "legacy")
        return hits[0]

    def catalog(self, plan: Plan, kind: str, slug: str) -> dict[str, Any]:
        """The catalog entry (`sources` or `destinations`) of type `slug`."""
        op = "getSourcesCatalog" if kind == "sources" else "getDestinationsCatalog"
        found = self._listing(plan, f"catalog-{kind}", op)
        if found is None:
            return {"id": plan.placeholder(f"id of catalog/{kind}/{slug}"), "slug": slug,
                    "options": []}
        for item in found:
            if item.get("slug") == slug:
                return item
        raise not_found("catalog entry", f"catalog/{kind}/{slug}")

    def tracking_plan(self, plan: Plan, ref: str) -> dict[str, Any]:
        """The tracking plan whose id (or slug) is `ref`."""
        found = self._listing(plan, "plans", "listTrackingPlans")
        if found is None:
            return {"id": ref, "name": ""}
        for item in found:
            if ref in (item.get("id"), item.get("slug")):
                return item
        raise not_found("tracking plan", f"{plan.ws}/tracking-plans/{ref}")

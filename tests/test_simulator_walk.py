"""Every catalogue operation, called with valid input, answers its documented 2xx status
with a body that fits its response schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from connector.simulator import Simulator, catalog
from connector.simulator.scenario import CLEANUP, Walk, order


def test_catalogue_has_201_operations() -> None:
    assert len(catalog.operations()) == 201


def test_every_operation_answers_its_schema() -> None:
    failures: list[str] = []
    with Simulator(seed=3) as sim:
        walk = Walk(sim)
        walk.setup()
        for op_id in order():
            op = catalog.operations()[op_id]
            r = walk.call(op_id)
            if r.status_code != op.status:
                failures.append(f"{op_id}: {r.status_code} {r.text[:200]}")
                continue
            errors = list(Draft202012Validator(catalog.schema(op.response_model))
                          .iter_errors(r.json()))
            if errors or "data" not in r.json():
                failures.append(f"{op_id}: schema: {errors[:1]}")
            if op_id in CLEANUP:
                undo, param, key = CLEANUP[op_id]
                made = r.json()["data"][key]["id"]
                assert walk.call(undo, params={param: made}).status_code == 200
        assert failures == []
        assert walk.ids["sourceId"] not in sim.state["sources"]  # deleteSource ran last


@pytest.mark.parametrize("op_id", ["getSource", "getDestination", "getWarehouse",
                                   "getFunction", "getTrackingPlan", "getReverseEtlModel",
                                   "getUserGroup", "listConnectedDestinationsFromSource"])
def test_unknown_parent_gives_404(op_id: str) -> None:
    with Simulator() as sim:
        walk = Walk(sim)
        walk.ids = {}
        op = catalog.operations()[op_id]
        r = walk.call(op_id, params={p: "rh5BDZp6QDHvXFCkibm1pR" for p in op.path_params})
        assert r.status_code == 404
        assert r.json()["errors"][0]["type"] == "not-found"

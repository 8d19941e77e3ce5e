"""Dropdowns that scale: a picklist cut at its cap says so, and its page token goes on."""

from __future__ import annotations

import pytest

from connector.connection import Connection
from connector.errors import InputError
from connector.runtime import Runtime
from connector.simulator import Simulator


@pytest.fixture
def rt(simulator: Simulator) -> Runtime:
    runtime = Runtime(Connection(token=simulator.token, base_url=simulator.base_url))
    for i in range(7):
        runtime.run("createSource", {"slug": f"page-src-{i}", "metadataId": "IqDTy1TpoU"})
    return runtime


def all_pages(rt: Runtime, inputs: dict[str, object]) -> list[list[dict[str, object]]]:
    pages, token = [], None
    while True:
        answer = rt.picklist("sources", {**inputs, **({"pageToken": token} if token else {})})
        pages.append(answer["result"])
        assert answer["truncated"] is ("nextPageToken" in answer)
        if not answer["truncated"]:
            return pages
        token = answer["nextPageToken"]


def test_a_picklist_past_its_cap_is_truncated_and_its_token_returns_the_rest(
        rt: Runtime) -> None:
    everything = rt.picklist("sources")
    assert everything["truncated"] is False
    pages = all_pages(rt, {"maxItems": 3})
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [o for page in pages for o in page] == everything["result"]


def test_paging_with_a_filter_keeps_the_filter(rt: Runtime) -> None:
    wanted = [o for o in rt.picklist("sources")["result"] if "page-src-" in str(o["label"])]
    pages = all_pages(rt, {"maxItems": 2, "filter": "PAGE-SRC-"})
    assert [o for page in pages for o in page] == wanted
    assert len(wanted) == 7


def test_search_matches_the_key_as_well_as_the_label(rt: Runtime) -> None:
    some = rt.picklist("sources")["result"][3]
    found = rt.picklist("sources", {"filter": str(some["key"]).upper()})["result"]
    assert some in found


def test_a_page_token_the_connector_did_not_give_is_an_input_error(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        rt.picklist("sources", {"pageToken": "sgc1:not-a-token"})
    assert "sources" in str(caught.value)

"""The MCP server through the SDK's own client: over stdio (`segment-connector mcp`, a real
subprocess) and over streamable HTTP (the service's `/mcp`), against the simulator."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from connector.connection import Connection
from connector.mcp.confirm import ConfirmationError, Confirmations, credential_id
from connector.mcp.tools import DYNAMIC
from connector.registry import Registry
from connector.runtime import Runtime
from connector.service.embedded import EmbeddedService
from connector.service.settings import load
from connector.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent


def writes(sim: Simulator) -> int:
    """Write requests the simulator received."""
    return sum(sim.received[m] for m in ("POST", "PUT", "PATCH", "DELETE"))
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
_registry = Registry.load()
Session = Callable[[Client], Awaitable[Any]]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def stdio(sim: Simulator, *args: str, config: Path | None = None) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT_")}
    if config is None:
        env.update(SEGMENT_API_TOKEN=sim.token, SEGMENT_BASE_URL=sim.base_url)
    else:
        env["SEGMENT_CONNECTOR_CONFIG"] = str(config)
    return StdioServerParameters(command=sys.executable, cwd=str(ROOT), env=env,
                                 args=["-m", "connector.cli", "mcp", *args])


def with_client(server: Any, session: Session) -> Any:
    async def main() -> Any:
        async with Client(server) as client:
            return await session(client)

    return asyncio.run(main())


def answer(result: Any) -> dict[str, Any]:
    assert result.structured_content is not None
    return dict(result.structured_content)


def tools_size(tools: Any) -> int:
    return len(json.dumps([t.model_dump(by_alias=True, exclude_none=True, mode="json")
                           for t in tools]).encode())


def make_source(sim: Simulator, slug: str) -> str:
    runtime = Runtime(Connection(token=sim.token, base_url=sim.base_url), _registry)
    made = runtime.run("createSource", {"slug": slug, "metadataId": "IqDTy1TpoU"})
    return str(made["data"]["data"]["source"]["id"])


# -- listing tools and running a read ----------------------------------------------------
def test_dynamic_mode_lists_a_few_tools_under_10kb_and_runs_a_read(sim: Simulator) -> None:
    source = make_source(sim, "mcp-read")

    async def session(client: Client) -> Any:
        listed = (await client.list_tools()).tools
        got = answer(await client.call_tool("run_action", {"key": "getSource",
                                                           "inputs": {"sourceId": source}}))
        found = answer(await client.call_tool("search_actions", {"query": "list sources"}))
        return listed, got, found

    listed, got, found = with_client(stdio(sim), session)
    assert [t.name for t in listed] == list(DYNAMIC)
    assert tools_size(listed) < 10_000
    assert got["data"]["data"]["source"]["slug"] == "mcp-read"
    assert found["actions"][0]["key"] == "listSources"


def test_toolsets_all_lists_every_action_with_its_safety(sim: Simulator, tmp_path: Path
                                                          ) -> None:
    for n in range(3):
        make_source(sim, f"mcp-all-{n}")
    async def session(client: Client) -> Any:
        listed = (await client.list_tools()).tools
        # The client checks the answer against the tool's output schema.
        workspace = answer(await client.call_tool("getWorkspace", {}))
        page = answer(await client.call_tool("listSources", {"count": 2, "maxBytes": 1000}))
        assert page["data"]["data"]["sources"] and "nextCursor" in page
        return listed, workspace

    areas = sorted({a["area"] for a in MANIFEST["actions"]})
    admin = sim_config(sim, tmp_path / "c.toml",
                       f'{{level = "admin", allow = {json.dumps(["*", *areas])}}}')
    listed, workspace = with_client(stdio(sim, "--toolsets", "all", "--profile", "mcp",
                                          config=admin), session)
    tools = {t.name: t for t in listed}
    assert {a["key"] for a in MANIFEST["actions"]} <= set(tools)
    for entry in MANIFEST["actions"]:
        hints = tools[entry["key"]].annotations
        assert hints is not None, entry["key"]
        assert hints.read_only_hint is (entry["safety"] == "read"), entry["key"]
        if entry["safety"] != "read":
            assert hints.destructive_hint is (entry["safety"] == "destructive"), entry["key"]
            assert hints.idempotent_hint is entry["idempotent"], entry["key"]
        assert hints.open_world_hint is True
        assert tools[entry["key"]].title == entry["display"]
    assert workspace["data"]["data"]["workspace"]["id"]


def sim_config(sim: Simulator, path: Path, policy: str, name: str = "mcp") -> Path:
    path.write_text(f'[profiles.{name}]\ntoken = "{sim.token}"\nbase_url = "{sim.base_url}"\n'
                    f"policy = {policy}\n", encoding="utf-8")
    return path


# -- confirmations -----------------------------------------------------------------------
def test_a_delete_runs_once_and_only_with_its_own_confirmation(sim: Simulator,
                                                               tmp_path: Path) -> None:
    config = sim_config(sim, tmp_path / "c.toml", '{level = "admin", allow = ["*", '
                        '"deleteSource"]}')
    first, other = make_source(sim, "mcp-del-a"), make_source(sim, "mcp-del-b")

    async def session(client: Client) -> Any:
        seen: list[Any] = []

        async def delete(source: str, token: str | None) -> dict[str, Any]:
            args: dict[str, Any] = {"key": "deleteSource", "inputs": {"sourceId": source}}
            if token is not None:
                args["confirmation"] = token
            before = writes(sim)
            result = await client.call_tool("run_action", args)
            seen.append((result.is_error, answer(result), writes(sim) - before))
            return answer(result)

        await delete(first, None)
        dry_other = answer(await client.call_tool(
            "dry_run_action", {"key": "deleteSource", "inputs": {"sourceId": other}}))
        await delete(first, dry_other["confirmation"])
        dry = answer(await client.call_tool(
            "dry_run_action", {"key": "deleteSource", "inputs": {"sourceId": first}}))
        await delete(first, dry["confirmation"])
        await delete(first, dry["confirmation"])
        return seen, dry

    seen, dry = with_client(stdio(sim, "--profile", "mcp", config=config), session)
    (no_token, wrong, right, again) = seen
    assert dry["request"]["method"] == "DELETE"
    for refused, reason in ((no_token, "needs a confirmation"), (wrong, "another call"),
                            (again, "already used")):
        assert refused[0] is True and refused[2] == 0
        assert refused[1]["error"]["code"] == "confirmation"
        assert reason in refused[1]["error"]["message"]
    assert right[0] is False and right[2] == 1
    assert first not in sim.state["sources"] and other in sim.state["sources"]


def test_a_confirmation_binds_the_credential_and_expires() -> None:
    now = [1000.0]
    confirmations = Confirmations(ttl_s=60, clock=lambda: now[0])
    inputs = {"sourceId": "src"}
    token, _ = confirmations.issue("deleteSource", inputs, credential_id("sgp_one"))
    with pytest.raises(ConfirmationError, match="another call"):
        confirmations.redeem(token, "deleteSource", inputs, credential_id("sgp_two"))
    with pytest.raises(ConfirmationError, match="another call"):
        confirmations.redeem(token, "deleteDestination", inputs, credential_id("sgp_one"))
    now[0] += 61
    with pytest.raises(ConfirmationError, match="expired"):
        confirmations.redeem(token, "deleteSource", inputs, credential_id("sgp_one"))
    with pytest.raises(ConfirmationError, match="not a token"):
        confirmations.redeem("yes", "deleteSource", inputs, credential_id("sgp_one"))
    fresh, _ = confirmations.issue("deleteSource", {**inputs, "region": None},
                                   credential_id("sgp_one"))
    confirmations.redeem(fresh, "deleteSource", inputs, credential_id("sgp_one"))  # blank: same


# -- policies ----------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["--read-only", "profile"])
def test_a_read_only_policy_hides_and_refuses_every_write(sim: Simulator, tmp_path: Path,
                                                          how: str) -> None:
    if how == "profile":
        params = stdio(sim, "--toolsets", "all", "--profile", "mcp",
                       config=sim_config(sim, tmp_path / "c.toml", '{level = "read"}'))
        name = "profile.mcp.policy"
    else:
        params = stdio(sim, "--toolsets", "all", "--read-only")
        name = "--read-only"

    async def session(client: Client) -> Any:
        listed = (await client.list_tools()).tools
        direct = await client.call_tool("createLabel", {"label": {"key": "k", "value": "v"}})
        dry = await client.call_tool("dry_run_action", {
            "key": "createLabel", "inputs": {"label": {"key": "k", "value": "v"}}})
        return listed, direct, dry

    before = writes(sim)
    listed, direct, dry = with_client(params, session)
    actions = [t for t in listed if t.name in {a["key"] for a in MANIFEST["actions"]}]
    assert actions and all(t.annotations and t.annotations.read_only_hint for t in actions)
    for result in (direct, dry):
        assert result.is_error
        error = answer(result)["error"]
        assert error["code"] == "policy" and error["policy"] == name
        assert name in error["message"]
    assert writes(sim) == before


# -- answers that fit ----------------------------------------------------------------------
def test_a_listing_past_the_cap_resumes_to_its_end(sim: Simulator) -> None:
    made = {make_source(sim, f"mcp-page-{n:02d}-{'x' * 40}") for n in range(25)}

    async def session(client: Client) -> Any:
        got: list[str] = []
        answers = []
        sizes: list[int] = []
        cursor: str | None = None
        for _ in range(200):
            inputs: dict[str, Any] = {"count": 7, "followAll": True}
            if cursor:
                inputs["cursor"] = cursor
            called = await client.call_tool("run_action", {
                "key": "listSources", "inputs": inputs, "maxBytes": 2500})
            sizes.append(len(called.content[0].text.encode()))  # type: ignore[union-attr]
            result = answer(called)
            answers.append(result)
            got += [s["id"] for s in result["data"]["data"]["sources"]]
            cursor = result.get("nextCursor")
            if not cursor:
                return got, answers, sizes
        raise AssertionError("the listing did not end")

    got, answers, sizes = with_client(stdio(sim), session)
    assert len(got) == len(set(got)) and made <= set(got)
    assert set(got) == set(sim.state["sources"])
    assert answers[0]["truncated"] is True and answers[-1]["truncated"] is False
    assert max(sizes) <= 2500 and len(answers) > 3


def test_errors_carry_the_typed_errors_facts(sim: Simulator) -> None:
    async def session(client: Client) -> Any:
        return [answer(await client.call_tool("run_action", args)) for args in (
            {"key": "getSource", "inputs": {"sourceId": "nope"}},
            {"key": "getSource", "inputs": {}},
            {"key": "getSorce"})]

    missing, bad, unknown = with_client(stdio(sim), session)
    assert missing["error"]["code"] == "not_found" and missing["error"]["retryable"] is False
    assert missing["error"]["category"] == "api"
    assert bad["error"]["code"] == "input" and "sourceId" in bad["error"]["fields"]
    assert "getSource" in json.dumps(unknown["error"])  # did you mean


# -- over HTTP on the service ------------------------------------------------------------
TOKEN_A = "sgp_" + "a" * 40
TOKEN_B = "sgp_" + "b" * 40


def test_http_clients_with_different_tokens_see_only_their_own_workspace(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    async def as_client(url: str, token: str, session: Session) -> Any:
        async with httpx2.AsyncClient(headers={"X-Segment-Token": token}, timeout=60) as http, \
                Client(streamable_http_client(url, http_client=http)) as client:
            return await session(client)

    async def call(client: Client, name: str, args: dict[str, Any]) -> dict[str, Any]:
        result = await client.call_tool(name, args)
        texts.extend(c.text for c in result.content if hasattr(c, "text"))
        return answer(result)

    async def create_and_list(client: Client) -> Any:
        inputs = {"slug": "only-in-a", "metadataId": "IqDTy1TpoU"}
        dry = await call(client, "dry_run_action", {"key": "createSource", "inputs": inputs})
        await call(client, "run_action", {"key": "createSource", "inputs": inputs,
                                          "confirmation": dry["confirmation"]})
        return await list_and_workspace(client)

    async def list_and_workspace(client: Client) -> Any:
        listed = await call(client, "run_action", {"key": "listSources", "inputs": {}})
        workspace = await call(client, "run_action", {"key": "getWorkspace", "inputs": {}})
        return ({s["slug"] for s in listed["data"]["data"]["sources"]},
                workspace["data"]["data"]["workspace"]["id"])

    with Simulator(workspaces=[TOKEN_A, TOKEN_B]) as sim, \
            EmbeddedService(load(base_url=sim.base_url, environ={}), registry=_registry) as svc:
        url = f"{svc.url}/mcp"
        slugs_a, workspace_a = asyncio.run(as_client(url, TOKEN_A, create_and_list))
        slugs_b, workspace_b = asyncio.run(as_client(url, TOKEN_B, list_and_workspace))
    assert "only-in-a" in slugs_a and "only-in-a" not in slugs_b
    assert workspace_a != workspace_b
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for token in (TOKEN_A, TOKEN_B):
        assert token not in logged
        assert all(token not in text for text in texts)


def test_http_mcp_needs_the_service_key_and_keeps_read_only() -> None:
    import dataclasses

    import requests

    with Simulator() as sim:
        settings = dataclasses.replace(load(base_url=sim.base_url, environ={}), read_only=True)
        keyed = dataclasses.replace(settings, keys=load(
            environ={"SEGMENT_CONNECTOR_SERVICE_KEYS": "service-key-0123456789"}).keys)
        with EmbeddedService(keyed, registry=_registry) as svc:
            refused = requests.post(f"{svc.url}/mcp", json={}, timeout=30)
            assert refused.status_code == 401 and refused.json()["code"] == "service_key"

            async def session(client: Client) -> Any:
                return answer(await client.call_tool("run_action", {
                    "key": "createLabel", "inputs": {"label": {"key": "k", "value": "v"}}}))

            async def main() -> Any:
                headers = {"X-Segment-Token": sim.token,
                           "Authorization": "Bearer service-key-0123456789"}
                async with httpx2.AsyncClient(headers=headers, timeout=60) as http, \
                        Client(streamable_http_client(f"{svc.url}/mcp", http_client=http)) as c:
                    return await session(c)

            before = writes(sim)
            error = asyncio.run(main())["error"]
            assert error["code"] == "policy" and error["policy"] == "--read-only"
            assert writes(sim) == before


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_a_client_that_can_ask_the_user_confirms_through_elicitation(
        sim: Simulator, tmp_path: Path, mode: str) -> None:
    import mcp_types as types

    config = sim_config(sim, tmp_path / "c.toml", '{level = "admin", allow = ["*", '
                        '"deleteSource"]}')
    keep, drop = make_source(sim, f"mcp-ask-keep-{mode}"), make_source(sim, f"mcp-ask-{mode}")
    asked: list[str] = []

    async def user(context: Any, params: Any) -> types.ElicitResult:
        asked.append(params.message)
        yes = drop in params.message  # the user reads the request it would send
        return types.ElicitResult(action="accept", content={"confirm": yes})

    async def main() -> Any:
        async with Client(stdio(sim, "--profile", "mcp", config=config), mode=mode,
                          elicitation_callback=user) as client:
            out = []
            for source in (keep, drop):
                before = writes(sim)
                result = await client.call_tool("run_action", {
                    "key": "deleteSource", "inputs": {"sourceId": source}})
                out.append((result.is_error, answer(result), writes(sim) - before))
            return out

    (refused, kept_writes), (done, done_writes) = [
        ((r[0], r[1]), r[2]) for r in asyncio.run(main())]
    assert len(asked) == 2 and all("DELETE" in m for m in asked)
    assert refused[0] is True and refused[1]["error"]["code"] == "confirmation"
    assert kept_writes == 0 and keep in sim.state["sources"]
    assert done[0] is False and done_writes == 1 and drop not in sim.state["sources"]


def test_http_mcp_refuses_other_sites_pages_on_loopback() -> None:
    import requests

    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with Simulator() as sim, EmbeddedService(load(base_url=sim.base_url, environ={}),
                                             registry=_registry) as svc:
        headers = {"Accept": "application/json, text/event-stream",
                   "X-Segment-Token": sim.token, "MCP-Protocol-Version": "2025-11-25"}
        ok = requests.post(f"{svc.url}/mcp", json=body, headers=headers, timeout=30)
        assert ok.status_code == 200 and ok.json()["result"]["tools"]
        rebound = requests.post(f"{svc.url}/mcp", json=body, timeout=30,
                                headers={**headers, "Host": "attacker.example"})
        framed = requests.post(f"{svc.url}/mcp", json=body, timeout=30,
                               headers={**headers, "Origin": "http://attacker.example"})
        assert rebound.status_code == 403 and framed.status_code == 403


def test_a_rate_limit_says_when_to_retry_and_an_oversized_answer_says_by_how_much() -> None:
    from connector.errors import RateLimitedError
    from connector.mcp.answers import AnswerTooLargeError, fitted
    from connector.mcp.server import error_object

    limited = error_object(RateLimitedError("429", status=429, retry_after=2.5))
    assert limited["code"] == "rate_limited" and limited["retryable"] is True
    assert limited["category"] == "transient" and limited["retryAfter"] == 2.5
    with pytest.raises(AnswerTooLargeError) as caught:
        fitted({"data": "x" * 5000}, 1000, "getSource")
    assert caught.value.to_dict()["size"] > 5000 and caught.value.to_dict()["maxBytes"] == 1000
    internal = error_object(KeyError("secret detail"))
    assert internal["code"] == "internal" and "secret" not in internal["message"]


def test_over_http_a_2026_client_is_asked_and_an_older_one_needs_a_token() -> None:
    import mcp_types as types

    async def user(context: Any, params: Any) -> types.ElicitResult:
        return types.ElicitResult(action="accept", content={"confirm": True})

    async def create(url: str, token: str, mode: str) -> Any:
        async with httpx2.AsyncClient(headers={"X-Segment-Token": token}, timeout=60) as http, \
                Client(streamable_http_client(url, http_client=http), mode=mode,
                       elicitation_callback=user) as client:
            return await client.call_tool("run_action", {"key": "createLabel", "inputs": {
                "label": {"key": "asked", "value": mode}}})

    with Simulator() as sim, EmbeddedService(load(base_url=sim.base_url, environ={}),
                                             registry=_registry) as svc:
        modern = asyncio.run(create(f"{svc.url}/mcp", sim.token, "auto"))
        before = writes(sim)
        legacy = asyncio.run(create(f"{svc.url}/mcp", sim.token, "legacy"))
        assert writes(sim) == before  # a stateless older session cannot be asked
    assert modern.is_error is False
    assert answer(modern)["data"]["data"]["label"]["value"] == "auto"
    assert legacy.is_error and answer(legacy)["error"]["code"] == "confirmation"


def test_picklists_and_triggers_through_their_tools(sim: Simulator) -> None:
    async def session(client: Client) -> Any:
        first = answer(await client.call_tool("poll_trigger", {"key": "sourceCreated"}))
        made = make_source(sim, "mcp-picked")
        make_source(sim, "mcp-picked-not")
        picked = answer(await client.call_tool("picklist", {
            "key": "sources", "inputs": {"filter": made}}))
        paged = answer(await client.call_tool("picklist", {
            "key": "sources", "inputs": {"maxItems": 1}}))
        later = answer(await client.call_tool("poll_trigger", {
            "key": "sourceCreated", "state": first["state"]}))
        return made, first, picked, paged, later

    made, first, picked, paged, later = with_client(stdio(sim), session)
    assert first["events"] == []
    assert [o["key"] for o in picked["result"]] == [made]
    assert paged["truncated"] is True and paged["nextPageToken"]
    assert made in json.dumps(later["events"])

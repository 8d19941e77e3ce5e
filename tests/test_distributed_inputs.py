"""What a distributed run refuses before anything is queued, and how a worker resolves a
credential reference (no Redis needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.distributed import credentials
from connector.distributed.coordinator import public_url, run_distributed
from connector.distributed.keys import bucket, token_id
from connector.distributed.local_server import free_port
from connector.errors import ConnectionFailedError, InputError

TOKEN = "sgp_" + "r" * 40


@pytest.mark.parametrize("ref", [None, 3, {"profile": ""}, {"profile": "a b"},
                                 {"profile": "x", "token": "y"}, {"name": "prod"},
                                 "x" * 65, "-lead"])
def test_a_credential_reference_names_a_profile(ref: Any) -> None:
    with pytest.raises(InputError) as caught:
        credentials.reference(ref)
    assert list(caught.value.fields) == ["credential"]


def test_a_token_given_as_a_reference_is_refused_without_being_quoted() -> None:
    with pytest.raises(InputError) as caught:
        credentials.reference(TOKEN)
    assert "looks like an API token" in str(caught.value) and TOKEN not in str(caught.value)


def test_a_reference_resolves_from_the_workers_own_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.prod]\ntoken = "{TOKEN}"\nbase_url = "http://127.0.0.1:9"\n')
    env = {"SEGMENT_CONNECTOR_CONFIG": str(config), "SEGMENT_API_TOKEN": "sgp_" + "e" * 40,
           "SEGMENT_BASE_URL": "http://127.0.0.1:1"}
    conn = credentials.resolve({"profile": "prod"}, environ=env)
    assert conn.token == TOKEN and conn.base_url == "http://127.0.0.1:9"  # never the env's
    with pytest.raises(InputError, match="no profile 'other'"):
        credentials.resolve("other", environ=env)


@pytest.mark.parametrize(("option", "value"), [("window", 0), ("window", True),
                                               ("lease_s", 0), ("idle_s", -1.0)])
def test_bad_options_are_refused_naming_them(tmp_path: Path, option: str, value: Any) -> None:
    with pytest.raises(InputError) as caught:
        run_distributed("createLabel", [{}], tmp_path / "out.jsonl", "prod",
                        **{option: value})
    assert list(caught.value.fields) == [option]
    assert not (tmp_path / "out.jsonl").exists()


def test_redis_out_of_reach_is_a_connection_error_before_anything_is_queued(
        tmp_path: Path) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(ConnectionFailedError) as caught:
        run_distributed("createLabel", [{}], tmp_path / "out.jsonl", "prod", redis=url)
    assert "nothing was queued" in str(caught.value) and caught.value.sent is False
    assert "hunter2" not in str(caught.value)
    assert not (tmp_path / "out.jsonl").exists()


def test_keys_name_a_hash_of_the_token() -> None:
    assert TOKEN not in bucket(TOKEN, "createLabel") and token_id(TOKEN) != token_id(TOKEN + "x")
    assert public_url("redis://u:pw@h:6379/0") == "redis://u:***@h:6379/0"

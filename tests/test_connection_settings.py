"""Where connection settings come from (arguments, then environment, then profile, per
setting; a profile's token only to its own host), what a profile may hold, and that a
call without a token stops before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses

from connector.connection import Connection, config_path, load_profile
from connector.errors import InputError
from connector.registry import Registry
from connector.runtime import Runtime, fetch_picklist, run_action

SIM = "http://127.0.0.1:9999"
PROXY = "https://proxy.example"
CONFIG = """
[profiles.prod]
token = "sgp_profile_prod"
region = "eu1.api"

[profiles.local]
token = "sgp_profile_local"
base_url = "http://127.0.0.1:8080"

[profiles.bare]
token = "sgp_profile_bare"

[profiles.hostonly]
region = "eu1.api"
base_url = "http://127.0.0.1:7070"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def resolve(config: Path, env: dict[str, str] | None = None, **args: Any) -> Connection:
    """Resolve with only `env` as the environment, the config file named there."""
    return Connection.resolve(environ={"SEGMENT_CONNECTOR_CONFIG": str(config), **(env or {})},
                              **args)


def settings(conn: Connection) -> tuple[str | None, str, str | None]:
    return conn.token, conn.region, conn.base_url


ENV = {"SEGMENT_API_TOKEN": "sgp_env", "SEGMENT_REGION": "eu1.api", "SEGMENT_BASE_URL": SIM}


# -- the order: arguments, environment, profile --------------------------------------------
def test_nothing_given_means_no_token_and_the_us_region(config: Path) -> None:
    assert settings(resolve(config)) == (None, "api", None)


def test_the_environment_alone(config: Path) -> None:
    assert settings(resolve(config, ENV)) == ("sgp_env", "eu1.api", SIM)


@pytest.mark.parametrize(("argument", "value", "expected"), [
    ("token", "sgp_flag", ("sgp_flag", "eu1.api", SIM)),
    ("region", "api", ("sgp_env", "api", SIM)),
    ("base_url", PROXY, ("sgp_env", "eu1.api", PROXY)),
])
def test_each_argument_wins_over_the_environment_on_its_own(
        config: Path, argument: str, value: str, expected: tuple[str, str, str]) -> None:
    assert settings(resolve(config, ENV, **{argument: value})) == expected


def test_the_environment_wins_over_the_profile_per_setting(config: Path) -> None:
    # The token from the environment; the region, not in the environment, from the profile.
    conn = resolve(config, {"SEGMENT_API_TOKEN": "sgp_env"}, profile="prod")
    assert settings(conn) == ("sgp_env", "eu1.api", None)
    conn = resolve(config, {"SEGMENT_API_TOKEN": "sgp_env", "SEGMENT_REGION": "api"},
                   profile="prod")
    assert settings(conn) == ("sgp_env", "api", None)


def test_arguments_win_over_the_profile(config: Path) -> None:
    conn = resolve(config, token="sgp_flag", region="api", profile="prod")
    assert settings(conn) == ("sgp_flag", "api", None)


def test_the_profile_alone(config: Path) -> None:
    assert settings(resolve(config, profile="prod")) == ("sgp_profile_prod", "eu1.api", None)
    assert settings(resolve(config, profile="local")) == (
        "sgp_profile_local", "api", "http://127.0.0.1:8080")


def test_a_profile_without_a_token_takes_the_environment_first(config: Path) -> None:
    conn = resolve(config, {"SEGMENT_API_TOKEN": "sgp_env", "SEGMENT_BASE_URL": SIM},
                   profile="hostonly")
    assert settings(conn) == ("sgp_env", "eu1.api", SIM)


@pytest.mark.parametrize("blank", ["", None])
def test_blank_values_fall_through(config: Path, blank: str | None) -> None:
    env = {"SEGMENT_API_TOKEN": "", "SEGMENT_REGION": "", "SEGMENT_BASE_URL": ""}
    conn = resolve(config, env, token=blank, region=blank, base_url=blank, profile="prod")
    assert settings(conn) == ("sgp_profile_prod", "eu1.api", None)


# -- a profile's token stays on the profile's host ---------------------------------------------
@pytest.mark.parametrize(("profile", "expected"), [
    ("prod", ("sgp_profile_prod", "eu1.api", None)),
    ("local", ("sgp_profile_local", "api", "http://127.0.0.1:8080")),
    ("bare", ("sgp_profile_bare", "api", None)),  # the default region, not the environment's
])
def test_the_environment_host_does_not_apply_to_a_profile_token(
        config: Path, profile: str, expected: tuple[str, str, str | None]) -> None:
    env = {"SEGMENT_REGION": "eu1.api", "SEGMENT_BASE_URL": SIM}
    assert settings(resolve(config, env, profile=profile)) == expected


def test_explicit_arguments_still_move_a_profile_token(config: Path) -> None:
    env = {"SEGMENT_BASE_URL": SIM}
    assert settings(resolve(config, env, profile="bare", base_url=PROXY)) == (
        "sgp_profile_bare", "api", PROXY)
    assert settings(resolve(config, env, profile="prod", region="api")) == (
        "sgp_profile_prod", "api", None)


def test_a_profile_token_with_the_environment_token_set_is_not_used(config: Path) -> None:
    conn = resolve(config, ENV, profile="local")
    assert settings(conn) == ("sgp_env", "eu1.api", SIM)


# -- where the config file is --------------------------------------------------------------------
def test_config_file_from_the_given_environment(tmp_path: Path) -> None:
    assert config_path({"SEGMENT_CONNECTOR_CONFIG": str(tmp_path / "c.toml")}) \
        == tmp_path / "c.toml"
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) \
        == tmp_path / "segment-connector" / "config.toml"


def test_path_argument_wins_over_the_environment(config: Path, tmp_path: Path) -> None:
    env = {"SEGMENT_CONNECTOR_CONFIG": str(tmp_path / "missing.toml")}
    conn = Connection.resolve(profile="prod", environ=env, path=config)
    assert conn.token == "sgp_profile_prod"


def test_xdg_config_home_holds_the_default_file(tmp_path: Path) -> None:
    folder = tmp_path / "segment-connector"
    folder.mkdir()
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    conn = Connection.resolve(profile="bare", environ={"XDG_CONFIG_HOME": str(tmp_path)})
    assert conn.token == "sgp_profile_bare"


def test_no_profile_asked_reads_no_file(tmp_path: Path) -> None:
    env = {"SEGMENT_CONNECTOR_CONFIG": str(tmp_path / "missing.toml"),
           "SEGMENT_API_TOKEN": "sgp_env"}
    assert Connection.resolve(environ=env).token == "sgp_env"


# -- what a profile may hold ---------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.prod]\ntokn = "sgp_x"\nregion = "api"\n')
    with pytest.raises(InputError) as caught:
        load_profile("prod", path)
    assert caught.value.fields == {
        "profile.prod.tokn": "unknown setting; known: token, region, base_url, policy"}
    assert "profile.prod.tokn: unknown setting; known: token, region, base_url, policy" \
        in str(caught.value)


@pytest.mark.parametrize(("line", "kind"), [
    ("region = 1", "a number"), ("token = true", "a boolean"),
    ('base_url = ["http://a"]', "an array"), ("token = { value = 'x' }", "a table"),
    ("token = 2024-01-01", "a date or time"),
])
def test_a_value_that_is_not_a_string_is_named(tmp_path: Path, line: str, kind: str) -> None:
    path = write(tmp_path, f"[profiles.prod]\n{line}\n")
    key = line.split(" ")[0]
    with pytest.raises(InputError) as caught:
        load_profile("prod", path)
    assert caught.value.fields == {f"profile.prod.{key}": f"must be a string, not {kind}"}


def test_every_problem_of_a_profile_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.p]\ntokn = "x"\nregion = 5\nurl = "y"\n')
    with pytest.raises(InputError) as caught:
        Connection.resolve(profile="p", environ={}, path=path)
    assert set(caught.value.fields) == {"profile.p.tokn", "profile.p.region", "profile.p.url"}


def test_other_profiles_are_not_checked(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.ok]\ntoken = "sgp_ok"\n[profiles.bad]\ntokn = 1\n')
    assert load_profile("ok", path) == {"token": "sgp_ok"}


@pytest.mark.parametrize(("text", "field"), [
    ('profiles = "x"\n', "profiles"),
    ('[profiles]\nprod = "x"\n', "profile.prod"),
    ("[profiles.prod\n", "profile"),  # not TOML
    ("[profiles.other]\n", "profile"),  # no such profile
])
def test_a_misshapen_config_is_an_input_error(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        load_profile("prod", write(tmp_path, text))
    assert list(caught.value.fields) == [field]


def test_a_missing_config_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        Connection.resolve(profile="prod", environ={
            "SEGMENT_CONNECTOR_CONFIG": str(tmp_path / "none.toml")})
    assert "no config file" in caught.value.fields["profile"]


@pytest.mark.parametrize(("env", "args", "origin"), [
    ({"SEGMENT_REGION": "eu"}, {}, "SEGMENT_REGION"),
    ({}, {"region": "eu"}, "argument"),
    ({}, {"profile": "badregion"}, "profile badregion"),
    ({"SEGMENT_BASE_URL": "ftp://x"}, {}, "SEGMENT_BASE_URL"),
])
def test_a_bad_value_says_where_it_came_from(
        tmp_path: Path, env: dict[str, str], args: dict[str, str], origin: str) -> None:
    path = write(tmp_path, '[profiles.badregion]\ntoken = "t"\nregion = "us"\n')
    with pytest.raises(InputError) as caught:
        Connection.resolve(environ=env, path=path, **args)
    (message,) = caught.value.fields.values()
    assert message.endswith(f"(from {origin})")


# -- no token: nothing is sent ------------------------------------------------------------
@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(installed=False)


CALLS = [
    ("run", lambda rt: rt.run("getSource", {"sourceId": "s1"})),
    ("followAll", lambda rt: rt.run("listSources", {"followAll": True})),
    ("iter_items", lambda rt: list(rt.iter_items("listSources"))),
    ("picklist", lambda rt: rt.picklist("sources")),
    ("rawRequest", lambda rt: rt.run("rawRequest", {"url": "/sources", "method": "GET"})),
    ("create", lambda rt: rt.run("createSource", {"slug": "s", "metadataId": "m"})),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
@responses.activate
def test_a_call_without_a_token_is_an_input_error_before_any_io(
        registry: Registry, name: str, call: Any) -> None:
    rt = Runtime(Connection(token=None), registry=registry)
    with pytest.raises(InputError) as caught:
        call(rt)
    assert list(caught.value.fields) == ["token"]
    message = caught.value.fields["token"]
    assert "--token" in message and "SEGMENT_API_TOKEN" in message and "profile" in message
    assert len(responses.calls) == 0


@responses.activate
def test_run_action_and_fetch_picklist_without_a_token(registry: Registry) -> None:
    with pytest.raises(InputError, match="no API token"):
        run_action("getWorkspace", {}, Connection(), registry=registry)
    with pytest.raises(InputError, match="no API token"):
        fetch_picklist("sources", {}, Connection(), registry=registry)
    assert len(responses.calls) == 0


def test_invalid_input_is_reported_before_the_missing_token(registry: Registry) -> None:
    rt = Runtime(Connection(), registry=registry)
    with pytest.raises(InputError) as caught:
        rt.run("getSource", {})
    assert "sourceId" in caught.value.fields


def test_a_dry_run_needs_no_token(registry: Registry) -> None:
    rt = Runtime(Connection(), registry=registry)
    request = rt.dry_run("getSource", {"sourceId": "s1"})
    assert request["url"] == "https://api.segmentapis.com/sources/s1"
    assert "Authorization" not in request["headers"]
    assert rt.dry_run("rawRequest", {"url": "/sources", "method": "GET"})["method"] == "GET"


def test_a_resolved_connection_without_a_token_stops_at_the_first_call(
        registry: Registry, config: Path) -> None:
    rt = Runtime(resolve(config, profile="hostonly"), registry=registry)
    with pytest.raises(InputError) as caught:
        rt.run("getWorkspace", {})
    assert list(caught.value.fields) == ["token"]


@responses.activate
def test_the_missing_token_error_names_the_action(registry: Registry) -> None:
    with pytest.raises(InputError) as caught:
        Runtime(Connection(), registry=registry).run("getSource", {"sourceId": "s1"})
    assert caught.value.action == "getSource"
    assert str(caught.value).startswith("getSource: invalid input: token: no API token")


@pytest.mark.parametrize("url, says", [
    ("http://", "has no host"),
    ("https://h:0", "port"),
    ("http://h:99999", "port"),
    ("http://h:x", "port"),
    ("http://user:pw@h", "user name or password"),
    ("http://h/?a=1", "query or fragment"),
    ("http://h/#top", "query or fragment"),
    ("ftp://h", "http:// or https://"),
])
def test_a_base_url_that_cannot_take_requests_is_an_input_error(url: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        Connection(token="sgp_abcdefgh", base_url=url)
    assert says in caught.value.fields["base_url"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "https://proxy.example/segment",
                                 "http://[::1]:9000"])
def test_a_base_url_with_a_host_port_and_path_is_taken(url: str) -> None:
    assert Connection(token="sgp_abcdefgh", base_url=url).url_for() == url.rstrip("/")

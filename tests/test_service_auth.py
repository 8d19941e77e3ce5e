"""Who may use the service: service keys, profiles a key may use, the open-proxy refusal,
and request bodies over the limit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from service_support import registry, settings

from connector.errors import InputError
from connector.service import auth
from connector.service.embedded import EmbeddedService
from connector.service.settings import ServiceKey, load
from connector.simulator import Simulator

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parent.parent
OPEN_KEY = "open-key-0123456789abcdef"
PROD_KEY = "prod-key-0123456789abcdef"


@pytest.fixture(scope="module")
def keyed(sim: Simulator, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[EmbeddedService]:
    config = tmp_path_factory.mktemp("svc") / "service.toml"
    config.write_text(f"""
[service]
base_url = "{sim.base_url}"
keys = ["{OPEN_KEY}", {{key = "{PROD_KEY}", profiles = ["prod"]}}]

[profiles.prod]
token = "{sim.token}"

[profiles.staging]
token = "{sim.token}"
""", encoding="utf-8")
    with EmbeddedService(load(config, environ={}), registry=registry()) as svc:
        yield svc


def _check(svc: EmbeddedService, **headers: str) -> requests.Response:
    return requests.post(svc.url + "/v1/check", headers=headers, timeout=30)


def test_every_v1_call_needs_a_configured_key(keyed: EmbeddedService, sim: Simulator) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-key-at-all-000"},
                    {"Authorization": f"Basic {OPEN_KEY}"}, {"Authorization": OPEN_KEY}):
        got = _check(keyed, **{"X-Segment-Token": sim.token, **headers})
        assert got.status_code == 401 and got.json()["code"] == "service_key"
        assert got.headers["WWW-Authenticate"].startswith("Bearer")
    for path in ("/v1/manifest", "/v1/actions/getSource", "/v1/target"):
        assert requests.get(keyed.url + path).status_code == 401
    assert requests.get(keyed.url + "/v1/manifest",
                        headers={"Authorization": f"Bearer {OPEN_KEY}"}).status_code == 200
    ok = _check(keyed, **{"X-Segment-Token": sim.token, "Authorization": f"Bearer {OPEN_KEY}"})
    assert ok.status_code == 200


def test_health_and_readiness_need_no_key(keyed: EmbeddedService) -> None:
    assert requests.get(keyed.url + "/healthz").status_code == 200
    assert requests.get(keyed.url + "/readyz").json()["status"] == "ready"


def test_a_key_uses_only_the_profiles_it_is_allowed(keyed: EmbeddedService) -> None:
    prod = {"Authorization": f"Bearer {PROD_KEY}"}
    assert _check(keyed, **prod, **{"X-Segment-Profile": "prod"}).status_code == 200
    denied = _check(keyed, **prod, **{"X-Segment-Profile": "staging"})
    assert denied.status_code == 403 and denied.json()["code"] == "profile_forbidden"
    any_profile = {"Authorization": f"Bearer {OPEN_KEY}"}
    assert _check(keyed, **any_profile, **{"X-Segment-Profile": "staging"}).status_code == 200
    missing = _check(keyed, **any_profile, **{"X-Segment-Profile": "nope"})
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_profile"


def test_keys_are_compared_in_constant_time_against_every_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = auth.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    keys = [ServiceKey(f"key-number-{n}-0123456789") for n in range(5)]
    ring = auth.KeyRing(keys)
    assert ring.identify(f"Bearer {keys[0].key}") == keys[0]  # the first key matches...
    assert len(compared) == 5  # ...and every key is still compared
    assert {len(a) for a, _ in compared} == {len(b) for _, b in compared} == {32}
    compared.clear()
    with pytest.raises(auth.ServiceAuthError):
        ring.identify("Bearer key-number-")
    assert len(compared) == 5


def test_service_keys_from_the_environment() -> None:
    got = load(environ={"SEGMENT_CONNECTOR_SERVICE_KEYS": f" {OPEN_KEY} ,, {PROD_KEY}"})
    assert [k.key for k in got.keys] == [OPEN_KEY, PROD_KEY]
    assert all(k.profiles is None for k in got.keys)
    with pytest.raises(InputError) as refused:
        load(environ={"SEGMENT_CONNECTOR_SERVICE_KEYS": "short"})
    assert "short" not in str(refused.value)


def test_config_problems_name_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    for text, field in (
        ('[service]\nkeyz = []', "service.keyz"),
        ('[service]\nkeys = [{key = "0123456789abcdefgh", profiles = ["x"]}]', "service.keys[1]"),
        ('[service]\nbody_limit = 0', "service.body_limit"),
        ('[service]\nbase_url = "ftp://x"', "base_url"),
        ('[profiles.p]\ntokn = "x"', "profile.p.tokn"),
        ('[profiles.p]\ntoken = "sgp_abc\\n"', "profile.p.token"),
        ('[profiles.p]\ntoken = "sgp_abc"\nregion = "mars"', "profile.p.region"),
    ):
        config.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as refused:
            load(config, environ={})
        assert any(k.startswith(field) for k in refused.value.fields), text


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "connector.cli", "serve", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", **(env or {})})


def test_a_public_address_without_keys_refuses_to_start() -> None:
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        done = _serve("--host", host, "--port", "1")
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: refusing to listen on")
        assert done.stdout == ""


def test_bad_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[service]\nkeys = ["0123456789abcdefSECRET", "tiny"]', encoding="utf-8")
    done = _serve("--config", str(config))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "service.keys[2]" in done.stderr and "SECRET" not in done.stderr


@pytest.fixture(scope="module")
def small_bodies(sim: Simulator) -> Iterator[EmbeddedService]:
    with EmbeddedService(settings(sim, body_limit=2048), registry=registry()) as svc:
        yield svc


def test_a_body_over_the_limit_is_413(small_bodies: EmbeddedService, sim: Simulator) -> None:
    url = small_bodies.url + "/v1/actions/rawRequest/dry-run"
    headers = {"X-Segment-Token": sim.token, "Content-Type": "application/json"}
    fits = '{"inputs": {"url": "/echo", "method": "POST", "data": "' + "x" * 1800 + '"}}'
    assert requests.post(url, data=fits, headers=headers).status_code == 200
    big = fits.replace("x" * 1800, "x" * 4000)
    got = requests.post(url, data=big, headers=headers)  # Content-Length says it
    assert got.status_code == 413 and got.json()["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(64):
            yield b" " * 512

    got = requests.post(url, data=chunks(), headers=headers)
    assert got.request.headers.get("Transfer-Encoding") == "chunked"
    assert got.status_code == 413 and got.headers["content-type"] == "application/problem+json"

"""`serve --redis`: the rate limits of a token kept on Redis, shared by every service
instance (and worker process), so two of them never send past the API's limit together."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from redis_support import local_redis
from service_support import registry, settings

from connector.distributed.local_server import LocalRedis
from connector.errors import InputError
from connector.service.embedded import EmbeddedService
from connector.service.limiters import LimiterPool
from connector.service.settings import load
from connector.simulator import Simulator

LIMITS = {"createLabel": (4, "minute")}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalRedis]:
    yield from local_redis()


def test_two_instances_share_one_window_per_token(server: LocalRedis) -> None:
    redis.Redis.from_url(server.url).flushdb()
    # A minute lasts a minute: a call over the limit would wait far past its deadline,
    # so it is refused at once with a 429 problem instead of being sent.
    with Simulator() as sim, \
            EmbeddedService(settings(sim, deadline=5.0), registry=registry(),
                            limiters=LimiterPool(redis=server.url, limits=LIMITS)) as one, \
            EmbeddedService(settings(sim, deadline=5.0), registry=registry(),
                            limiters=LimiterPool(redis=server.url, limits=LIMITS)) as two:

        def create(n: int) -> int:
            url = (one if n % 2 else two).url + "/v1/actions/createLabel/run"
            return requests.post(url, timeout=60, headers={"X-Segment-Token": sim.token},
                                 json={"inputs": {"label": {"key": "k", "value": f"v{n}"}}}
                                 ).status_code

        with ThreadPoolExecutor(6) as threads:
            statuses = sorted(threads.map(create, range(6)))
        labels = requests.get(sim.base_url + "/labels", timeout=10,
                              headers={"Authorization": f"Bearer {sim.token}"}).json()
    assert statuses == [200] * 4 + [429] * 2  # the window of 4 counted across both
    created = [x for x in labels["data"]["labels"] if x["key"] == "k"]
    assert len(created) == 4  # the two refused were never sent
    stored = b"".join(k + (redis.Redis.from_url(server.url).dump(k) or b"")
                      for k in redis.Redis.from_url(server.url).scan_iter())
    assert sim.token.encode() not in stored


@pytest.mark.parametrize("url", ["http://x", "127.0.0.1:6379", "redis:/x"])
def test_a_redis_setting_that_is_no_redis_url_is_named(url: str) -> None:
    with pytest.raises(InputError) as err:
        load(redis=url, environ={})
    assert "redis" in err.value.fields


def test_without_redis_limits_stay_in_the_process() -> None:
    assert load(environ={}).redis is None
    assert "per process" in load(environ={}).describe()
    assert load(environ={"SEGMENT_CONNECTOR_REDIS_URL": "redis://h:1/0"}).redis == \
        "redis://h:1/0"

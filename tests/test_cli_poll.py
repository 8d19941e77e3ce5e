"""`segment-connector poll`: events as JSON lines, the state file kept atomically and locked."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from pathlib import Path

import pytest

from connector import cli
from connector.cli import poll as poll_cmd
from connector.cli.state_file import StateFile
from connector.connection import Connection
from connector.runtime import Runtime
from connector.simulator.server import Simulator


def args(sim: Simulator, *rest: str) -> list[str]:
    return [*rest, "--token", sim.token, "--base-url", sim.base_url]


def create_source(sim: Simulator, slug: str) -> str:
    rt = Runtime(Connection(token=sim.token, base_url=sim.base_url))
    answer = rt.run("createSource", {"slug": slug, "metadataId": "IqDTy1TpoU", "enabled": True})
    return str(answer["data"]["data"]["source"]["id"])


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line]


def test_polls_print_new_events_as_json_lines_and_keep_the_state(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "created.state"
    create_source(simulator, "before")
    assert cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state))) == 0
    first = capsys.readouterr()
    assert first.out == ""
    assert "watching from now" in first.err and "since=" in first.err
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    made = [create_source(simulator, f"s{i}") for i in range(2)]
    assert cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state))) == 0
    out = capsys.readouterr().out
    assert [e["resourceId"] for e in lines(out)] == made
    assert len(out.splitlines()) == 2  # one line an event
    assert cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state))) == 0
    later = capsys.readouterr()
    assert later.out == "" and later.err == ""  # only the first poll says where it starts
    assert [p.name for p in tmp_path.iterdir()] == ["created.state"]


def test_watch_keeps_polling_until_interrupted(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    waits: list[float] = []

    def between_polls(seconds: float) -> None:  # a source appears while the watch waits
        waits.append(seconds)
        if len(waits) == 3:
            raise KeyboardInterrupt
        made.append(create_source(simulator, f"w{len(waits)}"))

    monkeypatch.setattr(poll_cmd, "sleep", between_polls)
    state = tmp_path / "s.json"
    code = cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state),
                         "--watch", "7.5"))
    assert code == 130 and waits == [7.5, 7.5, 7.5]
    assert [e["resourceId"] for e in lines(capsys.readouterr().out)] == made
    # The state was saved after each poll: a new watch starts where that one stopped.
    late = create_source(simulator, "late")
    assert cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state))) == 0
    assert [e["resourceId"] for e in lines(capsys.readouterr().out)] == [late]


def test_watch_goes_on_after_a_failure_a_later_try_may_cure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(poll_cmd, "sleep", wait)
    code = cli.main(["poll", "sourceCreated", "--state", str(tmp_path / "s"), "--watch", "1",
                     "--token", "sgp_nowhere_token_1234", "--base-url", "http://127.0.0.1:9",
                     "--deadline", "1"])
    err = capsys.readouterr().err
    assert code == 130 and len(waits) == 2
    assert err.count("polling again in 1s") == 2 and "sgp_nowhere" not in err
    assert not (tmp_path / "s").exists()  # nothing polled, nothing saved


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not JSON"), ("[1, 2]", "not a JSON object"),
    ('{"v": 1, "trigger": "sourceDeleted", "feed": "audit", "after": null, "seen": {}}',
     "belongs to trigger 'sourceDeleted'"),
])
def test_a_bad_state_file_is_an_input_error_and_stays_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str) -> None:
    state = tmp_path / "s.json"
    state.write_text(content)
    code = cli.main(["poll", "sourceCreated", "--state", str(state), "--error-format", "json",
                     "--token", "sgp_nowhere_token_1234", "--base-url", "http://127.0.0.1:9"])
    record = json.loads(capsys.readouterr().err)
    assert code == 2 and problem in record["error"]["message"]
    assert record["error"]["category"] == "config" and record["error"]["retryable"] is False
    assert state.read_text() == content


NOWHERE = ["--token", "sgp_nowhere_token_1234", "--base-url", "http://127.0.0.1:9",
           "--error-format", "json"]


def refused(capsys: pytest.CaptureFixture[str], *argv: str, code: str | None = None) -> str:
    """The message of a poll refused with exit status 2 before anything was sent."""
    assert cli.main(["poll", "sourceCreated", *argv, *NOWHERE]) == 2
    error = json.loads(capsys.readouterr().err)["error"]
    assert code is None or error["code"] == code
    return str(error["message"])


def saved_state(sim: Simulator, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(args(sim, "poll", "sourceCreated", "--state", str(path))) == 0
    capsys.readouterr()
    return path.read_text()


def test_two_polls_cannot_share_a_state_file(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    saved = saved_state(simulator, state, capsys)
    fd = os.open(state, os.O_RDONLY)  # the lock is on the file itself
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert "in use by another poll" in refused(capsys, "--state", str(state))
    finally:
        os.close(fd)
    assert state.read_text() == saved


def test_a_watch_keeps_its_state_held_across_replacements(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "s.json"
    others: list[int] = []

    def between_polls(seconds: float) -> None:  # a second poller tries while the watch waits
        others.append(cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state))))
        if len(others) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(poll_cmd, "sleep", between_polls)
    assert cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state),
                         "--watch", "1")) == 130
    assert others == [2, 2, 2]  # after the first replacement and every one after it
    assert capsys.readouterr().err.count("in use by another poll") == 3


def test_a_first_poll_holds_its_new_file_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "new.json"
    with StateFile(state, "sourceCreated") as held:  # a first poll under way
        assert held.read() is None
        assert "in use by another poll" in refused(capsys, "--state", str(state))
    assert not state.exists()  # it saved nothing: no placeholder is left


def test_a_symlinked_state_file_is_refused_naming_it(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.json"
    saved = saved_state(simulator, real, capsys)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    message = refused(capsys, "--state", str(link))
    assert str(link) in message and "symbolic link" in message
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "elsewhere.json")
    assert "symbolic link" in refused(capsys, "--state", str(dangling))
    assert not (tmp_path / "elsewhere.json").exists()
    assert real.read_text() == saved and link.is_symlink()


def test_two_names_of_one_state_cannot_poll(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = tmp_path / "one.json"
    saved = saved_state(simulator, one, capsys)
    two = tmp_path / "two.json"
    os.link(one, two)
    for name in (one, two):
        message = refused(capsys, "--state", str(name))
        assert str(name) in message and "2 names" in message
    assert one.read_text() == two.read_text() == saved


def test_a_planted_lock_link_is_never_followed(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    state = tmp_path / "s.json"
    (tmp_path / "s.json.lock").symlink_to(elsewhere)  # where a lock beside it would be
    saved_state(simulator, state, capsys)
    saved_state(simulator, state, capsys)
    assert not elsewhere.exists() and not state.is_symlink()


@pytest.mark.parametrize("content, problem", [
    ("", "is empty"), ("\n", "is empty"), ("{}", "is empty ({})"),
    ('{"seen": {}}', "is not a trigger state"),
    ('{"v": 1, "trigger": "functionCreated", "feed": "listing", "known": {}}',
     "belongs to trigger 'functionCreated'"),
    ('{"trigger": "sourceDeleted", "pending": "x"}', "belongs to trigger 'sourceDeleted'"),
])
def test_an_empty_or_foreign_state_file_is_refused_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str) -> None:
    state = tmp_path / "s.json"
    state.write_text(content)
    message = refused(capsys, "--state", str(state), code="trigger_state")
    assert problem in message and str(state) in message
    assert state.read_text() == content


def test_list_and_unknown_triggers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["triggers"]
    assert {"sourceCreated", "functionCreated", "trackingPlanChanged"} <= {
        t["key"] for t in listed}
    code = cli.main(["poll", "sourceCreatd", "--state", str(tmp_path / "s"),
                     "--token", "sgp_nowhere_token_1234"])
    assert code == 2 and "did you mean 'sourceCreated'" in capsys.readouterr().err


def test_a_state_file_that_is_not_a_file_is_refused_and_a_new_directory_is_made(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "not a regular file" in refused(capsys, "--state", str(tmp_path))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opened without blocking, and refused
    assert "not a regular file" in refused(capsys, "--state", str(fifo))
    nested = tmp_path / "new" / "dir" / "s.json"
    saved_state(simulator, nested, capsys)
    assert json.loads(nested.read_text())["trigger"] == "sourceCreated"


def test_a_state_file_from_the_future_is_refused_naming_it(
        simulator: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "s.json"
    saved = json.loads(saved_state(simulator, state, capsys))
    tampered = json.dumps({**saved, "after": "2999-01-01T00:00:00.000Z"})
    state.write_text(tampered)
    code = cli.main(args(simulator, "poll", "sourceCreated", "--state", str(state),
                         "--error-format", "json"))
    error = json.loads(capsys.readouterr().err)["error"]
    assert code == 2 and error["code"] == "trigger_state"
    assert str(state) in error["message"] and "from the future" in error["message"]
    assert state.read_text() == tampered

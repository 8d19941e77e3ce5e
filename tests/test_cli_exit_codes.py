"""The CLI's exit codes: 2 for every input problem (nothing sent), 3 API, 4 no answer, 130/143.

Each failure must say what is wrong in words: never a traceback, never a
Python exception name standing in for a message.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector import cli
from connector.simulator import Faults, Simulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sgp_cli_exit_codes_token_0123456789"
LABEL = 'label={"key": "team", "value": "web"}'
BARE = ("Traceback", "FileNotFoundError", "IsADirectoryError", "PermissionError",
        "UnicodeDecodeError", "JSONDecodeError", "RecursionError", "BrokenPipeError",
        "KeyboardInterrupt")


pytestmark = pytest.mark.usefixtures("no_connection_env")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_says(err: str, *words: str) -> None:
    """One `error: ...` line naming the problem, not an exception's name."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, err)
    for name in BARE:
        assert name not in err, err


def cli_process(*argv: str, **options: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEGMENT_CONNECTOR_CONFIG": "/nonexistent/config.toml"}
    env.pop("SEGMENT_API_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "connector.cli", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, **options)


# -- unknown names ---------------------------------------------------------------------
def test_unknown_action_is_exit_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    code, out, err = run(capsys, "run", "lsitSources", "--token", TOKEN)
    assert code == 2 and out == ""
    assert_says(err, "lsitSources", "did you mean 'listSources'")


def test_unknown_picklist_is_exit_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    code, _, err = run(capsys, "picklist", "sorces", "--token", TOKEN)
    assert code == 2
    assert_says(err, "picklist", "sorces", "did you mean 'sources'")


def test_unknown_input_name_is_exit_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    code, _, err = run(capsys, "run", "listSources", "-i", "conut=5", "--dry-run")
    assert code == 2
    assert_says(err, "conut", "did you mean 'count'")


def test_unknown_command_is_exit_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    code, _, err = run(capsys, "lsit")
    assert code == 2
    assert_says(err, "'lsit'", "did you mean 'list'")


def test_missing_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run")
    assert code == 2
    assert_says(err, "key", "segment-connector run --help")


# -- files -----------------------------------------------------------------------------
def test_missing_input_json_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "inputs.json"
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(missing), "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "no such file", str(missing))


def test_input_json_that_is_a_directory(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(tmp_path),
                       "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "is a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_input_json_file(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                    ) -> None:
    locked = tmp_path / "inputs.json"
    locked.write_text("{}", "utf-8")
    locked.chmod(0)
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(locked), "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "permission denied")


def test_input_json_that_is_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                     ) -> None:
    latin = tmp_path / "inputs.json"
    latin.write_bytes(b'{"cursor": "caf\xe9"}')
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(latin), "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "not UTF-8")


def test_malformed_input_json_says_where(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                         ) -> None:
    broken = tmp_path / "inputs.json"
    broken.write_text('{\n  "count": 5,\n}\n', "utf-8")
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(broken), "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "not valid JSON", "line 3 column 1")


def test_input_json_nested_too_deep(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                    ) -> None:
    deep = tmp_path / "inputs.json"
    deep.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", "utf-8")
    code, _, err = run(capsys, "run", "listSources", "--input-json", str(deep), "--dry-run")
    assert code == 2
    assert_says(err, "--input-json", "nested too deeply")


def test_missing_batch_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "labels.jsonl"
    code, out, err = run(capsys, "run", "createLabel", "--batch", str(missing),
                         "--token", TOKEN)
    assert code == 2 and out == ""
    assert_says(err, "--batch", "no such file", str(missing))
    assert not (tmp_path / "labels.results.jsonl").exists()


def test_batch_that_is_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "run", "createLabel", "--batch", str(tmp_path), "--token", TOKEN)
    assert code == 2
    assert_says(err, "--batch", "is a directory")


def test_batch_from_stdin_needs_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "createLabel", "--batch", "-", "--token", TOKEN)
    assert code == 2
    assert_says(err, "--results", "--batch -")


def test_manifest_into_a_missing_directory(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    code, _, err = run(capsys, "manifest", "-o", str(tmp_path / "no" / "manifest.json"))
    assert code == 2
    assert_says(err, "--output", "no such directory")


# -- values ----------------------------------------------------------------------------
def test_repeated_input_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "listSources", "-i", "count=1", "-i", "count=2",
                       "--dry-run")
    assert code == 2
    assert_says(err, "'count'", "more than once")


@pytest.mark.parametrize("value, says", [("0", "1 or more"), ("-3", "1 or more"),
                                         ("four", "whole number"), ("2.5", "whole number"),
                                         ("100000", "256 or less")])
def test_bad_concurrency(capsys: pytest.CaptureFixture[str], value: str, says: str) -> None:
    code, _, err = run(capsys, "run", "createLabel", "--batch", "x.jsonl",
                       "--concurrency", value)
    assert code == 2
    assert_says(err, "--concurrency", says, repr(value))


@pytest.mark.parametrize("option", ["--timeout", "--deadline"])
@pytest.mark.parametrize("value, says", [("0", "more than 0"), ("-1", "more than 0"),
                                         ("soon", "number of seconds"), ("inf", "more than 0")])
def test_bad_time_limits(capsys: pytest.CaptureFixture[str], option: str, value: str,
                         says: str) -> None:
    code, _, err = run(capsys, "run", "listSources", option, value, "--dry-run")
    assert code == 2
    assert_says(err, option, says)


def test_malformed_json_input_value_says_where(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "createSource", "-i", "slug=web", "-i",
                       "metadataId=IqDTy1TpoU", "-i", 'settings={"a": 1,}', "--dry-run")
    assert code == 2
    assert_says(err, "settings", "not valid JSON", "line 1 column 9", "JSON object")


def test_text_for_a_number_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "listSources", "-i", "count=ten", "--dry-run")
    assert code == 2
    assert_says(err, "count", "not valid JSON", "whole number")


def test_boolean_for_an_integer(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "listSources", "-i", "count=true", "--dry-run")
    assert code == 2
    assert_says(err, "count", "whole number", "boolean")


def test_json_value_nested_too_deep(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "createSource", "-i", "slug=web", "-i",
                       "metadataId=IqDTy1TpoU", "-i", "settings=" + "[" * 100_000, "--dry-run")
    assert code == 2
    assert_says(err, "settings", "nested too deeply")


def test_undecodable_bytes_in_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    # What Python makes of `--input slug=$'\xff'` on a UTF-8 system.
    slug = b"web\xff".decode("utf-8", "surrogateescape")
    code, _, err = run(capsys, "run", "createSource", "-i", f"slug={slug}", "-i",
                       "metadataId=IqDTy1TpoU", "--dry-run")
    assert code == 2
    assert_says(err, "slug", "UTF-8")


def test_input_messages_keep_the_case_of_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "rawRequest", "-i", "url=/sources", "-i", "method=get",
                       "--dry-run")
    assert code == 2
    assert_says(err, "method", "'GET'", "'POST'")


# -- the connection --------------------------------------------------------------------
@pytest.fixture
def counted(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths of the requests the simulator receives."""
    from connector.simulator import server

    seen: list[str] = []
    dispatch = server.dispatch

    def counting(sim: Simulator, method: str, path: str, *rest: Any) -> Any:
        seen.append(f"{method} {path}")
        return dispatch(sim, method, path, *rest)

    monkeypatch.setattr(server, "dispatch", counting)
    return seen


def test_no_token_is_an_input_error_and_nothing_is_sent(
        capsys: pytest.CaptureFixture[str], simulator: Simulator, counted: list[str]) -> None:
    code, out, err = run(capsys, "run", "listSources", "--base-url", simulator.base_url)
    assert code == 2, err
    assert out == ""
    assert_says(err, "token")
    assert counted == []


def test_empty_token_is_an_input_error_too(capsys: pytest.CaptureFixture[str],
                                           simulator: Simulator, counted: list[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGMENT_API_TOKEN", "")
    code, _, err = run(capsys, "run", "listSources", "--base-url", simulator.base_url)
    assert code == 2, err
    assert_says(err, "token")
    assert counted == []


def test_api_error_is_exit_3(capsys: pytest.CaptureFixture[str], simulator: Simulator) -> None:
    code, out, err = run(capsys, "run", "getSource", "-i", "sourceId=nope", "--token",
                         simulator.token, "--base-url", simulator.base_url)
    assert code == 3
    assert out == ""
    assert_says(err, "404", "nope")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_answer_is_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    # A POST is not retried after a failed connection: one attempt, then exit 4.
    code, out, err = run(capsys, "run", "createLabel", "-i", LABEL, "--token", TOKEN,
                         "--base-url", f"http://127.0.0.1:{_closed_port()}")
    assert code == 4, err
    assert out == ""
    assert_says(err)


def test_timeout_option_bounds_one_attempt(capsys: pytest.CaptureFixture[str],
                                           simulator_factory: Any) -> None:
    slow = simulator_factory(faults=Faults(latency_ms=3000))
    code, _, err = run(capsys, "run", "createLabel", "-i", LABEL, "--timeout", "0.2",
                       "--token", slow.token, "--base-url", slow.base_url,
                       "--error-format", "json")
    assert code == 4, err
    record = json.loads(err)
    assert record["error"]["type"] == "timeout"
    assert "0.2" in record["error"]["message"]


def test_deadline_option_bounds_the_whole_call(capsys: pytest.CaptureFixture[str],
                                               simulator_factory: Any) -> None:
    # The attempt's own timeout (30 s) would wait; only the deadline can end it early.
    slow = simulator_factory(faults=Faults(latency_ms=3000))
    code, _, err = run(capsys, "run", "listSources", "--deadline", "0.3", "--token",
                       slow.token, "--base-url", slow.base_url, "--error-format", "json")
    assert code == 4, err
    record = json.loads(err)
    assert record["exit_code"] == 4
    assert record["error"]["category"] == "transient"


# -- processes: pipes and signals ------------------------------------------------------
def test_unknown_action_in_a_real_process() -> None:
    done = cli_process("run", "lsitSources")
    assert done.returncode == 2
    assert_says(done.stderr, "did you mean 'listSources'")
    assert done.stdout == ""


def test_missing_batch_file_in_a_real_process(tmp_path: Path) -> None:
    done = cli_process("run", "createLabel", "--batch", str(tmp_path / "none.jsonl"),
                       "--token", TOKEN)
    assert done.returncode == 2
    assert_says(done.stderr, "--batch", "no such file")


def test_bad_concurrency_in_a_real_process() -> None:
    done = cli_process("run", "createLabel", "--batch", "x.jsonl", "--concurrency", "0")
    assert done.returncode == 2
    assert_says(done.stderr, "--concurrency")


def test_list_into_head_ends_quietly() -> None:
    command = f"'{sys.executable}' -m connector.cli list | head -1"
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.startswith("Actions (")
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == ""


def test_stdout_closed_before_any_output_ends_quietly_with_141() -> None:
    # The reading end is closed before the process starts: every write fails with EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "connector.cli", "list"], cwd=ROOT,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == ""


@pytest.fixture
def waiting_process(tmp_path: Path) -> Iterator[Any]:
    """A `run` blocked reading --input-json from a FIFO, once it is surely blocked there."""
    fifo = tmp_path / "inputs.fifo"
    os.mkfifo(fifo)
    procs: list[subprocess.Popen[str]] = []

    def start(*extra: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "connector.cli", "run", "listSources", "--input-json",
             str(fifo), "--dry-run", *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # As at a terminal: a runner in the background (nohup, some CI) starts its
            # children with SIGINT ignored, and Python then leaves it ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        procs.append(proc)
        # Opening the writing end returns once the process has opened the reading end,
        # i.e. it is past start-up and waiting for data inside main().
        writer = open(fifo, "w")  # noqa: SIM115 - held open until the test ends
        proc.writer = writer  # type: ignore[attr-defined]
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.writer.close()  # type: ignore[attr-defined]


def test_sigterm_is_exit_143(waiting_process: Any) -> None:
    proc = waiting_process()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert out == ""
    assert_says(err, "interrupted", "SIGTERM")


def test_sigint_is_exit_130_and_json_when_asked(waiting_process: Any) -> None:
    proc = waiting_process("--error-format", "json")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    record = json.loads(err)
    assert record["exit_code"] == 130
    assert record["action"] == "listSources"
    assert record["error"]["type"] == "interrupted"


@pytest.mark.parametrize("command, extra, package", [("serve", "serve", "uvicorn"),
                                                     ("worker", "distributed", "celery"),
                                                     ("mcp", "mcp", "mcp")])
def test_a_command_of_a_missing_extra_says_how_to_install_it(command: str, extra: str,
                                                             package: str,
                                                             tmp_path: Path) -> None:
    """Without its extra, a command says which and how to install it today (exit 2), not an
    internal error about an ImportError."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {package!r}:\n"
        "            raise ImportError('No module named ' + name, name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from connector import cli\n"
        f"sys.exit(cli.main([{command!r}]))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEGMENT")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**env, "HOME": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert_says(done.stderr, f"needs the {extra} extra ({package} is not installed)",
                f"pip install -e '.[{extra}]'", "not on PyPI")

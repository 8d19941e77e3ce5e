"""A run whose lines fail says why on stderr: the commonest errors, counted, one example each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from connector import cli
from connector.batch.digest import ErrorDigest, kind_of
from connector.redact import Secrets
from connector.simulator import Simulator

TOKEN = "sgp_batch_digest_token_0123456789abcdef"


pytestmark = pytest.mark.usefixtures("no_connection_env")


def test_a_run_whose_lines_all_fail_names_the_commonest_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "sources.jsonl"
    rows = [{"sourceId": f"missing{i}"} for i in range(4)] + [{"sourceId": 5}] * 2 \
        + [{"sourceld": "typo"}]
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    with Simulator(token=TOKEN) as sim:
        code = cli.main(["run", "getSource", "--token", TOKEN, "--base-url", sim.base_url,
                         "--batch", str(lines)])
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert code == 1 and summary["errors"] == summary["total"] == 8
    report = err.strip().splitlines()
    assert report[0].startswith("8 of 8 lines failed")
    counts = [line.strip() for line in report if re.match(r"\s+\d+ lines?, ", line)]
    # Four 404s for four different ids are one kind; the commonest comes first.
    assert counts[0].startswith("4 lines, not_found 404")
    assert "2 lines, input: sourceId" in counts
    assert "1 line, input: sourceId, sourceld" in counts  # the typo and the missing id
    assert len(counts) == 4  # and the unreadable line
    examples = [line.strip() for line in report if line.strip().startswith("e.g. line")]
    assert examples[0].startswith("e.g. line 1: ") and "missing0" in examples[0]
    assert TOKEN not in err


def test_a_run_with_no_errors_prints_nothing_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "labels.jsonl"
    lines.write_text('{"label": {"key": "k", "value": "v"}}\n')
    with Simulator(token=TOKEN) as sim:
        code = cli.main(["run", "createLabel", "--token", TOKEN, "--base-url", sim.base_url,
                         "--batch", str(lines)])
    _out, err = capsys.readouterr()
    assert code == 0 and err == ""


def test_examples_are_masked_and_kinds_beyond_the_top_are_counted() -> None:
    digest = ErrorDigest(Secrets(TOKEN))
    for n in range(7):
        for _ in range(7 - n):
            digest.add({"code": f"code{chr(97 + n)}", "message": f"bad {TOKEN}"}, n + 1)
    text = "\n".join(digest.lines(top=5))
    assert TOKEN not in text and "bad " in text
    assert text.splitlines()[0].strip() == "7 lines, codea: bad ***"
    assert text.splitlines()[-1].strip() == "3 more in 2 other kinds"


def test_kinds_set_ids_aside_but_keep_what_differs() -> None:
    one = {"code": "not_found", "status": 404, "message": "GET /sources/abc1 failed with 404",
           "errors": [{"type": "not-found", "message": "Source 'abc1' not found"}]}
    two = {**one, "errors": [{"type": "not-found", "message": "Source 'zz9' not found"}]}
    other = {**one, "errors": [{"type": "not-found", "message": "Warehouse 'zz9' not found"}]}
    assert kind_of(one) == kind_of(two) != kind_of(other)
    assert kind_of({"code": "input", "fields": {"b": "x", "a": "y"}}) == "input: a, b"

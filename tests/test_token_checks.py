"""A token is checked once, when the connection is made: refused, never echoed, never sent."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

from connector.connection import Connection
from connector.errors import InputError

GOOD = "sgp_" + "Ab9-_." * 8


@pytest.mark.parametrize("token, says", [
    ("", "is empty"),
    (GOOD + "\n", "ends with a line break"),
    (GOOD + "\r\n", "ends with a line break"),
    (GOOD + "\r", "ends with a line break"),
    (" " + GOOD, "starts with whitespace"),
    (GOOD[:5] + " " + GOOD[5:], "holds whitespace at character 6"),
    (GOOD[:5] + "\x07" + GOOD[5:], "control character (U+0007) at character 6"),
    (GOOD[:5] + "\x7f" + GOOD[5:], "control character (U+007F)"),
    (GOOD + "é", "outside ASCII"),
])
def test_a_malformed_token_is_refused_without_echoing_it(token: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        Connection(token=token)
    assert says in caught.value.fields["token"]
    if token.strip():
        assert token.strip() not in str(caught.value)
        assert GOOD[6:20] not in str(caught.value)


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_.~+/=", min_size=1))
def test_printable_ascii_tokens_are_taken_as_given(token: str) -> None:
    assert Connection(token=token).token == token


@given(st.text(min_size=8).filter(lambda t: any(c.isspace() or not " " < c < "\x7f" for c in t)))
def test_any_whitespace_control_or_non_ascii_character_is_refused(token: str) -> None:
    with pytest.raises(InputError):
        Connection(token=token)


def test_environment_token_with_a_newline_is_refused_before_anything_is_sent() -> None:
    with responses.RequestsMock() as mocked:  # any request would fail the test
        with pytest.raises(InputError, match="line break"):
            Connection.resolve(environ={"SEGMENT_API_TOKEN": GOOD + "\n"})
        assert len(mocked.calls) == 0


def test_cli_refuses_a_token_read_from_a_file_with_its_newline(tmp_path: object) -> None:
    env = {"SEGMENT_API_TOKEN": GOOD + "\n", "PATH": "", "SEGMENT_BASE_URL": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-m", "connector.cli", "run", "getWorkspace"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "token: ends with a line break" in done.stderr
    assert GOOD not in done.stderr + done.stdout

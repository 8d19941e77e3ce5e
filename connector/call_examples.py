"""One ready-to-run call of an action three ways: the CLI, HTTP to the service, and Python.

The docs show them beside each action, filled with the action's sample inputs
(`connector.samples`: required inputs and those with an example), so a reader
can paste one and change only the ids. Each is checked to parse back to the
same inputs (tests/test_docs.py).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from connector.samples import sample_inputs
from connector.spec import Action

SERVICE = "http://127.0.0.1:8000"


def cli_call(key: str, inputs: dict[str, Any]) -> str:
    """`segment-connector run KEY --input name=value ...`: text as typed, the rest as JSON."""
    parts = [f"segment-connector run {key}"]
    for name, value in inputs.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"--input {shlex.quote(f'{name}={text}')}")
    return " \\\n    ".join(parts)


def http_call(key: str, inputs: dict[str, Any]) -> str:
    body = json.dumps({"inputs": inputs}, ensure_ascii=False)
    return (f"curl -s -X POST {SERVICE}/v1/actions/{key}/run \\\n"
            f"    -H \"X-Segment-Token: $SEGMENT_API_TOKEN\" "
            f"-H 'Content-Type: application/json' \\\n"
            f"    -d {shlex.quote(body)}")


def python_call(key: str, inputs: dict[str, Any]) -> str:
    return ("import os\n\n"
            "from connector.connection import Connection\n"
            "from connector.runtime import run_action\n\n"
            "conn = Connection(token=os.environ[\"SEGMENT_API_TOKEN\"])\n"
            f"answer = run_action({key!r}, {inputs!r}, conn)  # {{\"data\": <API body>}}")


def calls_for(action: Action) -> dict[str, str]:
    """The three calls of `action` with its sample inputs."""
    inputs = sample_inputs(action)
    return {"cli": cli_call(action.key, inputs), "http": http_call(action.key, inputs),
            "python": python_call(action.key, inputs)}

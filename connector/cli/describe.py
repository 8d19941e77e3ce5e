"""`describe`: an action's, picklist's or trigger's inputs, example values and example payload."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from connector.cli.output import emit
from connector.registry import Registry
from connector.spec import Action, DataSource, Input, Trigger


def _input_line(inp: Input, where: str | None) -> str:
    kind = f"array of {inp.items}" if inp.type == "array" and inp.items else inp.type
    parts = [kind, "required" if inp.required else "optional"]
    if inp.default is not None:
        parts.append(f"default {json.dumps(inp.default)}")
    if inp.placeholder is not None:
        parts.append(f"placeholder {json.dumps(inp.placeholder)} (not sent)")
    if inp.choices:
        parts.append("one of " + "|".join(map(str, inp.choices)))
    if inp.picklist:
        parts.append(f"picklist {inp.picklist}")
    if where and where != "control":
        parts.append(f"in {where}" + (f" as {inp.name}" if inp.name else ""))
    return f"  {inp.display} ({inp.key}): {', '.join(parts)}"


def example_inputs(found: Action | DataSource | Trigger) -> dict[str, Any]:
    """Example values of the inputs a user fills (the ones `--example-inputs` uses)."""
    from connector.samples import sample_inputs, sample_value

    declared = {inp.key: inp.example for inp in _inputs_of(found) if inp.example is not None}
    if isinstance(found, Action):
        return {**declared, **sample_inputs(found)}
    return {**declared, **{inp.key: sample_value(inp) for inp in found.all_inputs
                           if inp.required}}


def _inputs_of(found: Action | DataSource | Trigger) -> tuple[Input, ...]:
    return found.inputs if isinstance(found, Action) else found.all_inputs


def picklist_example(source: DataSource, registry: Registry) -> tuple[Any, str | None]:
    """The picklist's example result, and the action it was made from when it has none.

    Made the way the runtime makes options, from the feeding action's example payload.
    """
    if source.example is not None:
        return source.example, None
    from connector.runtime import option_for  # the runtime's own option shaping

    action = registry.actions.get(source.action)
    payload = action.example_payload() if action is not None else None
    body = payload.get("data") if isinstance(payload, dict) else None
    data = body.get("data") if isinstance(body, dict) else None
    items = data.get(source.items or action.items or "") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None, None
    return {"result": [option_for(source, item) for item in items], "truncated": False}, \
        source.action


def traits(action: Action) -> str:
    """One line a flow builder routes on: safety, retries, stability, limit, feature."""
    parts = [str(action.safety or "write"),
             "safe to retry" if action.idempotent else "not safe to retry"]
    if action.stability:
        parts.append(action.stability.upper() if action.stability == "ga" else action.stability)
    if action.rate_limit:
        limit, per = action.rate_limit
        parts.append(f"{limit} requests per {per}")
    if action.feature:
        parts.append(f"needs {action.feature}")
    return "; ".join(parts)


def cmd_describe(args: argparse.Namespace, registry: Registry) -> int:
    from connector import manifest

    found = registry.find(args.key)
    args.key = found.key
    examples = example_inputs(found)
    made_from: str | None = None
    if isinstance(found, Action):
        example = found.example_payload()
    elif isinstance(found, Trigger):
        example = found.sample
    else:
        example, made_from = picklist_example(found, registry)
    if args.json:
        if isinstance(found, Trigger):
            described = manifest.describe_trigger(found)
        else:
            described = (manifest.describe_action(found) if isinstance(found, Action)
                         else manifest.describe_datasource(found))
            described["examplePayload"] = example
        described["exampleInputs"] = examples
        emit(described)
        return 0
    where: Callable[[Input], str] | None
    if isinstance(found, Action):
        print(f"{found.display} (action {found.key}; plugin {found.plugin})")
        if found.aliases:
            print(f"Aliases: {', '.join(found.aliases)}")
        if found.run is None:
            print(f"{found.method} {found.path}  [{found.media}]")
        else:
            print(f"Runs its own code; a dry run shows {manifest.dry_run_of(found)}")
        print(traits(found))
        inputs, where = found.inputs, found.where
    elif isinstance(found, Trigger):
        reads = f"; reads {found.feed.action}" if found.feed.action else ""
        print(f"{found.display} (trigger {found.key}; plugin {found.plugin}{reads})")
        inputs, where = found.all_inputs, None
    else:
        print(f"{found.display} (picklist {found.key}; from action {found.action})")
        inputs, where = found.all_inputs, None
    print(found.description)
    print("\nInputs:")
    for inp in inputs:
        print(_input_line(inp, where(inp) if where else None))
        if inp.comments:
            print(f"      {inp.comments}")
        if inp.key in examples:
            print(f"      example: {json.dumps(examples[inp.key], ensure_ascii=False)}")
    title = "Sample event" if isinstance(found, Trigger) else "Example answer"
    print(f"\n{title}" + (f" (from the example of {made_from}):" if made_from else ":"))
    print(json.dumps(example, indent=2, ensure_ascii=False))
    return 0

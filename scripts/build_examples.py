"""Build actions/examples/<module>.json: an example payload for every operation.

A payload is `{"data": <API response body>}`. Where the seed product gave one
(scripts/seed_payloads.json) it is kept, with the patches below applied so it
fits the current response schema; every other payload is synthesised from the
schema by `connector.api.examples.example_for`. Each body is validated before
anything is written.

    python scripts/build_examples.py [--out DIR]
    python scripts/build_examples.py --extract-seeds SEED_PAGE ALIASES_TSV
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jsonschema import Draft202012Validator  # noqa: E402

from connector.api.areas import module_for_tag  # noqa: E402
from connector.api.examples import example_for  # noqa: E402

CATALOG = ROOT / "connector" / "api" / "catalog.json"
SEEDS = ROOT / "scripts" / "seed_payloads.json"
OUT = ROOT / "actions" / "examples"

# Fixes to seed payloads that older API versions (or mistakes) left short of
# the current schema. Paths are dotted from the payload; `*` is every element.
METADATA_STATUS = ("set", "status", "PUBLIC")  # source metadata gained a required status
PATCHES: dict[str, list[tuple[str, tuple[Any, ...]]]] = {
    "createSource": [("data.data.source.metadata", METADATA_STATUS)],
    "getSource": [
        ("data.data.source.metadata", METADATA_STATUS),
        # Required (nullable) now; the seed's source is in no tracking plan.
        ("data.data", ("set", "trackingPlanId", None)),
    ],
    "updateSource": [("data.data.source.metadata", METADATA_STATUS)],
    "listSources": [("data.data.sources.*.metadata", METADATA_STATUS)],
    "listConnectedSourcesFromWarehouse": [("data.data.sources.*.metadata", METADATA_STATUS)],
    "getSourceMetadata": [("data.data.sourceMetadata", METADATA_STATUS)],
    "getSourcesCatalog": [("data.data.sourcesCatalog.*", METADATA_STATUS)],
    # The current API names the created object `destinationSubscription`.
    "createDestinationSubscription": [
        ("data.data", ("rename", "subscription", "destinationSubscription")),
    ],
    # The seed shows a list of transformations here: synthesise instead.
    "getEventsVolumeFromWorkspace": [("", ("discard",))],
}


def _targets(node: Any, parts: list[str]) -> list[Any]:
    if not parts:
        return [node]
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [t for item in node for t in _targets(item, rest)]
    return _targets(node[head], rest)


def patch(op_id: str, payload: Any) -> Any:
    """Apply the PATCHES of `op_id` to a copy of its seed payload; None: discard it."""
    payload = copy.deepcopy(payload)
    for path, (verb, *args) in PATCHES.get(op_id, []):
        if verb == "discard":
            return None
        for target in _targets(payload, path.split(".") if path else []):
            if verb == "set":
                target.setdefault(args[0], args[1])
            elif verb == "rename":
                target[args[1]] = target.pop(args[0])
    return payload


def response_schema(catalog: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    name = next(m for code, m in sorted(op["responses"].items()) if code.startswith("2"))
    return catalog["schemas"][name]


def payload_for(op: dict[str, Any], schema: dict[str, Any], seeds: dict[str, Any]) -> Any:
    seeded = patch(op["operationId"], seeds[op["operationId"]]) if op["operationId"] in seeds \
        else None
    return seeded if seeded is not None else {"data": example_for(schema)}


def build() -> dict[str, str]:
    """File name -> text of every example file; raises if a body does not validate."""
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    seeds = json.loads(SEEDS.read_text(encoding="utf-8"))
    files: dict[str, dict[str, Any]] = {}
    errors = []
    for op in catalog["operations"]:
        schema = response_schema(catalog, op)
        payload = payload_for(op, schema, seeds)
        for err in Draft202012Validator(schema).iter_errors(payload["data"]):
            errors.append(f"{op['operationId']}: {err.json_path}: {err.message}")
        files.setdefault(f"{module_for_tag(op['tag'])}.json", {})[op["operationId"]] = payload
    if errors:
        raise ValueError("examples do not fit their response schemas:\n" + "\n".join(errors))
    return {name: json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            for name, body in sorted(files.items())}


def extract_seeds(page: Path, aliases: Path) -> dict[str, Any]:
    """Example payloads of a seed page, keyed by operationId (run once, result committed)."""
    op_ids = {}
    for line in aliases.read_text(encoding="utf-8").splitlines()[1:]:
        seed_key, op_id, *_ = line.split("\t")
        if op_id != "-":
            op_ids[seed_key] = op_id
    text = page.read_text(encoding="utf-8")
    keys = list(re.finditer(r"\| key: (\w+)", text))
    decoder = json.JSONDecoder()
    out = {}
    for here, after in zip(keys, [*keys[1:], None], strict=True):
        section = text[here.end():after.start() if after else len(text)]
        marker = section.find("Output Example Payload")
        if marker < 0 or here[1] not in op_ids:
            continue
        out[op_ids[here[1]]] = decoder.raw_decode(section[section.index("{", marker):])[0]
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="directory to write into")
    parser.add_argument("--extract-seeds", nargs=2, type=Path, metavar=("PAGE", "ALIASES"),
                        help=f"rewrite {SEEDS.relative_to(ROOT)} from a seed page")
    args = parser.parse_args(argv)
    if args.extract_seeds:
        seeds = extract_seeds(*args.extract_seeds)
        SEEDS.write_text(json.dumps(seeds, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{len(seeds)} seed payloads -> {SEEDS.relative_to(ROOT)}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    files = build()
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"{sum(len(json.loads(t)) for t in files.values())} payloads in {len(files)} files "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

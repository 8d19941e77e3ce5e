"""docs/config-api.md: the Config API migration guide, rendered from the mapping table.

Part of `segment-connector docs` (and its `--check`), so the guide cannot
drift from the table the bridge runs on. The worked example's scan output is
made by scanning the example script at render time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from connector.legacy.explain import WORKSPACE_CHECK
from connector.legacy.scan import as_text, scan_text
from connector.legacy.table import Endpoint, base_url, endpoints

FILE = "config-api.md"
EXAMPLES = Path(__file__).with_name("examples")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", r"\|")


def _rows_by_kind() -> Counter[str]:
    kinds: dict[int, str] = {}
    for e in endpoints():
        kinds.setdefault(e.row, e.kind)
    return Counter(kinds.values())


def _summary_table() -> list[str]:
    lines = ["| # | Method | Config API path | Mapping | Public API actions |",
             "| --- | --- | --- | --- | --- |"]
    for e in endpoints():
        actions = ", ".join(f"`{a}`" for a in e.public) or "none"
        lines.append(f"| {e.row} | {' / '.join(e.methods)} | `{_cell(e.path)}` | {e.kind} | "
                     f"{actions} |")
    return lines


def _endpoint_section(e: Endpoint) -> list[str]:
    lines = [f"### {e.row}. {' / '.join(e.methods)} `{e.path}`", "", f"{e.summary}."]
    if e.kind == "none":
        lines += ["", f"No Public API counterpart: {e.why}. Instead: {e.alternative}."]
        return lines
    lines += ["", "Actions (lookups first; a lookup done earlier in the run is not "
                  "repeated): " + ", ".join(f"`{a}`" for a in e.public) + "."]
    if e.kind == "partial":
        lines += ["", "Partial mapping: the answer carries a `warnings` list saying what "
                      "was dropped."]
    if e.fields:
        lines += ["", "| Config API | Public API | How |", "| --- | --- | --- |"]
        lines += [f"| `{_cell(f['config'])}` | `{_cell(f['public'])}` | {_cell(f.get('how', ''))} |"
                  for f in e.fields]
    for name, why in e.dropped.items():
        lines += ["", f"Dropped: `{name}`: {why}."]
    if e.notes:
        lines += ["", f"Note: {e.notes}."]
    return lines


def _example(name: str) -> str:
    return (EXAMPLES / name).read_text("utf-8").rstrip("\n")


def render(marker: str) -> str:
    kinds = _rows_by_kind()
    script = "config_api.sh"
    scanned = as_text(scan_text(_example(script), script))
    lines = [
        marker, "", "# Migrating from the Config API", "",
        f"The legacy Config API (`{base_url()}`) takes no new tokens and gets no updates. "
        "`segment-connector legacy` runs its calls unchanged on the Public API, explains "
        "what each becomes, and finds them in scripts, so a migration can go one call at "
        "a time.", "",
        f"The table below holds {len({e.row for e in endpoints()})} endpoints: "
        f"{kinds['full']} map fully, {kinds['partial']} partly and {kinds['none']} have "
        "no counterpart.", "",
        "## Commands", "",
        "- `segment-connector legacy run METHOD PATH [--body JSON|-] [--dry-run]`: run the "
        "call through the Public API actions of its row (validation, retries, rate limits "
        "and masking as for `run`) and print the answer in the Config API's shape. "
        "`--dry-run` prints the Public API requests instead and sends nothing.",
        "- `segment-connector legacy explain METHOD PATH` (or `--all`): the plan and the "
        "field mapping, from the table alone. An endpoint without a counterpart exits 2 "
        "and says why.",
        "- `segment-connector legacy scan FILE...`: Config API calls in shell, Python, "
        "JavaScript and JSON files (URLs and paths, curl lines, HTTP client calls, and "
        "calls through the `segment-config-api` and `@perspective-software/segment-api` "
        "client libraries), each with its replacement.", "",
        "A Raw Request to `platform.segmentapis.com` is refused with a pointer to "
        "`legacy run`: Public API tokens do not work on the Config API.", "",
        "## What changes", "",
        "- Names become ids. A Config API path names things by slug "
        "(`workspaces/{ws}/sources/{src}/destinations/{dst}`); the bridge looks each slug "
        "up once per run (`listSources`, `listConnectedDestinationsFromSource`, the "
        "catalog) and keeps what it found for the rest of the run.",
        f"- The workspace: {WORKSPACE_CHECK}.",
        "- A destination is named by its catalog slug, so two destinations of one type "
        "on a source make the name ambiguous: the error names both ids; use the Public "
        "API actions with the id.",
        "- `update_mask`: only the listed paths are sent; a listed path without a value is "
        "cleared (false, an empty text, no rules, or every setting removed for "
        "`destination.config`); a value whose path is not listed is ignored. A PATCH "
        "without `update_mask` is refused before anything is sent (it would change "
        "nothing); the mask may also come as `?update_mask.paths=a,b`.",
        "- Calls that write more than once (a source with a display name, a plan with "
        "rules, batch connections) resolve every name first; a failure after a write "
        "names the writes already done, which are not undone.",
        "- Lists: `page_size` becomes `count`; `next_page_token` wraps the Public API "
        "cursor and is refused by any other listing. Tokens the Config API itself issued "
        "do not carry over: start from the first page.",
        "- Destination settings: `config[]` name/value lists become the `settings` object "
        "and back, with `display_name` and `type` from the catalog. Secrets stay masked "
        "(`••••` and the last four characters), and a masked value sent back unchanged "
        "is left out, so a read-modify-write never stores the mask.",
        "- Tracking-plan rules: `events[]` become TRACK rules; the workspace-wide rules "
        "are read in both spellings found in Config API plans (`global`, `identify`, "
        "`group` as single schemas, or `identify_traits`, `group_traits` as lists) and "
        "answered in the first.",
        "- Errors keep the connector's exit codes: 2 for input (nothing sent), 3 when the "
        "API refused, 4 when no answer came.", "",
        "## Every endpoint", "", *_summary_table(), "",
        "## Field mappings", "",
    ]
    for e in endpoints():
        lines += [*_endpoint_section(e), ""]
    lines += [
        "## Worked example", "",
        "A script that makes a web source with an Amplitude destination and pauses it, "
        "written for the Config API:", "",
        "```sh", _example(script), "```", "",
        f"`segment-connector legacy scan {script}` lists its calls and their replacements:",
        "", "```text", scanned, "```", "",
        "Step 1: the same calls, unchanged, with a Public API token (`SEGMENT_API_TOKEN`). "
        "The answers keep the Config API's shape, so what reads them keeps working:", "",
        "```sh", _example("migrated.sh"), "```", "",
        "Step 2, at your own pace: the Public API actions themselves, by id:", "",
        "```sh", _example("native.sh"), "```", "",
    ]
    return "\n".join(lines)

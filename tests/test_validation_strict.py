"""Validation for every caller (CLI and Python alike): strict numbers, names, text, depth."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.connection import Connection
from connector.errors import InputError
from connector.registry import Registry, UnknownKeyError
from connector.runtime import Runtime
from connector.spec import Input
from connector.validation import MAX_DEPTH, validate

REGISTRY = Registry.load(installed=False)
RT = Runtime(Connection(token="sgp_validation_strict_token_01234"), registry=REGISTRY)
INPUTS = (
    Input("count", "integer", minimum=1),
    Input("ratio", "number"),
    Input("ids", "array", items="integer"),
    Input("names", "array", items="string"),
    Input("settings", "object"),
    Input("method", choices=("GET", "POST")),
    Input("note"),
    Input("body", "any"),
)


def problems(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        validate(INPUTS, values, "test")
    return caught.value.fields


# -- numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_an_integer(value: bool) -> None:
    assert problems({"count": value}) == {
        "count": f"should be a whole number, not a boolean ({json.dumps(value)})"}


def test_a_boolean_is_not_a_number() -> None:
    assert "boolean" in problems({"ratio": True})["ratio"]


def test_a_boolean_is_not_an_integer_list_item() -> None:
    assert problems({"ids": [1, True]}) == {
        "ids.1": "should be a whole number, not a boolean (true)"}


def test_integral_json_numbers_are_integers() -> None:
    assert validate(INPUTS, {"count": 10.0, "ids": [1.0, 2]}) == {"count": 10, "ids": [1, 2]}
    assert type(validate(INPUTS, {"count": 10.0})["count"]) is int


@pytest.mark.parametrize("value, says", [(2.5, "not 2.5"), ("ten", "not the text 'ten'"),
                                         ("1.5", "not the text '1.5'"), ([1], "valid integer")])
def test_other_values_are_not_integers(value: Any, says: str) -> None:
    assert says in problems({"count": value})["count"]


def test_numeric_text_from_form_builders_counts_as_its_number() -> None:
    assert validate(INPUTS, {"count": " 10 ", "ratio": "1.5"}) == {"count": 10, "ratio": 1.5}


def test_numbers_take_integers_but_not_words_or_infinity() -> None:
    assert validate(INPUTS, {"ratio": 2}) == {"ratio": 2.0}
    assert "text" in problems({"ratio": "one and a half"})["ratio"]
    assert "finite" in problems({"ratio": float("inf")})["ratio"]
    assert "finite" in problems({"ratio": "inf"})["ratio"]


def test_python_callers_get_the_same_boolean_refusal() -> None:
    with pytest.raises(InputError) as caught:
        RT.dry_run("listSources", {"count": True})
    assert "boolean" in caught.value.fields["count"]
    sent = RT.dry_run("listSources", {"count": 25.0})
    assert "pagination.count=25" in sent["url"]


def test_no_integer_input_of_any_action_takes_a_boolean() -> None:
    checked = 0
    for action in REGISTRY.actions.items.values():
        for inp in action.inputs:
            if inp.type == "integer" and not inp.choices:
                with pytest.raises(InputError) as caught:
                    validate(action.inputs, {inp.key: True}, action.key)
                assert "boolean" in caught.value.fields[inp.key], (action.key, inp.key)
                checked += 1
    assert checked > 50


# -- messages --------------------------------------------------------------------------
def test_messages_keep_the_case_of_what_they_quote() -> None:
    assert problems({"method": "get"}) == {"method": "input should be 'GET' or 'POST'"}


def test_unknown_input_suggests_the_closest_name() -> None:
    assert problems({"cuont": 1}) == {
        "cuont": "is not an input of this action; did you mean 'count'?"}
    assert problems({"zzz": 1}) == {"zzz": "is not an input of this action"}


# -- text that UTF-8 cannot carry ------------------------------------------------------
def test_a_lone_surrogate_names_the_field_and_position() -> None:
    says = problems({"note": "ok\udcff"})["note"]
    assert "'\\udcff' at position 2" in says and "UTF-8" in says


def test_a_lone_surrogate_deep_inside_a_value() -> None:
    assert problems({"body": {"a": ["x", "y\ud800"]}})["body"].startswith("at a.1: contains")
    assert problems({"names": ["a", "\ud800"]})["names"].startswith("at 1: contains")


def test_a_lone_surrogate_in_a_key() -> None:
    assert problems({"settings": {"\udc80": 1}})["settings"].startswith("a key contains")


def test_a_lone_surrogate_escaped_in_json_text() -> None:
    says = problems({"settings": '{"a": "\\ud800"}'})["settings"]
    assert says.startswith("at a: contains '\\ud800'")


def test_valid_non_ascii_text_passes() -> None:
    assert validate(INPUTS, {"note": "café 中 😀"}) == {"note": "café 中 😀"}


# -- depth -----------------------------------------------------------------------------
def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    assert validate(INPUTS, {"body": _nested(MAX_DEPTH)})
    assert problems({"body": _nested(MAX_DEPTH + 5)}) == {
        "body": f"is nested more than {MAX_DEPTH} levels deep"}


def test_json_text_too_deep_for_the_parser_is_an_input_error() -> None:
    assert problems({"settings": "[" * 100_000}) == {
        "settings": "is nested too deeply to read as JSON"}


# -- unknown keys ----------------------------------------------------------------------
def test_unknown_action_is_an_input_error_naming_the_field_action() -> None:
    with pytest.raises(UnknownKeyError) as caught:
        REGISTRY.action("lsitSources")
    err = caught.value
    assert isinstance(err, InputError) and err.exit_code == 2
    assert list(err.fields) == ["action"]
    assert err.suggestions[0] == "listSources"
    assert err.code == "unknown_action"
    assert err.to_dict()["suggestions"] == err.suggestions


def test_unknown_picklist_is_an_input_error_naming_the_field_picklist() -> None:
    with pytest.raises(UnknownKeyError) as caught:
        REGISTRY.datasource("sorces")
    assert list(caught.value.fields) == ["picklist"]
    assert "did you mean 'sources'" in str(caught.value)


def test_python_callers_get_input_errors_for_unknown_keys() -> None:
    with pytest.raises(InputError, match="did you mean 'getSource'"):
        RT.run("getSorce", {})
    with pytest.raises(InputError, match="no picklist 'nothing'"):
        RT.picklist("nothing")


def test_find_looks_in_actions_then_picklists() -> None:
    assert REGISTRY.find("getSource").key == "getSource"
    assert REGISTRY.find("sources").key == "sources"
    assert REGISTRY.find("listSourcesCatalog").key == "getSourcesCatalog"  # an alias
    with pytest.raises(UnknownKeyError) as caught:
        REGISTRY.find("sourcez")
    assert list(caught.value.fields) == ["key"]
    assert "sources" in caught.value.suggestions

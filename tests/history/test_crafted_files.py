"""load_history on crafted and corrupted files: every failure is one ValueError that names the file.

A forger can recompute the digest (``signed`` below does), so these files get
past the digest check and reach every field's own validation. Whatever the
edit, ``load_history`` returns a ``History`` or raises ``ValueError`` whose
message holds the path: never ``OverflowError``, ``RecursionError``,
``KeyError``, ``TypeError`` or a ``ValueError`` that does not say which file.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from history_support import make_pool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

import alfunc as al

DEEP = 100_000
# Tokens no json.dumps can write, spliced into the text after dumping.
SPLICED = {
    "\x00deep\x00": "[" * DEEP + "]" * DEEP,
    "\x00deep-object\x00": '{"a":' * DEEP + "0" + "}" * DEEP,
    "\x00seed-digits\x00": "9" * 5000,
    "\x00overflow\x00": "1e400",
    "\x00-overflow\x00": "-1e400",
    "\x00NaN\x00": "NaN",
    "\x00Infinity\x00": "Infinity",
}
TOP_FIELDS = ("format", "version", "digest", "seed", "info", "records", "queried", "utilities")
RECORD_FIELDS = ("iteration", "strategy", "n_labeled", "size", "scores", "timings", "ids", "labels")
OTHER_VALUES: tuple[Any, ...] = (None, True, -1, 0, 2**64, 10**400, 1.5, "x", [], [1, "a"], {}, {"a": None})


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> dict:
    """A saved run with ids and labels, as the JSON document save_history wrote."""
    X, y = make_pool(60)
    final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3, ids=[f"row{i}" for i in range(60)])
    folder = tmp_path_factory.mktemp("valid")
    document = json.loads(al.save_history(final.history, folder / "run.json").read_text())
    assert signed(document)["digest"] == document["digest"], "signed() must compute the digest load checks"
    return document


def signed(document: Any) -> Any:
    """The document with the digest a forger would compute for its content (as load_history recomputes it)."""
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        return document
    content = {key: document[key] for key in ("seed", "info", "records", "queried", "utilities") if key in document}
    content["records"] = [
        {k: v for k, v in entry.items() if k != "timings"} if isinstance(entry, dict) else entry
        for entry in content["records"]
    ]
    try:
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return document
    return document | {"digest": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def write(path: Path, document: Any) -> Path:
    text = json.dumps(document)
    for token, replacement in SPLICED.items():
        text = text.replace(json.dumps(token), replacement)
    path.write_text(text)
    return path


def loads_or_names_the_file(path: Path) -> al.History | None:
    """The one contract: a History, or a ValueError naming ``path``; any other exception fails the test."""
    try:
        return al.load_history(path)
    except ValueError as error:
        assert str(path) in str(error), f"the error does not name the file: {error}"
        assert "\n" not in str(error)
        return None


def refused(path: Path, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        al.load_history(path)
    assert str(path) in str(caught.value)


def with_record(document: dict, number: int, **fields: Any) -> dict:
    changed = copy.deepcopy(document)
    changed["records"][number] |= fields
    return changed


def test_the_reported_cases_are_value_errors_that_name_the_file(tmp_path, valid):
    cases = {
        "seed of 5000 digits": (valid | {"seed": "\x00seed-digits\x00"}, "integer of 5000 digits"),
        "score 1e400": (with_record(valid, 1, scores={"train_score": "\x00overflow\x00"}), "1e400.*64-bit float"),
        "timing -1e400": (with_record(valid, 0, timings={"fit": "\x00-overflow\x00"}), "-1e400.*64-bit float"),
        "info 1e400": (valid | {"info": valid["info"] | {"x": "\x00overflow\x00"}}, "1e400"),
        "nested 100,000 deep": ("\x00deep\x00", "nested too deeply"),
        "info nested 100,000 deep": (valid | {"info": {"deep": "\x00deep-object\x00"}}, "nested too deeply"),
    }
    for what, (document, message) in cases.items():
        for sign in (False, True):
            path = write(tmp_path / f"{what} {sign}.json", signed(document) if sign else document)
            refused(path, message)


def test_integers_too_large_for_their_field_are_refused_even_with_a_forged_digest(tmp_path, valid):
    huge = 10**400
    cases = {
        "score": (with_record(valid, 1, scores={"train_score": huge}), "record 1 scores.*too large"),
        "timing": (with_record(valid, 1, timings={"fit": -huge}), "record 1 timings.*too large"),
        "iteration": (with_record(valid, 2, iteration=huge), "record 2 has iteration"),
        "n_labeled": (with_record(valid, 2, n_labeled=huge), "record 2 says"),
        "size": (with_record(valid, 0, size=huge), "records announce"),
        "n_pool": (valid | {"info": valid["info"] | {"n_pool": huge}}, "does not match|n_pool"),
        "labels": (with_record(valid, 1, labels=[huge, 1, 0, 1]), "record 1: labels"),
        "label 2**63 beside -1": (with_record(valid, 1, labels=[2**63, -1, 0, 1]), "record 1: labels"),
        "version": (valid | {"version": huge}, "format version"),
    }
    for what, (document, message) in cases.items():
        refused(write(tmp_path / f"{what}.json", signed(document)), message)


def test_nan_and_infinite_scores_that_alfunc_writes_still_load(tmp_path):
    """The choice: NaN and ±Infinity (how json writes non-finite floats) are read; 1e400 is not a float64."""
    history = al.History(0, [al.Record(0, [4], [float("inf")], "initial", 1, {"a": float("nan"), "b": -float("inf")})])
    path = al.save_history(history, tmp_path / "nonfinite.json")
    assert "NaN" in path.read_text() and "-Infinity" in path.read_text()
    assert al.load_history(path) == history


def test_a_wrong_type_or_a_missing_key_in_every_field_is_a_value_error_naming_the_file(tmp_path, valid):
    documents = []
    for field in TOP_FIELDS:
        documents.append({key: value for key, value in valid.items() if key != field})
        documents += [valid | {field: value} for value in OTHER_VALUES if value != valid[field]]
    for field in RECORD_FIELDS:
        without = copy.deepcopy(valid)
        del without["records"][1][field]
        documents.append(without)
        documents += [with_record(valid, 1, **{field: value}) for value in OTHER_VALUES]
    for field in ("dtype", "base64"):
        documents += [valid | {"queried": valid["queried"] | {field: value}} for value in OTHER_VALUES]
    documents += [valid | {"records": [*valid["records"][:1], value, *valid["records"][2:]]} for value in OTHER_VALUES]
    documents += [value for value in OTHER_VALUES if value != {}]
    loaded = {False: 0, True: 0}
    for number, document in enumerate(documents):
        for sign in (False, True):
            path = write(tmp_path / f"case-{number}-{sign}.json", signed(document) if sign else document)
            loaded[sign] += loads_or_names_the_file(path) is not None
    assert len(documents) == 254
    # Unsigned, only the two edits of timings (outside the digest) load. Signed, the edits that are a valid history
    # of their own load too: another seed (0, 2**64), info ({}, {"a": null}), strategy "x", no scores, null ids/labels.
    assert loaded == {False: 2, True: 23}


def test_a_missing_key_is_named(tmp_path, valid):
    refused(write(tmp_path / "no-seed.json", signed({k: v for k, v in valid.items() if k != "seed"})), "'seed'")
    no_size = copy.deepcopy(valid)
    del no_size["records"][2]["size"]
    refused(write(tmp_path / "no-size.json", signed(no_size)), "record 2.*'size'")


def test_version_true_is_not_version_1(tmp_path, valid):
    refused(write(tmp_path / "true.json", valid | {"version": True}), "format version True")
    refused(write(tmp_path / "float.json", valid | {"version": 2.0}), "format version 2.0")


def test_the_path_argument_is_checked(tmp_path):
    for bad in (None, 3, ["run.json"]):
        with pytest.raises(TypeError, match="path must be"):
            al.load_history(bad)
    with pytest.raises(FileNotFoundError, match="missing.json"):
        al.load_history(tmp_path / "missing.json")
    with pytest.raises(IsADirectoryError):
        al.load_history(tmp_path)


# -- random edits of a valid document ----------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, -(10**300), 10**4000])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(sorted(SPLICED))
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def edits(draw, document: dict) -> Any:
    """A few random edits: replace a value (any JSON value of any type), delete a key or an item, add a key."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        parent: Any = None
        key: Any = None
        node: Any = document
        depth = 0
        while isinstance(node, (dict, list)) and node and (depth == 0 or draw(st.integers(0, 2)) > 0):
            depth += 1
            parent = node
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            node = node[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if parent is None:  # the root itself: only when the document is no longer a container
            document = draw(json_values)
            continue
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=4))] = draw(json_values)
        else:
            parent.insert(key, draw(json_values))
    return signed(document) if draw(st.booleans()) else document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_edit_of_a_valid_file_loads_or_is_a_value_error_naming_the_file(tmp_path, valid, data):
    path = write(tmp_path / "edited.json", data.draw(edits(valid), label="document"))
    loaded = loads_or_names_the_file(path)
    assert loaded is None or isinstance(loaded, al.History)

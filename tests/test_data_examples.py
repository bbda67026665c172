"""The examples on your own kinds of data run (quick settings) and print what they claim.

Text (standard-library docstrings), a mixed-type DataFrame and images with
memmapped embeddings: every strategy's row is printed with scores in [0, 1]
that beat guessing, and the picks they show are real rows of their source.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def printed_rows(output: str, strategies) -> dict[str, tuple[float, float]]:
    """The (AULC, final accuracy) printed on each strategy's row of the table."""
    rows = {}
    for strategy in strategies:
        match = re.search(rf"^{strategy}\s.*?(\d\.\d{{3}})\s+(\d\.\d{{3}})$", output, flags=re.M)
        assert match, f"no row for {strategy} in:\n{output}"
        rows[strategy] = (float(match[1]), float(match[2]))
    return rows


def check_table(output: str, returned: dict, strategies) -> dict[str, tuple[float, float]]:
    rows = printed_rows(output, strategies)
    assert list(returned) == list(strategies)
    for strategy, (area, final) in rows.items():
        assert 0.0 <= area <= 1.0 and 0.0 <= final <= 1.0, strategy
        assert area == round(returned[strategy]["aulc"], 3) and final == round(returned[strategy]["final"], 3)
    return rows


def resolve(dotted: str) -> object:
    """The object a dotted name like ``email.message.Message.get_payload`` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise AssertionError(f"{dotted} names no module")


def test_text_example_compares_the_strategies_and_its_picks_are_real_docstrings(capsys):
    text = example("text_classification")
    returned = text.main(["--quick"])
    output = capsys.readouterr().out
    rows = check_table(output, returned, text.STRATEGIES)
    assert set(text.STRATEGIES) >= {"random", "margin", "k_center_greedy", "badge"}

    documents, labels, names = text.build_corpus()
    assert 300 <= len(documents) <= 2000 and len(set(names)) == len(names) and list(names) == sorted(names)
    majority = max(np.mean(labels == family) for family in text.FAMILIES)
    assert all(final > majority for _, final in rows.values()), (rows, majority)  # better than the largest class

    picks = re.findall(r"^  (\S+) +(\w+)$", output.split("first documents margin asked about")[1], flags=re.M)
    assert len(picks) == 5 and len({name for name, _ in picks}) == 5
    family_of = {root: family for family, roots in text.FAMILIES.items() for root in roots}
    for name, family in picks:
        assert family_of[name.split(".")[0]] == family, name
        doc = " ".join((resolve(name).__doc__ or "").split())
        assert doc == documents[list(names).index(name)]  # the pick is that object's docstring


def test_table_example_keeps_column_names_and_shows_picks_by_patient_id(capsys):
    pytest.importorskip("pandas")
    table = example("mixed_table")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        returned = table.main(["--quick"])
    assert not [w for w in caught if "feature names" in str(w.message)]
    output = capsys.readouterr().out
    rows = check_table(output, returned, table.STRATEGIES)
    assert all(final > 0.4 for _, final in rows.values()), rows  # three balanced classes: chance is 1/3

    frame, _ = table.patients()
    known = re.search(r"12 labels already known: (.*), \.\.\.", output)
    assert known and all(key in frame.index for key in known[1].split(", "))
    shown = re.findall(r"^(patient-\d{3})\s+(.*)$", output.split("first patients margin asked about")[1], flags=re.M)
    assert len(shown) == 5 and len({key for key, _ in shown}) == 5
    for key, rest in shown:  # the printed row is the source row with that id
        expected = frame.loc[key, table.CATEGORICAL].astype(str).tolist()
        assert " ".join(rest.split()).startswith(" ".join(expected)), (key, rest, expected)


def test_image_example_runs_geometry_strategies_on_memmapped_embeddings(capsys):
    images = example("image_embeddings")
    returned = images.main(["--quick"])
    output = capsys.readouterr().out
    rows = check_table(output, returned, images.STRATEGIES)
    assert set(images.GEOMETRY) == {"k_center_greedy", "typiclust", "badge"}
    for strategy in images.GEOMETRY:
        assert re.search(rf"^{strategy}\s+embeddings\s", output, flags=re.M), strategy
    assert all(final > 0.6 for _, final in rows.values()), rows  # ten classes: chance is 0.1
    assert re.search(r"records the embeddings as [0-9a-f]{12}\.\.\., shape \(\d+, 32\)", output)

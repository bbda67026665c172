"""The documentation's promises that need no Sphinx: docstrings that say every parameter, strategies that cite papers.

* Every registered strategy (factory-made ones included) has a docstring of its
  own that names its method and cites a paper, so ``help(al.STRATEGIES[name])``
  says what it is.
* The names of the package's face (``alfunc.__all__``), the experiment grid and
  every other callable of the API reference (``docs/api.rst``) have a numpydoc
  ``Parameters`` section that documents each parameter of their signature, in
  order; ``run`` documents exactly ``trace``'s parameters, in the same words.
* The package ships ``py.typed`` and the gallery runs every example.

The user guide's pages under ``docs/`` run as doctests with the rest of the
suite (``--doctest-glob='*.rst'`` in ``pyproject.toml``).
"""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

import alfunc
from alfunc.experiments import experiment_grid, run_grid
from alfunc.strategies import STRATEGIES, dwus, filter_then, information_density, kmeans, margin, probcover

ROOT = Path(__file__).resolve().parents[1]
HEADER = re.compile(r"^(?P<title>[A-Z][A-Za-z ]+)\n-{3,}$", re.MULTILINE)
ENTRY = re.compile(r"^(?P<names>\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")
CITATION = re.compile(r"\([^()]*\b(?:19|20)\d\d\b[^()]*\)|\bet al\.")


def sections(obj: object) -> dict[str, str]:
    """The numpydoc sections of ``obj``'s docstring, by title (the text before the first is ``"Summary"``)."""
    doc = inspect.getdoc(obj) or ""
    found, start, title = {}, 0, "Summary"
    for match in HEADER.finditer(doc):
        found[title] = doc[start : match.start()]
        title, start = match["title"], match.end()
    found[title] = doc[start:]
    return found


def documented_parameters(obj: object) -> dict[str, str]:
    """``name -> description`` of each entry of the ``Parameters`` section (``*args`` and ``**kwargs`` unstarred)."""
    entries: dict[str, str] = {}
    names: list[str] = []
    for line in sections(obj).get("Parameters", "").splitlines():
        match = ENTRY.match(line)
        if match and not line.startswith(" "):
            names = [name.strip().lstrip("*") for name in match["names"].split(",")]
            entries.update(dict.fromkeys(names, line + "\n"))
        elif names:
            for name in names:
                entries[name] += line + "\n"
    return entries


def signature_parameters(obj: Callable) -> list[str]:
    return [name for name in inspect.signature(obj).parameters if name not in ("self", "cls")]


def cites_a_paper(doc: str) -> bool:
    """A year in parentheses, as in ``(Settles & Craven 2008)``, or an "et al."."""
    return bool(CITATION.search(doc))


def reference_entries() -> list[tuple[str, object]]:
    """``(dotted name, object)`` of every name an autosummary list of ``docs/api.rst`` documents."""
    entries, module = [], "alfunc"
    for line in (ROOT / "docs" / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)$", line):
            module = match[1]
        elif match := re.match(r"^   (\w+)$", line):
            entries.append((f"{module}.{match[1]}", getattr(importlib.import_module(module), match[1])))
    return entries


def public_callables() -> list[tuple[str, Callable]]:
    """The package's face, the experiment grid and every other callable of the API reference."""
    face = [(f"alfunc.{name}", getattr(alfunc, name)) for name in alfunc.__all__ if callable(getattr(alfunc, name))]
    grid = [("alfunc.experiments.experiment_grid", experiment_grid), ("alfunc.experiments.run_grid", run_grid)]
    found = dict([*face, *grid, *((name, obj) for name, obj in reference_entries() if callable(obj))])
    return sorted(found.items())


@pytest.mark.parametrize(("name", "strategy"), list(STRATEGIES.items()), ids=list(STRATEGIES))
def test_every_registered_strategy_names_its_method_and_cites_a_paper(name, strategy):
    doc = inspect.getdoc(strategy)
    assert doc, f"STRATEGIES[{name!r}] has no docstring: help() on it says nothing"
    summary = doc.split("\n\n")[0]
    assert len(summary.split()) >= 4, f"STRATEGIES[{name!r}]'s docstring does not say what it does: {summary!r}"
    assert cites_a_paper(doc), f"STRATEGIES[{name!r}]'s docstring cites no paper:\n{doc}"


@pytest.mark.parametrize(
    ("strategy", "words"),
    [
        (information_density(margin, beta=2.0), ["Information density", "Settles & Craven 2008", "margin(x)", "2.0"]),
        (dwus(), ["DWUS", "Nguyen & Smeulders 2004", "entropy(x)"]),
        (filter_then(margin, 3, kmeans), ["3 x batch_size", "margin", "kmeans", "Citovsky et al. 2021"]),
        (probcover(radius=0.5), ["ProbCover", "Yehuda et al. 2022", "radius 0.5"]),
    ],
    ids=["information_density", "dwus", "filter_then", "probcover"],
)
def test_a_factory_made_strategy_describes_the_arguments_it_was_made_with(strategy, words):
    doc = inspect.getdoc(strategy)
    missing = [word for word in words if word not in doc]
    assert missing == [], f"{strategy.__name__}'s docstring lacks {missing}:\n{doc}"
    assert "batch_size : int" in doc if getattr(strategy, "selects_batch", False) else "context : Context" in doc


def test_the_citation_check_can_fail():
    assert cites_a_paper("Margin: high near the boundary (Scheffer et al. 2001).")
    assert cites_a_paper("Information density (Settles & Craven 2008).")
    assert not cites_a_paper("Pick the points the model is least sure about.")
    assert not cites_a_paper("Uses 2008 rows (a lot).")


@pytest.mark.parametrize(("name", "obj"), public_callables(), ids=[name for name, _ in public_callables()])
def test_every_public_callable_documents_each_parameter_in_order(name, obj):
    expected = signature_parameters(obj)
    documented = list(documented_parameters(obj))
    assert documented == expected, (
        f"{name}: the Parameters section lists {documented}, the signature has {expected}; "
        f"undocumented: {[p for p in expected if p not in documented]}, "
        f"not in the signature: {[p for p in documented if p not in expected]}"
    )
    empty = [parameter for parameter, text in documented_parameters(obj).items() if len(text.split("\n", 1)[1]) < 10]
    assert empty == [], f"{name}: parameters documented without a description: {empty}"


def test_run_documents_exactly_the_parameters_of_trace_in_the_same_words():
    assert signature_parameters(alfunc.run) == signature_parameters(alfunc.trace)
    assert documented_parameters(alfunc.run) == documented_parameters(alfunc.trace)
    assert "same arguments as" not in sections(alfunc.run)["Summary"], "run is documented in full, not by reference"
    assert {"Returns", "Examples"} <= set(sections(alfunc.run)) and {"Yields", "Examples"} <= set(
        sections(alfunc.trace)
    )


def test_the_parameters_check_can_fail():
    def documented(a, b=1, *rest, c, **options):
        """Do something.

        Parameters
        ----------
        a : int
            The first.
        b : int, default=1
            The second.
        *rest
            More.
        c : str
            A keyword.
        **options
            The rest.
        """

    def one_missing(a, b):
        """Do something.

        Parameters
        ----------
        a : int
            The first.
        """

    def by_reference(*args, **kwargs):
        """Take the same arguments as ``documented``."""

    assert list(documented_parameters(documented)) == signature_parameters(documented)
    assert list(documented_parameters(one_missing)) != signature_parameters(one_missing)
    assert list(documented_parameters(by_reference)) != signature_parameters(by_reference)
    assert list(documented_parameters(alfunc.select))[:2] == ["state", "X"]  # a real docstring parses


def test_the_package_ships_its_py_typed_marker():
    assert (ROOT / "alfunc" / "py.typed").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["alfunc"]


def test_the_gallery_runs_every_example_with_a_title():
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert '"filename_pattern": r".*\\.py$"' in conf, "the gallery must run every examples/*.py, not only plot_*"
    for example in sorted((ROOT / "examples").glob("*.py")):
        source = example.read_text()
        doc = source.split('"""')[1] if source.startswith('"""') else ""
        lines = doc.split("\n")
        title, underline = lines[0], lines[1] if len(lines) > 1 else ""
        assert title and set(underline) == {"="} and len(underline) >= len(title), (
            f"{example.name} needs a sphinx-gallery header: a title line underlined with '=' and an explanation"
        )
        assert len(doc.split("\n\n")) >= 2, f"{example.name}: the header has a title but no explanation"


def test_the_api_reference_lists_every_name_of_the_package():
    listed = set(re.findall(r"^   (\w+)$", (ROOT / "docs" / "api.rst").read_text(), flags=re.MULTILINE))
    missing = sorted(name for name in alfunc.__all__ if name not in listed and name != "STRATEGIES")
    assert missing == [], f"add these names of alfunc.__all__ to an autosummary list of docs/api.rst: {missing}"
    assert ".. strategy-table::" in (ROOT / "docs" / "api.rst").read_text()  # STRATEGIES, one row per name

"""Progress and callbacks on run/trace: they watch a run without changing it, and import lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest
import toolz
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import alfunc as al

X, Y = load_iris(return_X_y=True)
MODEL = LogisticRegression(max_iter=1000)
ARGS = (X, Y, MODEL, "margin")
OPTIONS = {"n_init": 10, "batch_size": 20, "budget": 70}


def test_callback_sees_every_state_and_progress_writes_a_bar_to_stderr(capsys):
    seen = []
    states = list(al.trace(*ARGS, **OPTIONS, progress=True, callback=seen.append))
    assert seen == states == list(al.trace(*ARGS, **OPTIONS))
    assert [s.n_labeled for s in seen] == [10, 30, 50, 70]
    captured = capsys.readouterr()
    assert captured.out == "" and "4/4" in captured.err and "margin" in captured.err


@pytest.fixture
def bars(monkeypatch):
    """Every progress bar trace opens, written to a string instead of stderr, kept to read its attributes."""
    import io

    from tqdm import tqdm

    from alfunc.engine import progress

    opened = []

    def quiet_bar(total, description, unit):
        opened.append(tqdm(total=total, desc=description, unit=unit, file=io.StringIO()))
        return opened[-1]

    monkeypatch.setattr(progress, "_bar", quiet_bar)
    return opened


def test_a_run_stopped_early_ends_with_a_full_bar_not_at_4_of_180(bars):
    states = list(al.trace(*ARGS, n_init=10, batch_size=5, stop=lambda state: state.iteration == 3, progress=True))
    assert len(states) == 4
    assert bars[0].n == 4 and bars[0].total == 4, f"bar ended at {bars[0].n}/{bars[0].total}"


def test_a_run_that_goes_to_its_end_keeps_its_total(bars):
    list(al.trace(*ARGS, **OPTIONS, progress=True))
    assert (bars[0].n, bars[0].total) == (4, 4)


def test_a_bar_left_by_a_consumer_that_stops_reading_keeps_the_bound(bars):
    states = al.trace(*ARGS, **OPTIONS, progress=True)
    next(states)
    states.close()
    assert (bars[0].n, bars[0].total) == (1, 4)


def test_callback_runs_as_states_are_produced_not_before():
    seen = []
    states = al.trace(*ARGS, **OPTIONS, callback=seen.append)
    assert seen == []
    first = next(states)
    assert seen == [first]
    assert al.run(*ARGS, **OPTIONS, callback=seen.append) == toolz.last(seen)


def test_a_bad_callback_is_refused_when_trace_is_called():
    with pytest.raises(TypeError, match="callback must be a callable"):
        al.trace(*ARGS, callback="print")


def test_importing_alfunc_and_its_cli_loads_neither_matplotlib_nor_tqdm():
    code = (
        "import sys, alfunc, alfunc.cli, alfunc.experiments, alfunc.experiments.plots;"
        "print(sorted(m for m in ('matplotlib', 'tqdm', 'dask') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"

"""save_history / load_history / history_digest: round trips, safety against pickles, corruption."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import attrs
import numpy as np
import pytest
from history_support import make_pool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.core.frozen import FrozenMap
from alfunc.history.io import FORMAT_VERSION

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

plain_scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8)
)
plain_values = st.recursive(
    plain_scalars,
    lambda inner: (
        st.lists(inner, max_size=3).map(tuple) | st.dictionaries(st.text(max_size=5), inner, max_size=3).map(FrozenMap)
    ),
    max_leaves=8,
)


@st.composite
def histories(draw) -> al.History:
    """Arbitrary well-formed histories (not only those a run makes): odd floats, big seeds, nested info."""
    n_pool = draw(st.integers(1, 200))
    order = draw(st.permutations(range(n_pool)))
    n_records = draw(st.integers(0, min(6, n_pool)))
    cuts = sorted(draw(st.lists(st.integers(1, n_pool), min_size=n_records, max_size=n_records, unique=True)))
    records, start = [], 0
    for iteration, stop in enumerate(cuts):
        size = stop - start
        utilities = draw(st.lists(st.floats(allow_infinity=True), min_size=size, max_size=size))
        scores = draw(st.dictionaries(st.text(min_size=1, max_size=6), st.floats(), max_size=3))
        timings = draw(st.dictionaries(st.sampled_from(["fit", "select"]), st.floats(0, 10), max_size=2))
        strategy = draw(st.sampled_from(["initial", "margin", "entropy", "manual", "é+ü"]))
        records.append(al.Record(iteration, order[start:stop], utilities, strategy, stop, scores, timings))
        start = stop
    info = draw(st.dictionaries(st.text(max_size=6), plain_values, max_size=4)) | {"n_pool": n_pool}
    return al.History(draw(st.integers(0, 2**128)), records, info)


@SETTINGS
@given(history=histories())
def test_save_load_round_trip_is_equal_including_timings(tmp_path, history):
    path = al.save_history(history, tmp_path / "run.json")
    loaded = al.load_history(path)
    assert loaded == history
    assert [r.timings for r in loaded] == [r.timings for r in history]
    assert al.history_digest(loaded) == al.history_digest(history)


@SETTINGS
@given(history=histories(), other=histories())
def test_digest_is_equal_exactly_when_histories_are_equal(history, other):
    assert (al.history_digest(history) == al.history_digest(other)) == (history == other)


def test_equal_floats_with_different_bits_digest_alike():
    quiet_nan = np.frombuffer(np.array([0x7FF8000000000001], dtype="<u8").tobytes(), dtype="<f8")[0]
    one = al.History(3, [al.Record(0, [1, 2], [-0.0, np.nan], "initial", 2, {"s": -0.0})], {"x": -0.0})
    two = al.History(3, [al.Record(0, [1, 2], [0.0, quiet_nan], "initial", 2, {"s": 0.0})], {"x": 0.0})
    assert one == two and al.history_digest(one) == al.history_digest(two)


@pytest.fixture(scope="module")
def run_history() -> al.History:
    X, y = make_pool(80)
    return al.run(X, y, GaussianNB(), strategy="entropy", n_init=6, batch_size=7, max_iter=5).history


def test_identical_runs_have_equal_digests_and_any_change_alters_it(run_history):
    X, y = make_pool(80)
    again = al.run(X, y, GaussianNB(), strategy="entropy", n_init=6, batch_size=7, max_iter=5).history
    assert again == run_history and al.history_digest(again) == al.history_digest(run_history)
    digest = al.history_digest(run_history)
    record = run_history[2]
    swapped = attrs.evolve(record, queried=np.r_[record.queried[:-1], 79 - record.queried[-1] % 3])
    changes = {
        "seed": attrs.evolve(run_history, seed=run_history.seed + 1),
        "selection": attrs.evolve(run_history, records=(*run_history[:2], swapped, *run_history[3:])),
        "labels": al.run(X, 1 - y, GaussianNB(), strategy="entropy", n_init=6, batch_size=7, max_iter=5).history,
        "parameter": al.run(X, y, GaussianNB(), strategy="entropy", n_init=6, batch_size=8, max_iter=5).history,
        "estimator": al.run(
            X, y, GaussianNB(var_smoothing=1e-3), strategy="entropy", n_init=6, batch_size=7, max_iter=5
        ).history,
    }
    for what, changed in changes.items():
        assert al.history_digest(changed) != digest, what


def test_a_run_records_its_parameters_data_and_versions_as_plain_data(run_history):
    info = run_history.info
    assert info["strategy"] == "entropy" and info["n_init"] == 6 and info["batch_size"] == 7 and info["max_iter"] == 5
    assert info["estimator"]["class"] == "sklearn.naive_bayes.GaussianNB"
    assert info["estimator"]["params"]["var_smoothing"] == 1e-9
    assert info["n_pool"] == 80 and len(info["X_fingerprint"]) == 64 and len(info["y_fingerprint"]) == 64
    assert set(info["versions"]) == {"python", "alfunc", "numpy", "scikit-learn"}


class Payload:
    """Unpickling this object creates ``path``: the side effect a crafted file would try to cause."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def pickle_payloads(folder: Path, sentinel: Path) -> dict[str, Path]:
    """Files that would run the payload if unpickled: raw pickle, .npy, .npz, and inside a history JSON."""
    payload = pickle.dumps(Payload(sentinel))
    files = {name: folder / name for name in ("raw.pkl", "object.npy", "object.npz", "dtype_O.json", "as_ints.json")}
    files["raw.pkl"].write_bytes(payload)
    np.save(files["object.npy"], np.array([Payload(sentinel)], dtype=object), allow_pickle=True)
    np.savez(files["object.npz"], queried=np.array([Payload(sentinel)], dtype=object))
    return files


def test_pickle_payloads_are_rejected_and_never_run(tmp_path, run_history):
    sentinel = tmp_path / "payload-ran"
    files = pickle_payloads(tmp_path, sentinel)
    valid = json.loads(al.save_history(run_history, tmp_path / "valid.json").read_text())
    encoded = __import__("base64").b64encode(pickle.dumps(Payload(sentinel))).decode()
    for name, dtype in (("dtype_O.json", "|O"), ("as_ints.json", "<i8")):
        files[name].write_text(json.dumps(valid | {"queried": {"dtype": dtype, "base64": encoded}}))

    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Payload(control)))
    assert control.exists(), "the payload must be live for this test to mean anything"

    for name, path in files.items():
        with pytest.raises(ValueError, match="history"):
            al.load_history(path)
        assert not sentinel.exists(), f"loading {name} ran the pickle payload"


def test_loading_never_calls_a_pickle_loader(tmp_path, run_history, monkeypatch):
    path = al.save_history(run_history, tmp_path / "run.json")

    def forbidden(*args, **kwargs):
        raise AssertionError("load_history unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    assert al.load_history(path) == run_history


def test_wrong_version_and_foreign_files_give_clear_value_errors(tmp_path, run_history):
    valid = json.loads(al.save_history(run_history, tmp_path / "run.json").read_text())
    cases = {
        "version": (valid | {"version": FORMAT_VERSION + 1}, f"format version {FORMAT_VERSION + 1}"),
        "no marker": ({"records": []}, "not an alfunc history"),
        "array": ([1, 2, 3], "not an alfunc history"),
        "missing records": ({k: v for k, v in valid.items() if k != "records"}, "corrupted.*records"),
        "digest": (valid | {"digest": "0" * 64}, "does not match its digest"),
        "seed": (valid | {"seed": -1}, "seed"),
        "bad base64": (valid | {"utilities": {"dtype": "<f8", "base64": "@@@"}}, "base64"),
        "duplicate index": (
            valid
            | {
                "queried": {
                    "dtype": "<i8",
                    "base64": __import__("base64").b64encode(np.zeros(valid_size(valid), "<i8").tobytes()).decode(),
                }
            },
            "queried twice",
        ),
    }
    for what, (document, message) in cases.items():
        path = tmp_path / f"{what}.json"
        path.write_text(json.dumps(document))
        with pytest.raises(ValueError, match=message):
            al.load_history(path)


def valid_size(document: dict) -> int:
    return sum(record["size"] for record in document["records"])


@pytest.fixture(scope="module")
def saved_bytes(run_history, tmp_path_factory) -> bytes:
    return al.save_history(run_history, tmp_path_factory.mktemp("saved") / "run.json").read_bytes()


@SETTINGS
@given(cut=st.integers(0, 10**6))
def test_a_truncated_file_is_a_value_error(tmp_path, saved_bytes, cut):
    path = tmp_path / "cut.json"
    path.write_bytes(saved_bytes[: cut % len(saved_bytes)])
    with pytest.raises(ValueError, match="not an alfunc history|corrupted"):
        al.load_history(path)


@SETTINGS
@given(position=st.integers(0, 10**6), byte=st.integers(32, 126))
def test_a_corrupted_byte_is_refused_or_changes_nothing_that_equality_sees(
    tmp_path, saved_bytes, run_history, position, byte
):
    corrupted = bytearray(saved_bytes)
    corrupted[position % len(corrupted)] = byte
    path = tmp_path / "flipped.json"
    path.write_bytes(bytes(corrupted))
    try:
        loaded = al.load_history(path)
    except ValueError:
        return
    assert loaded == run_history  # e.g. a digit of a timing changed: timings are not part of the content


def test_a_failed_save_leaves_the_previous_file_intact_and_no_temp_file(tmp_path, run_history, monkeypatch):
    path = al.save_history(run_history, tmp_path / "run.json")
    before = path.read_bytes()
    shorter = attrs.evolve(run_history, records=run_history[:2])

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        al.save_history(shorter, path)
    monkeypatch.undo()
    with pytest.raises(TypeError, match="not plain data"):
        al.save_history(shorter.with_info({"estimator": GaussianNB()}), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def test_bad_arguments_are_refused_before_writing(tmp_path, run_history):
    with pytest.raises(TypeError, match="History"):
        al.save_history(run_history.records, tmp_path / "run.json")
    with pytest.raises(ValueError, match="does not exist"):
        al.save_history(run_history, tmp_path / "missing" / "run.json")
    with pytest.raises(TypeError, match="History"):
        al.history_digest([])
    assert list(tmp_path.iterdir()) == []


def test_nan_scores_compare_equal_so_a_nan_scored_run_survives_a_round_trip(tmp_path):
    history = al.History(0, [al.Record(0, [4], [np.nan], "initial", 1, {"train_score": float("nan")})])
    assert al.load_history(al.save_history(history, tmp_path / "nan.json")) == history
    assert history != al.History(0, [al.Record(0, [4], [np.nan], "initial", 1, {"train_score": 0.5})])


def test_labels_are_history_a_saved_run_replays_without_its_oracle(tmp_path):
    X, y = make_pool()
    asked = []

    def person(indices):
        asked.extend(indices.tolist())
        return y[indices]

    final = al.run(X, person, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=3)
    loaded = al.load_history(al.save_history(final.history, tmp_path / "run.json"))
    assert [record.labels.tolist() for record in loaded] == [y[record.queried].tolist() for record in final.history]
    asked.clear()
    assert al.replay(loaded, X, None, GaussianNB(), verify=True) == final
    assert asked == []  # nobody was asked again
    edited = attrs.evolve(loaded, records=(attrs.evolve(loaded[0], labels=1 - loaded[0].labels), *loaded[1:]))
    assert al.history_digest(edited) != al.history_digest(loaded)  # the digest covers the labels


def test_a_version_1_file_without_labels_still_loads_and_replays_with_its_oracle(tmp_path):
    X, y = make_pool()
    final = al.run(X, y, GaussianNB(), "margin", n_init=6, batch_size=4, max_iter=2)
    old = attrs.evolve(final.history, records=tuple(attrs.evolve(r, labels=None) for r in final.history))
    path = al.save_history(old, tmp_path / "old.json")
    document = json.loads(path.read_text())
    assert all("labels" not in entry for entry in document["records"])
    path.write_text(json.dumps(document | {"version": 1}))
    loaded = al.load_history(path)
    assert all(record.labels is None for record in loaded)
    with pytest.raises(ValueError, match="the history holds no labels"):
        al.replay(loaded, X, None, GaussianNB())
    assert al.replay(loaded, X, y, GaussianNB()).labeled.tolist() == final.labeled.tolist()

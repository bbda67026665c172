"""The core properties hold for every pool kind: ndarray, DataFrame, list of rows, sparse matrix, text.

One numeric pool is presented in four containers; with a model that gives the
same numbers for each, the same seed must label the same points in the same
order, and every state must partition the pool, grow by the batch size, never
label a point twice and leave the caller's data untouched.
"""

from __future__ import annotations

import warnings

import attrs
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from pools import AnyPoolCentroid, pools
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import alfunc as al


def containers(X: np.ndarray) -> dict[str, object]:
    """The same numeric pool as an ndarray, a DataFrame, a list of rows and a CSR matrix."""
    return {
        "ndarray": X,
        "frame": pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]),
        "list": X.tolist(),
        "sparse": sp.csr_matrix(X),
    }


@settings(max_examples=15, deadline=None)
@given(
    pool=pools(min_size=4, max_size=30),
    strategy=st.sampled_from(["random", "margin", "entropy", "least_confident"]),
    batch_size=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_every_container_labels_the_same_points_in_the_same_order(pool, strategy, batch_size, seed):
    X, y = pool
    n_init = min(2, len(y))
    runs = {}
    for kind, rows in containers(X).items():
        before = rows.copy() if hasattr(rows, "copy") else list(rows)
        states = list(al.trace(rows, y, AnyPoolCentroid(), strategy, n_init, batch_size, max_iter=6, random_state=seed))
        for previous, state in zip(states, states[1:], strict=False):
            assert state.n_labeled == min(previous.n_labeled + batch_size, len(y))  # grows by the batch
        final = states[-1]
        assert np.unique(final.labeled).size == final.n_labeled  # nobody twice
        assert np.array_equal(np.sort(np.concatenate([final.labeled, final.unlabeled()])), np.arange(len(y)))
        _assert_unchanged(before, rows)
        runs[kind] = final
    reference = runs["ndarray"]
    for kind, final in runs.items():
        assert np.array_equal(final.labeled, reference.labeled), kind
        assert [attrs.evolve(record, ids=None) for record in final.history] == list(reference.history), kind


def _assert_unchanged(before, after):
    if sp.issparse(after):
        assert (before != after).nnz == 0
    elif isinstance(after, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    else:
        assert np.array_equal(np.asarray(before), np.asarray(after))


@settings(max_examples=10, deadline=None)
@given(pool=pools(min_size=6, max_size=30), seed=st.integers(0, 2**16))
def test_replay_of_every_container_gives_the_same_states(pool, seed):
    X, y = pool
    for rows in containers(X).values():
        states = list(al.trace(rows, y, AnyPoolCentroid(), "margin", 2, 3, max_iter=3, random_state=seed))
        again = list(al.replay_trace(states[-1].history, rows, y, AnyPoolCentroid(), verify=True))
        assert again == states


DOCUMENTS = [
    f"{word} {other} report"
    for word in ("river", "stream", "lake", "ocean", "pond", "falls")
    for other in ("water flow", "fish swim", "boats sail", "rain falls", "ice melts")
] + [
    f"{word} {other} circuit"
    for word in ("chip", "wafer", "board", "socket", "cable", "relay")
    for other in ("voltage spike", "logic gate", "clock signal", "power rail", "data bus")
]
TOPICS = np.array([0] * 30 + [1] * 30)


def text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression())


def test_a_text_pool_runs_replays_and_resumes(tmp_path):
    final = al.run(DOCUMENTS, TOPICS, text_model(), "margin", n_init=4, batch_size=5, budget=24)
    assert final.n_labeled == 24 and final.history.info["representation"] is None
    path = al.save_history(final.history, tmp_path / "text.json")
    history = al.load_history(path)
    assert al.replay(history, DOCUMENTS, TOPICS, text_model(), verify=True) == final
    shorter = al.run(DOCUMENTS, TOPICS, text_model(), "margin", n_init=4, batch_size=5, budget=14)
    assert al.resume(shorter.history, DOCUMENTS, TOPICS, text_model(), budget=24) == final


def test_a_text_pool_as_an_object_array_and_a_series_gives_the_same_run():
    as_list = al.run(DOCUMENTS, TOPICS, text_model(), "entropy", n_init=4, batch_size=5, budget=20)
    as_array = al.run(
        np.array(DOCUMENTS, dtype=object), TOPICS, text_model(), "entropy", n_init=4, batch_size=5, budget=20
    )
    as_series = al.run(pd.Series(DOCUMENTS), TOPICS, text_model(), "entropy", n_init=4, batch_size=5, budget=20)
    assert np.array_equal(as_list.labeled, as_array.labeled) and np.array_equal(as_list.labeled, as_series.labeled)


def test_standard_al_on_a_text_pool():
    model = al.StandardAL(text_model(), "breaking_ties", n_init=4, budget=6, max_iter=3, random_state=0)
    model.fit(DOCUMENTS, TOPICS)
    assert int(model.labeled_pool_.sum()) == 22
    assert model.predict(["lake water flow", "chip logic gate"]).tolist() == [0, 1]


def mixed_table(n: int = 80, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    frame = pd.DataFrame(
        {"size": size, "colour": colour, "weight": rng.normal(size=n)},
        index=pd.Index([f"item-{i}" for i in range(n)], name="sku"),
    )
    return frame, ((size > 0) ^ (colour == "red")).astype(int)


def table_model():
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["colour"]), (StandardScaler(), ["size", "weight"])
    )
    return make_pipeline(encode, LogisticRegression())


def test_a_mixed_table_keeps_its_column_names_and_index(tmp_path):
    frame, y = mixed_table()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names" warning
        final = al.run(frame, y, table_model(), "margin", n_init=6, batch_size=4, budget=30, X_test=frame, y_test=y)
    ids = [key for record in final.history for key in record.ids]
    assert ids == frame.index[final.labeled].tolist()  # picks join back to the source rows
    loaded = al.load_history(al.save_history(final.history, tmp_path / "table.json"))
    assert [record.ids for record in loaded] == [record.ids for record in final.history]
    assert al.replay(loaded, frame, y, table_model(), verify=True, X_test=frame, y_test=y) == final
    model = al.StandardAL(table_model(), "entropy", n_init=6, budget=4, max_iter=2, random_state=0).fit(frame, y)
    assert int(model.labeled_pool_.sum()) == 14


def test_given_ids_are_kept_in_records_and_replayed():
    frame, y = mixed_table()
    X = frame[["size", "weight"]].to_numpy()
    ids = np.array([f"row-{i}" for i in range(len(y))])
    final = al.run(X, y, LogisticRegression(), "margin", n_init=4, batch_size=4, budget=16, ids=ids)
    assert [key for record in final.history for key in record.ids] == ids[final.labeled].tolist()
    assert al.row_ids(X, final.labeled, ids).tolist() == ids[final.labeled].tolist()
    assert al.replay(final.history, X, y, LogisticRegression(), ids=ids, verify=True) == final
    plain = al.run(X, y, LogisticRegression(), "margin", n_init=4, batch_size=4, budget=16)
    assert all(record.ids is None for record in plain.history)


def test_a_run_starts_from_the_labels_you_have():
    frame, y = mixed_table()
    mine = np.array([3, 10, 11, 40, 41, 70])
    final = al.run(frame, y, table_model(), "margin", batch_size=5, budget=26, initial=mine, labels=y[mine])
    assert final.labeled[:6].tolist() == mine.tolist() and final.history[0].strategy == "given"
    assert final.n_labeled == 26
    assert al.replay(final.history, frame, y, table_model(), verify=True) == final
    resumed = al.resume(
        al.run(frame, y, table_model(), "margin", batch_size=5, budget=16, initial=mine, labels=y[mine]).history,
        frame,
        y,
        table_model(),
        budget=26,
    )
    assert resumed == final


def test_partial_labels_start_a_run_and_refuse_to_answer_for_unknown_rows():
    frame, y = mixed_table()
    partial = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    oracle = al.PartialLabels(partial, missing_label=-1)
    indices, labels = oracle.known()
    state = al.fit_step(al.init_step(frame, oracle, initial=indices, labels=labels), frame, table_model())
    assert state.n_labeled == 8 and -1 not in state.labels.tolist()
    with pytest.raises(ValueError, match=r"oracle has no label for pool rows \[.*\] \(they hold missing_label=-1\)"):
        al.query_step(state, frame, oracle, "margin", 3)


def test_a_nan_label_is_never_learned_as_a_class():
    frame, y = mixed_table()
    y_float = y.astype(float)
    y_float[5] = np.nan
    with pytest.raises(ValueError, match=r"oracle holds a missing label \(NaN or None\) for pool rows \[5\]"):
        al.init_step(frame, y_float, initial=[5, 6])
    with pytest.raises(ValueError, match="labels holds a missing label"):
        al.run(frame, y, table_model(), initial=[1, 2], labels=[0.0, np.nan])


class MustNotFit(LogisticRegression):
    def fit(self, X, y):
        raise AssertionError("a model was fitted before the arguments were checked")


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"X": DOCUMENTS[:-1]}, ValueError, "oracle has 60 labels but X has 59 rows"),
        ({"representation": "input"}, ValueError, "representation='input' needs numeric rows"),
        ({"representation": np.zeros((59, 4))}, ValueError, "representation has 59 rows but X has 60"),
        ({"representation": np.array([["a"]] * 60)}, TypeError, "representation must hold numeric embeddings"),
        ({"initial": [0, 0]}, ValueError, "initial must hold distinct pool indices"),
        ({"initial": [0, 1], "labels": [0]}, ValueError, "labels must hold one label per index of initial"),
        ({"labels": [0, 1]}, ValueError, "pass initial="),
        ({"ids": np.arange(59)}, ValueError, "ids must hold one key per row of X"),
    ],
)
def test_bad_input_is_refused_before_any_fit(arguments, error, message):
    call = {"X": DOCUMENTS, "oracle": TOPICS, "estimator": MustNotFit(), "strategy": "k_center_greedy", **arguments}
    with pytest.raises(error, match=message):
        al.run(**call)


def test_a_table_whose_columns_changed_is_refused_before_the_fit():
    frame, y = mixed_table()
    state = al.init_step(frame, y, n_init=6)
    renamed = frame.rename(columns={"colour": "color"})
    with pytest.raises(ValueError, match=r"X must have the row layout the state was built on, \('size', 'colour'"):
        al.fit_step(state, renamed, MustNotFit())
    fitted = al.fit_step(state, frame, table_model())
    with pytest.raises(ValueError, match="X must have the row layout"):
        al.select(fitted, renamed, "margin", 3)


def test_an_estimator_that_cannot_read_the_rows_says_what_it_was_given():
    with pytest.raises(ValueError, match=r"estimator LogisticRegression could not be fitted on the labeled rows of X"):
        al.run(DOCUMENTS, TOPICS, LogisticRegression(), "margin", n_init=4, batch_size=5, budget=14)


def test_a_memmap_pool_is_never_copied(tmp_path):
    X = np.random.default_rng(0).normal(size=(200, 4))
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "pool.npy"
    np.save(path, X)
    pool = np.load(path, mmap_mode="r")
    final = al.run(pool, y, LogisticRegression(), "margin", n_init=6, batch_size=10, budget=46, chunk_size=32)
    assert np.array_equal(final.labeled, al.run(X, y, LogisticRegression(), "margin", 6, 10, 46).labeled)
    assert isinstance(pool, np.memmap)


def test_a_numeric_pool_with_gaps_runs_when_the_estimator_takes_nan():
    from sklearn.impute import SimpleImputer

    X = np.random.default_rng(0).normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(int)
    X[::7, 1] = np.nan
    imputing = make_pipeline(SimpleImputer(), LogisticRegression())
    for pool in (X, pd.DataFrame(X, columns=["a", "b", "c"])):
        final = al.run(pool, y, imputing, "margin", n_init=6, batch_size=5, budget=26)
        assert final.n_labeled == 26
        assert al.replay(final.history, pool, y, imputing, verify=True) == final
        with pytest.raises(ValueError, match="X contains NaN or infinity"):
            al.run(pool, y, MustNotFit(), "margin", n_init=6)

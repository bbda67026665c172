"""Experiment grids over pools that are not numeric arrays: documents, mixed DataFrames, sparse matrices."""

from __future__ import annotations

import hashlib
import json
import warnings

import attrs
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from alfunc.experiments import experiment_grid, paired_split, run_grid, run_one, split_positions, summarize
from alfunc.experiments.summary import format_summaries
from alfunc.history.io import load_history

TOPICS = (
    "goal match striker referee league penalty keeper stadium season coach".split(),
    "compiler function variable loop array pointer syntax runtime module debug".split(),
)


def documents(n=80, seed=0):
    """Short documents drawn from two vocabularies (label = topic), a few shared words for noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    shared = "the a of and with new".split()
    docs = [" ".join(rng.choice(TOPICS[label] + shared, size=8)) for label in labels]
    return docs, labels


def mixed_frame():
    """Iris measurements, a string column that carries signal, a shuffled index (rows are by position)."""
    frame = load_iris(as_frame=True).frame
    y = frame.pop("target").to_numpy()
    frame["size"] = np.where(frame["petal length (cm)"] > 4.0, "large", "small")
    frame.index = np.random.default_rng(0).permutation(1000)[: len(frame)] + 5000
    return frame, y


def table_model(frame):
    numeric = [column for column in frame if column != "size"]
    columns = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), ["size"])]
    )
    return make_pipeline(columns, LogisticRegression(max_iter=1000))


def run_without_warnings(grid, path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "X does not have valid feature names" if rows lost their columns
        return run_grid(grid, path, **options)


def test_documents_run_through_the_grid_with_a_text_pipeline(tmp_path):
    docs, y = documents()
    grid = experiment_grid(
        {"docs": (docs, y)},
        ["margin", "random"],
        seeds=2,
        estimators={"tfidf": make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))},
        batch_sizes=5,
        n_init=6,
        budget=16,
        representations=[None, "model"],
    )
    results = run_without_warnings(grid, tmp_path / "results.jsonl", histories=tmp_path)
    assert len(results) == 8
    assert [line["n_labeled"] for line in results] == [[6, 11, 16]] * 8
    assert all(line["n_pool"] == 60 and 0.0 <= line["metrics"]["final_score"] <= 1.0 for line in results)
    assert [line["run"]["representation"] for line in results] == [None] * 4 + ["model"] * 4
    history = load_history(tmp_path / f"{results[-1]['id']}.json")
    assert history.info["experiment"]["representation"] == "model"
    assert history.info["representation"] == "model", "the engine records the representation it used"
    titles = format_summaries(summarize(results)).split("\n\n")
    assert "representation model" in titles[1] and "representation" not in titles[0].splitlines()[0]


def test_a_mixed_dataframe_keeps_its_columns_and_index_through_split_and_run(tmp_path):
    frame, y = mixed_frame()
    model = table_model(frame)
    grid = experiment_grid(
        {"mixed": (frame, y)}, ["margin", "random"], seeds=2, estimators={"table": model}, n_init=10, budget=30
    )
    run = grid.runs[0]
    X_pool, X_test, y_pool, y_test = paired_split(run, frame, y)
    assert isinstance(X_pool, pd.DataFrame) and list(X_pool.columns) == list(frame.columns)
    assert X_pool["size"].dtype == frame["size"].dtype, "a mixed table is not scaled: the estimator preprocesses it"
    pool, test = split_positions(run, y)
    assert X_pool.index.tolist() == frame.index[pool].tolist() and X_test.index.tolist() == frame.index[test].tolist()
    np.testing.assert_array_equal(y_pool, y[pool])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        line, history = run_one(run, grid.data["mixed"], model, "margin")
    assert line["n_labeled"] == [10, 20, 30] and line["n_pool"] == 112
    assert history.info["row_layout"] == tuple(frame.columns)
    results = run_without_warnings(grid, tmp_path / "results.jsonl")
    assert [(line["run"]["strategy"], line["run"]["seed"]) for line in results] == [
        ("margin", 0),
        ("random", 0),
        ("margin", 1),
        ("random", 1),
    ]
    assert results[0]["test_score"] == line["test_score"]
    assert all(line["run"]["representation"] is None for line in results)


def test_the_split_is_the_one_train_test_split_makes_and_numeric_frames_keep_their_names():
    X, y = load_iris(return_X_y=True, as_frame=True)
    run = experiment_grid(["iris"], ["margin"], seeds=[3]).runs[0]
    expected = train_test_split(X.to_numpy(), y.to_numpy(), test_size=run.test_size, stratify=y, random_state=3)
    unscaled = paired_split(attrs.evolve(run, scale=False), X.to_numpy(), y.to_numpy())
    for got, want in zip(unscaled, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    X_pool, X_test, _, _ = paired_split(run, X, y)
    assert list(X_pool.columns) == list(X.columns) and X_pool.index.equals(X.index[split_positions(run, y)[0]])
    np.testing.assert_allclose(X_pool.mean().to_numpy(), 0, atol=1e-12)
    sparse_pool, _, _, _ = paired_split(run, sp.csr_matrix(X.to_numpy()), y)
    assert sp.issparse(sparse_pool), "sparse pools are scaled without centring, so they stay sparse"
    np.testing.assert_allclose(sparse_pool.toarray().std(axis=0), 1.0)


def test_embeddings_aligned_with_the_dataset_are_split_with_it(tmp_path):
    X, y = load_iris(return_X_y=True)
    embeddings = X[:, :2] * 10
    grid = experiment_grid(
        {"iris": (X, y)},
        ["margin"],
        seeds=1,
        n_init=10,
        budget=20,
        representations={"first_two": embeddings, "input": "input"},
    )
    assert [run.representation for run in grid.runs] == ["first_two", "input"]
    results = run_grid(grid, tmp_path / "results.jsonl", histories=tmp_path)
    history = load_history(tmp_path / f"{results[0]['id']}.json")
    assert history.info["representation"]["shape"] == (112, 2), "the pool's rows of the embeddings, not all 150"
    with pytest.raises(
        ValueError, match=r"representations\['embedding'\] on datasets\['iris'\]: representation has 10 rows"
    ):
        experiment_grid({"iris": (X, y)}, ["margin"], representations=embeddings[:10])
    with pytest.raises(ValueError, match="representations must be distinct"):
        experiment_grid({"iris": (X, y)}, ["margin"], representations=["model", "model"])


def test_a_run_with_the_default_representation_keeps_the_id_it_had_before_the_axis():
    run = experiment_grid(["iris"], ["margin"], seeds=1).runs[0]
    fields = {k: v for k, v in attrs.asdict(run).items() if k != "representation"}
    before = hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]
    assert run.id == before


def test_old_result_lines_without_a_representation_are_summarized():
    line = {
        "run": {"dataset": "d", "estimator": "e", "strategy": "random", "seed": 0, "batch_size": 1, "n_init": 1}
        | {"budget": 3, "test_size": 0.25, "scoring": None, "scale": True, "data": "x", "model": "y"},
        "metrics": {"aulc_trapezoid": 0.5, "final_score": 0.6},
        "test_score": [0.4, 0.6],
        "n_labeled": [1, 3],
        "full_pool_score": 0.7,
    }
    (summary,) = summarize([line])
    assert summary.setting["representation"] is None and summary.rows[0].strategy == "random"


def test_a_pool_smaller_than_n_init_is_refused_before_any_work():
    docs, y = documents(n=20)
    with pytest.raises(
        ValueError, match=r"datasets\['docs'\] has 20 rows, so a pool of 15 .* fewer than n_init \(16\)"
    ):
        experiment_grid({"docs": (docs, y)}, ["random"], n_init=16)

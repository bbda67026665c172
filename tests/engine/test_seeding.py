"""Same seed, same run, for estimators with randomness of their own left unset."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import alfunc as al
from alfunc.engine.steps import seeded_clone

X, Y = make_classification(n_samples=160, n_features=6, n_informative=4, random_state=0)
OPTIONS = {"n_init": 10, "batch_size": 10, "max_iter": 4, "random_state": 0}


def forest():
    return RandomForestClassifier(n_estimators=8)


def test_an_unseeded_forest_gives_the_same_run_twice_and_replays():
    first = al.run(X, Y, forest(), "margin", **OPTIONS)
    second = al.run(X, Y, forest(), "margin", **OPTIONS)
    assert first.history == second.history
    assert [r.queried.tolist() for r in first.history] == [r.queried.tolist() for r in second.history]
    assert np.array_equal(first.model.predict_proba(X), second.model.predict_proba(X))
    assert first.history.info["estimator_seeded"] == ("random_state",)
    again = al.replay(first.history, X, Y, forest(), verify=True)
    assert again.history.records == first.history.records


def test_the_seed_depends_on_the_run_seed_and_the_iteration():
    states = list(al.trace(X, Y, forest(), "margin", **OPTIONS))
    seeds = [state.model.random_state for state in states]
    assert all(isinstance(seed, int) for seed in seeds) and len(set(seeds)) == len(seeds)
    other = al.run(X, Y, forest(), "margin", **{**OPTIONS, "random_state": 1})
    assert other.model.random_state != seeds[-1]


def test_a_seed_you_set_is_kept_and_nothing_is_recorded():
    final = al.run(X, Y, RandomForestClassifier(n_estimators=8, random_state=5), "margin", **OPTIONS)
    assert final.model.random_state == 5
    assert "estimator_seeded" not in final.history.info


def test_nested_seeds_of_a_pipeline_are_set_on_the_clone_only():
    pipeline = make_pipeline(StandardScaler(), forest())
    first = al.run(X, Y, pipeline, "margin", **OPTIONS)
    assert first.history == al.run(X, Y, pipeline, "margin", **OPTIONS).history
    assert first.history.info["estimator_seeded"] == ("randomforestclassifier__random_state",)
    assert pipeline[-1].random_state is None and not hasattr(pipeline[-1], "estimators_")
    assert isinstance(first.model[-1].random_state, int)


class SharesItsModel(ClassifierMixin, BaseEstimator):
    """A wrapper whose clone keeps the same inner model (as StandardAL's continue_training does)."""

    def __init__(self, model):
        self.model = model

    def __sklearn_clone__(self):
        return SharesItsModel(self.model)

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self


def test_a_nested_estimator_the_clone_shares_is_never_modified():
    inner = forest()
    clone, seeded = seeded_clone(SharesItsModel(inner), seed=0, iteration=1)
    assert seeded == () and inner.random_state is None and clone.model is inner


def test_the_record_of_seeding_survives_save_and_load(tmp_path):
    final = al.run(X, Y, forest(), "margin", **OPTIONS)
    loaded = al.load_history(al.save_history(final.history, tmp_path / "run.json"))
    assert loaded == final.history and loaded.info["estimator_seeded"] == ("random_state",)


@pytest.mark.parametrize("strategy", ["random", "entropy"])
def test_standard_al_with_no_seed_at_all_is_reproducible_from_its_state(strategy):
    model = al.StandardAL(forest(), strategy, n_init=10, budget=10, max_iter=3).fit(X, Y)
    again = al.replay(model.state_.history, X, Y, forest(), verify=True)
    assert np.array_equal(again.model.predict_proba(X), model.classifier_.predict_proba(X))

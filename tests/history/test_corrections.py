"""Corrections of earlier labels are events: recorded by the next fit, saved, digested and replayed."""

import json

import attrs
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.naive_bayes import GaussianNB

import alfunc as al

X, Y = load_iris(return_X_y=True)
NAMES = np.array(["setosa", "versicolor", "virginica"])[Y]


def corrected_run():
    """A run with text labels where round 2 corrects a round-0 label to a longer string and round 3 only corrects."""
    state = al.fit_step(al.init_step(X, NAMES, n_init=6, random_state=0), X, GaussianNB())
    state = al.fit_step(al.query_step(state, X, NAMES, "margin", 4), X, GaussianNB())
    first, second = int(state.labeled[0]), int(state.labeled[7])
    state = al.correct(al.query_step(state, X, NAMES, "margin", 4), [first], ["not-a-flower-at-all"])
    state = al.fit_step(state, X, GaussianNB())
    state = al.correct(al.correct(state, [second], ["setosa"]), [second], ["virginica"])
    return al.fit_step(state, X, GaussianNB()), first, second


def test_correct_replaces_the_label_and_the_next_record_lists_it():
    final, first, second = corrected_run()
    place = {int(index): position for position, index in enumerate(final.labeled)}
    assert final.labels[place[first]] == "not-a-flower-at-all"  # not truncated to the old dtype's width
    assert final.labels[place[second]] == "virginica"
    assert final.history[2].corrected.tolist() == [first]
    assert final.history[3].queried.size == 0 and final.history[3].strategy == "correction"
    assert final.history[3].corrected.tolist() == [second, second]
    assert final.history[3].corrected_labels.tolist() == ["setosa", "virginica"]
    assert final.history[0].labels.tolist() == NAMES[final.history[0].queried].tolist()  # records keep what they fitted


def test_correct_does_not_touch_its_input_and_refuses_bad_input():
    state = al.fit_step(al.init_step(X, Y, n_init=6, random_state=0), X, GaussianNB())
    before = state.labels.copy()
    al.correct(state, [int(state.labeled[1])], [2])
    assert (state.labels == before).all() and state.pending is None
    with pytest.raises(ValueError, match="not labeled"):
        al.correct(state, [int(state.unlabeled()[0])], [1])
    with pytest.raises(ValueError, match="distinct"):
        al.correct(state, [int(state.labeled[0])] * 2, [1, 2])
    with pytest.raises(ValueError, match="one label per index"):
        al.correct(state, [int(state.labeled[0])], [1, 2])
    with pytest.raises(TypeError, match="same kind"):
        al.correct(state, [int(state.labeled[0])], ["setosa"])


@pytest.mark.parametrize("fit", ["each", "last"])
def test_replay_applies_corrections_at_their_fit(fit):
    final, _, _ = corrected_run()
    again = al.replay(final.history, X, None, GaussianNB(), fit=fit)
    assert again.labels.tolist() == final.labels.tolist()
    assert again.history == final.history
    assert (again.model.predict_proba(X) == final.model.predict_proba(X)).all()


def test_replay_verifies_the_queries_around_a_fit_that_only_corrected():
    final, _, _ = corrected_run()
    assert al.replay(final.history, X, None, GaussianNB(), verify=True).history == final.history


def test_corrections_are_saved_digested_and_loaded(tmp_path):
    final, _, second = corrected_run()
    path = al.save_history(final.history, tmp_path / "run.json")
    loaded = al.load_history(path)
    assert loaded == final.history
    assert loaded[3].corrected_labels.tolist() == ["setosa", "virginica"]
    document = json.loads(path.read_text())
    document["records"][3]["corrected_labels"] = ["setosa", "setosa"]
    (tmp_path / "edited.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match="digest"):
        al.load_history(tmp_path / "edited.json")
    other = attrs.evolve(final.history[3], corrected_labels=["setosa", "setosa"])
    assert al.history_digest(attrs.evolve(final.history, records=(*final.history[:3], other))) != al.history_digest(
        final.history
    )


def test_a_file_correcting_a_point_no_record_labeled_is_refused(tmp_path):
    final, _, _ = corrected_run()
    outside = int(al.replay(final.history, X, None, GaussianNB(), fit="last").unlabeled()[0])
    forged_record = attrs.evolve(final.history[3], corrected=[outside, outside])
    forged = attrs.evolve(final.history, records=(*final.history[:3], forged_record))
    path = al.save_history(forged, tmp_path / "forged.json")  # a valid digest over a history that cannot be
    with pytest.raises(ValueError, match=f"record 3: corrects \\[{outside}\\], which no record up to it labeled"):
        al.load_history(path)

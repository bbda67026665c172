"""The page's progress: CV estimates only when a stratified split exists, computed once per set of labels."""

import re

import pytest
from session_support import CLASSES, POOL, TRUTH
from sklearn.naive_bayes import GaussianNB

import alfunc.session.progress as progress_module
from alfunc.session import Session
from alfunc.session.progress import Progress, cv_folds, learning_curve_svg


@pytest.fixture
def session(tmp_path):
    with Session.create(tmp_path / "s", POOL, GaussianNB(), classes=CLASSES, fit_every=5, durable=False) as opened:
        yield opened


def test_folds_need_two_classes_with_two_members_each():
    assert cv_folds([]) is None and cv_folds(["a", "a", "a"]) is None
    assert cv_folds(["a", "a", "b"]) is None  # b has one member
    assert cv_folds(["a", "a", "b", "b"]) == 2 and cv_folds(["a"] * 3 + ["b"] * 4) == 3
    assert cv_folds(["a"] * 50 + ["b"] * 50) == 5


def test_an_estimate_is_computed_once_per_set_of_labels_and_a_correction_is_a_new_set(session, monkeypatch):
    calls = []
    real = progress_module.cv_accuracy

    def counted(*args, **kwargs):
        calls.append(len(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(progress_module, "cv_accuracy", counted)
    tracker = Progress(session)
    assert tracker.report()["accuracy_text"] == "n/a" and calls == []  # no model yet
    for _ in range(4):
        for key in session.ask(5):
            session.tell(key, int(TRUTH[key]))
    assert cv_folds(list(session.labels.values())) is not None  # the margin asks found every class
    first = tracker.accuracy()
    assert first is not None and 0 <= first <= 1 and calls == [20]
    assert tracker.accuracy() == first and tracker.report()["accuracy"] == first and calls == [20]
    key = next(iter(session.labels))
    session.correct(key, (session.labels[key] + 1) % 3)
    tracker.accuracy()
    assert calls == [20, 20]  # same count, other labels: estimated again
    points = tracker.curve()
    labels = list(session.labels.values())
    assert [count for count, _ in points] == [n for n in (5, 10, 15, 20) if cv_folds(labels[:n])]


def test_the_svg_places_every_point_inside_its_frame():
    svg = learning_curve_svg([(5, 0.0), (10, 1.0), (20, 0.5)], width=200, height=100)
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    ys = [float(y) for y in re.findall(r'cy="([\d.]+)"', svg)]
    assert len(xs) == 3 and xs == sorted(xs) and min(xs) >= 34 and max(xs) <= 190
    assert ys[0] > ys[2] > ys[1]  # 0.0 lowest on the page (largest y), 1.0 highest
    assert "5</text>" in svg and "20 labels</text>" in svg

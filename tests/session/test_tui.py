"""The terminal mode with scripted input: keys, class names, skip, unsure, bad replies, quit and the end of input."""

import io

import pandas as pd
import pytest
from sklearn.naive_bayes import GaussianNB

from alfunc.experiments.files import text_estimator
from alfunc.session import Session, events_of, label_in_terminal

DOCS = ["the cat purrs", "the dog barks", "a spam offer", "the cat sleeps", "the dog runs", "more spam"]
CLASSES = ["cat", "dog", "spam"]


@pytest.fixture
def session(tmp_path):
    with Session.create(tmp_path / "s", DOCS, text_estimator(), classes=CLASSES, fit_every=50) as opened:
        yield opened


def run(session, typed, **options):
    output = io.StringIO()
    count = label_in_terminal(session, input=io.StringIO(typed), output=output, **options)
    return count, output.getvalue()


def test_keys_names_skip_and_unsure_answer_the_records_shown_in_order(session):
    count, shown = run(session, "1\nd\nSPAM\n\ns\nu\nq\n", batch=2)
    assert count == 5
    kinds = ("tell", "skip", "unsure")
    answered = [
        (event["event"], event["id"], event.get("label"))
        for event in events_of(session.path)
        if event["event"] in kinds
    ]
    assert [(kind, label) for kind, _, label in answered] == [
        ("tell", "cat"),
        ("tell", "dog"),
        ("tell", "spam"),
        ("skip", None),
        ("unsure", None),
    ]
    ids = [key for _, key, _ in answered]
    for key in ids:  # each record was printed before its answer
        assert f"[{key}] {DOCS[key]}" in shown
    assert "'' is not an answer here" in shown  # the empty line was refused, then "s" skipped
    assert "[1] cat (c)  [2] dog (d)  [3] spam  [s] skip  [u] unsure  [q] quit > " in shown  # s is not spam's key
    assert "labelled 3 / asked" in shown


def test_bad_replies_are_asked_again_and_the_end_of_input_stops(session):
    count, shown = run(session, "7\ncow\n")
    assert count == 0 and session.n_labeled == 0 and len(session.pending) == 5
    assert shown.count("is not an answer here") == 2


def test_nothing_left_to_ask_ends_the_loop(tmp_path):
    with Session.create(tmp_path / "s", DOCS[:2], text_estimator(), classes=CLASSES, durable=False) as session:
        count, shown = run(session, "c\nd\n")
        assert count == 2 and sorted(session.labels) == [0, 1] and list(session.labels.values()) == ["cat", "dog"]
        assert "Nothing left to ask" in shown


def test_a_table_row_is_shown_field_by_field_and_offered_classes_can_be_given(tmp_path):
    frame = pd.DataFrame({"size": [1.5, 2.5], "colour": ["red", None]})
    with Session.create(tmp_path / "s", frame, GaussianNB(), durable=False) as session:
        count, shown = run(session, "2\nq\n", classes=["small", "large"])
        assert count == 1 and list(session.labels.values()) == ["large"]
        assert "  size: " in shown and "  colour: " in shown
    with Session.create(tmp_path / "t", frame, GaussianNB(), durable=False) as session:
        with pytest.raises(ValueError, match="classes must hold at least two labels to choose from"):
            run(session, "q\n")

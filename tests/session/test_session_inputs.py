"""Bad input to a session is refused clearly, before anything is written, and nothing is lost."""

import os
import subprocess
import sys
import textwrap

import pytest
from session_support import CLASSES, POOL, TRUTH, snapshot
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

import alfunc as al
from alfunc.session import JournalError, Session, SessionLocked, events_of


@pytest.fixture
def session(tmp_path):
    with Session.create(tmp_path / "s", POOL, GaussianNB(), classes=CLASSES, fit_every=4) as opened:
        yield opened


def journal_bytes(session):
    return (session.path / "journal.jsonl").read_bytes()


def label_some(session, count):
    for key in session.ask(count):
        session.tell(key, int(TRUTH[key]))


def test_answers_that_cannot_be_taken_are_refused_and_leave_the_journal_alone(session):
    key = session.ask(2)[0]
    before = journal_bytes(session)
    with pytest.raises(ValueError, match=r"label 7 is not one of the session's classes \[0, 1, 2\]"):
        session.tell(key, 7)
    never_asked = next(k for k in range(len(POOL)) if k not in session.pending)
    with pytest.raises(
        ValueError,
        match=f"id {never_asked} \\(row {never_asked}\\): index {never_asked} is not pending \\(it was never asked\\)",
    ):
        session.tell(never_asked, 0)
    with pytest.raises(ValueError, match="id 999 is not in the pool"):
        session.tell(999, 0)
    with pytest.raises(ValueError, match="id 'cat' is not in the pool"):
        session.skip("cat")
    with pytest.raises(ValueError, match="has no label to correct"):
        session.correct(key, 1)
    with pytest.raises(TypeError, match="label must be a string, number or bool"):
        session.tell(key, [1])
    with pytest.raises(ValueError, match="n must be"):
        session.ask(0)
    assert journal_bytes(session) == before
    session.tell(key, 0)
    with pytest.raises(ValueError, match="is labeled already; correct it instead"):
        session.tell(key, 1)


def test_a_fit_needs_two_classes(session):
    first, second = session.ask(2)
    session.tell(first, 0)
    session.tell(second, 0)
    with pytest.raises(ValueError, match="of two classes for a classifier; the session has 2 label\\(s\\) of 1 class"):
        session.refit()


def test_a_second_process_is_refused_while_the_session_is_open(session):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from session_support import POOL
        from sklearn.naive_bayes import GaussianNB
        from alfunc.session import Session, SessionLocked
        try:
            Session.open({str(session.path)!r}, POOL, GaussianNB())
        except SessionLocked as error:
            print("refused:", error)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert f"refused: session {session.path} is open in another process (pid {os.getpid()})" in result.stdout
    with pytest.raises(SessionLocked):  # a second handle in this process too
        Session.open(session.path, POOL, GaussianNB())


def test_a_session_is_refused_on_another_pool_estimator_or_ids(session):
    label_some(session, 4)
    session.close()
    with pytest.raises(ValueError, match="pool is not the one the session .* was created on"):
        Session.open(session.path, POOL[::-1], GaussianNB())
    with pytest.raises(ValueError, match="estimator LogisticRegression\\(\\) is not the one"):
        Session.open(session.path, POOL, LogisticRegression())
    with pytest.raises(ValueError, match="ids are not the ones"):
        Session.open(session.path, POOL, GaussianNB(), ids=[f"r{i}" for i in range(len(POOL))])
    with pytest.raises(FileNotFoundError, match="holds no session"):
        Session.open(session.path / "nowhere", POOL, GaussianNB())
    with Session.open(session.path, POOL, GaussianNB()) as again:  # the refusals took no lock and lost nothing
        assert again.n_labeled == 4


def test_a_corrupt_line_is_refused_with_its_number_and_recover_keeps_the_valid_prefix(session):
    label_some(session, 6)
    keys = session.ask(2)
    session.close()
    journal = session.path / "journal.jsonl"
    lines = journal.read_bytes().split(b"\n")
    broken_at = 5
    lines[broken_at - 1] = lines[broken_at - 1].replace(b'"label":', b'"lable":')
    journal.write_bytes(b"\n".join(lines))
    original = journal.read_bytes()
    with pytest.raises(
        JournalError, match=f"journal.jsonl line {broken_at}: checksum does not match its event; lines 1-4"
    ):
        Session.open(session.path, POOL, GaussianNB())
    assert journal.read_bytes() == original  # refused: nothing touched
    with Session.open(session.path, POOL, GaussianNB(), recover=True) as recovered:
        kept = [event["event"] for event in events_of(recovered.path)]
        assert len(kept) == broken_at - 1
    rejected = (session.path / "journal.jsonl.rejected").read_bytes()
    assert original == journal.read_bytes() + rejected  # nothing lost: the rest was moved aside
    assert keys  # the asks after the corrupt line are in the rejected part
    assert b'"ask"' in rejected


def test_an_event_that_contradicts_the_ledger_is_refused_with_its_line(session):
    label_some(session, 3)
    session.close()
    from alfunc.session.journal import encode_event

    told = next(event for event in events_of(session.path) if event["event"] == "tell")
    with open(session.path / "journal.jsonl", "ab") as journal:
        journal.write(encode_event(told))  # the same answer twice: its point is no longer pending
    count = len(events_of(session.path))
    with pytest.raises(JournalError, match=f"line {count}: index {told['index']} is not pending"):
        Session.open(session.path, POOL, GaussianNB())


def test_reopen_gives_the_same_session_and_its_history_replays_to_the_same_model(tmp_path):
    folder = tmp_path / "days"
    with Session.create(folder, POOL, GaussianNB(), "entropy", classes=CLASSES, fit_every=3) as day_one:
        label_some(day_one, 7)
        day_one.skip(day_one.ask(1)[0])
        first = next(iter(day_one.labels))
        day_one.correct(first, (day_one.labels[first] + 1) % 3)
        label_some(day_one, 4)
        out = day_one.ask(3)
        before = snapshot(day_one)
    with Session.open(folder, POOL, GaussianNB()) as day_two:
        assert snapshot(day_two) == before and day_two.pending == out
        for key in reversed(out):  # answered out of order
            day_two.tell(key, int(TRUTH[key]))
        day_two.refit()
        final = day_two
    replayed = al.replay(final.history, POOL, None, GaussianNB())
    assert (replayed.model.predict_proba(POOL) == final.model.predict_proba(POOL)).all()
    assert any(record.corrected.size for record in final.history)


def test_create_refuses_bad_arguments_before_making_anything(tmp_path):
    with pytest.raises(ValueError, match="classes must hold at least two distinct labels"):
        Session.create(tmp_path / "a", POOL, GaussianNB(), classes=["yes"])
    with pytest.raises(ValueError, match="ids must be unique"):
        Session.create(tmp_path / "b", POOL, GaussianNB(), ids=["x"] * len(POOL))
    with pytest.raises(ValueError, match="ids must hold one key per row"):
        Session.create(tmp_path / "c", POOL, GaussianNB(), ids=["x"])
    with pytest.raises(ValueError, match="fit_every must be"):
        Session.create(tmp_path / "d", POOL, GaussianNB(), fit_every=0)
    assert not any(tmp_path.iterdir())

"""Stateful property test: any sequence of session operations keeps the session's promises."""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from session_support import CLASSES, POOL, TRUTH, snapshot
from sklearn.naive_bayes import GaussianNB

from alfunc.session import Session, events_of, replay_session


class SessionMachine(RuleBasedStateMachine):
    """Asks, answers, corrections, refits, closes, reopens and crashes in any order."""

    @initialize(fit_every=st.integers(2, 6), strategy=st.sampled_from(["margin", "random", "k_center_greedy"]))
    def start(self, fit_every, strategy):
        import tempfile

        self.folder = tempfile.mkdtemp() + "/session"
        self.session = Session.create(
            self.folder, POOL, GaussianNB(), strategy, classes=CLASSES, fit_every=fit_every, durable=False
        )
        self.asked_before: set = set()
        self.released: set = set()
        self.told: dict = {}

    @rule(n=st.integers(1, 4))
    def ask(self, n):
        ids = self.session.ask(n)
        assert len(ids) == len(set(ids)) <= n
        repeated = (set(ids) & self.asked_before) - self.released
        assert not repeated, f"asked again without being marked unsure: {repeated}"
        self.asked_before |= set(ids)

    @precondition(lambda self: self.session.pending)
    @rule(data=st.data(), noisy=st.booleans())
    def tell(self, data, noisy):
        key = data.draw(st.sampled_from(self.session.pending))
        label = data.draw(st.sampled_from(CLASSES)) if noisy else int(TRUTH[key])
        self.session.tell(key, label)
        self.told[key] = label
        written = {event["id"]: event["label"] for event in events_of(self.folder) if event["event"] == "tell"}
        assert written[key] == label  # in the file once tell returns

    @precondition(lambda self: self.session.pending)
    @rule(data=st.data())
    def skip(self, data):
        self.session.skip(data.draw(st.sampled_from(self.session.pending)))

    @precondition(lambda self: self.session.pending)
    @rule(data=st.data())
    def unsure(self, data):
        key = data.draw(st.sampled_from(self.session.pending))
        self.session.unsure(key)
        self.released.add(key)

    @precondition(lambda self: self.told)
    @rule(data=st.data())
    def correct(self, data):
        key = data.draw(st.sampled_from(sorted(self.told)))
        label = data.draw(st.sampled_from(CLASSES))
        self.session.correct(key, label)
        self.told[key] = label

    @precondition(lambda self: len(set(self.told.values())) >= 2)
    @rule()
    def refit(self):
        fitted = self.session.refit()
        assert not self.session.refit()  # nothing new right after a fit
        assert fitted or self.session.model is not None

    @rule(torn=st.booleans())
    def close_and_reopen(self, torn):
        before = snapshot(self.session)
        self.session.close()  # a crash leaves the same folder: the journal holds only acknowledged events
        if torn:  # a crash in the middle of writing the next line
            with open(f"{self.folder}/journal.jsonl", "ab") as journal:
                journal.write(b'1234abcd {"event":"tell","ind')
        self.session = Session.open(self.folder, POOL, GaussianNB(), durable=False)
        assert snapshot(self.session) == before

    @invariant()
    def the_pool_is_partitioned(self):
        session = self.session
        labeled, pending = set(session.labels), set(session.pending)
        skipped, unsure = set(session.skipped), set(session.unsure_ids)
        assert session.labels == self.told
        parts = [labeled, pending, skipped, unsure]
        assert sum(map(len, parts)) == len(set().union(*parts))  # disjoint
        assert set().union(*parts) <= set(range(len(POOL)))
        if session.state is not None:
            assert set(np.asarray(session.state.labeled).tolist()) <= labeled

    def teardown(self):
        if not hasattr(self, "session"):
            return
        live = snapshot(self.session)
        self.session.close()
        assert snapshot(replay_session(self.folder, POOL, GaussianNB())) == live


TestSessionMachine = SessionMachine.TestCase
TestSessionMachine.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)

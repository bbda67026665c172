"""checkpointed: a failing or interrupted run leaves its last good state on disk, and resumes exactly."""

from __future__ import annotations

import attrs
import pytest
from history_support import FlakyNB, make_pool

import alfunc as al

RUN = {"strategy": "margin", "n_init": 10, "batch_size": 10, "max_iter": 9}  # iterations 0..9
SIZE_AT_ITERATION_5 = 10 + 5 * 10


def test_an_estimator_failing_at_iteration_5_of_10_leaves_0_to_4_and_resumes_identically(tmp_path):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    with pytest.raises(al.RunFailed, match=r"RuntimeError: simulated failure on 60 points.*iteration 4") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(fail_at_size=SIZE_AT_ITERATION_5), **RUN), path, every=3)
    failure = caught.value
    assert isinstance(failure.__cause__, RuntimeError)
    assert failure.state.iteration == 4 and failure.checkpoint == path

    checkpoint = al.load_history(path)
    assert [record.iteration for record in checkpoint] == [0, 1, 2, 3, 4]
    assert checkpoint == failure.state.history

    clean = al.run(X, y, FlakyNB(), **RUN)
    assert len(clean.history) == 10
    assert al.resume(checkpoint, X, y, FlakyNB()) == clean
    resumed_with_checkpoints = al.checkpointed(al.resume_trace(checkpoint, X, y, FlakyNB()), path, every=4)
    assert resumed_with_checkpoints == clean
    assert al.load_history(path) == clean.history


def test_keyboard_interrupt_propagates_and_leaves_a_loadable_checkpoint(tmp_path):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    with pytest.raises(KeyboardInterrupt) as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(SIZE_AT_ITERATION_5, KeyboardInterrupt), **RUN), path, every=100)
    assert any(str(path) in note for note in caught.value.__notes__)
    assert [record.iteration for record in al.load_history(path)] == [0, 1, 2, 3, 4]


def test_checkpoints_are_written_every_k_iterations_and_at_the_end(tmp_path):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    seen = []

    def watched(states):
        for state in states:
            seen.append(len(al.load_history(path)) if path.exists() else 0)
            yield state

    final = al.checkpointed(watched(al.trace(X, y, FlakyNB(), **RUN)), path, every=3)
    # when state i arrives, the file holds the last multiple of 3 before it (states are saved after they arrive)
    assert seen == [0, 1, 1, 1, 4, 4, 4, 7, 7, 7]
    assert al.load_history(path) == final.history


def test_a_failure_before_the_first_state_saves_nothing(tmp_path):
    X, y = make_pool(60)
    path = tmp_path / "run.json"
    with pytest.raises(al.RunFailed, match="nothing was saved") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(fail_at_size=10), **RUN), path)
    assert caught.value.state is None and not path.exists()


def test_bad_checkpoint_arguments_are_refused_before_the_run_starts(tmp_path):
    started = []

    def states():
        started.append(True)
        yield from ()

    with pytest.raises(ValueError, match="does not exist"):
        al.checkpointed(states(), tmp_path / "missing" / "run.json")
    with pytest.raises(ValueError, match="every must be an int >= 1"):
        al.checkpointed(states(), tmp_path / "run.json", every=0)
    assert not started
    with pytest.raises(ValueError, match="states is empty"):
        al.checkpointed(states(), tmp_path / "run.json")


def test_resume_continues_with_the_recorded_seed_stream_not_a_new_one(tmp_path):
    X, y = make_pool(80)
    final = al.run(X, y, FlakyNB(), strategy="random", n_init=5, batch_size=5, max_iter=6, random_state=123)
    cut = attrs.evolve(final.history, records=final.history[:3])
    assert al.resume(cut, X, y, FlakyNB()) == final

"""checkpointed: a failing or interrupted run leaves its last good state on disk, and resumes exactly."""

from __future__ import annotations

import errno

import attrs
import numpy as np
import pytest
from history_support import FlakyNB, make_pool

import alfunc as al
from alfunc.history import io

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


class FullDisk:
    """Replaces io.write_atomically: the saves numbered in ``failing`` (0 = the first) raise ENOSPC."""

    def __init__(self, failing: set[int] | range) -> None:
        self.failing, self.calls = failing, 0
        self.write = io.write_atomically

    def __call__(self, path, data):
        number, self.calls = self.calls, self.calls + 1
        if number in self.failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.write(path, data)


def test_a_full_disk_is_a_run_failed_carrying_the_last_good_state(tmp_path, monkeypatch):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    monkeypatch.setattr(io, "write_atomically", FullDisk(range(3, 100)))  # iterations 0, 1, 2 are saved
    with pytest.raises(al.RunFailed, match=r"OSError: \[Errno 28\] No space left") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), path)
    failure = caught.value
    assert isinstance(failure.__cause__, OSError) and failure.__cause__.errno == errno.ENOSPC
    assert failure.state.iteration == 3 and failure.saved.iteration == 2 and failure.checkpoint == path
    assert "the last good state (iteration 3) could not be saved" in str(failure)
    assert f"{str(path)!r} holds iteration 2" in str(failure)
    monkeypatch.undo()
    assert al.load_history(path) == failure.saved.history  # the file holds the last state saved, intact
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    # nothing is lost: the state in memory is the whole run so far, and it can be saved elsewhere and resumed
    assert al.resume(failure.state.history, X, y, FlakyNB()) == al.run(X, y, FlakyNB(), **RUN)


def test_a_full_disk_at_the_first_save_leaves_no_file_and_says_so(tmp_path, monkeypatch):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    monkeypatch.setattr(io, "write_atomically", FullDisk(range(100)))
    with pytest.raises(al.RunFailed, match=r"iteration 0\) could not be saved.*was left as it was") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), path)
    assert caught.value.state.iteration == 0 and caught.value.saved is None
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_the_final_save_is_a_run_failed(tmp_path, monkeypatch):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    monkeypatch.setattr(io, "write_atomically", FullDisk({3}))  # every=4 saves iterations 0, 4, 8, then 9
    with pytest.raises(al.RunFailed, match="iteration 9") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), path, every=4)
    failure = caught.value
    assert failure.state.iteration == 9 and failure.saved.iteration == 8
    assert al.load_history(path) == failure.saved.history


def test_a_run_error_then_a_full_disk_keeps_the_run_error_as_the_cause(tmp_path, monkeypatch):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    monkeypatch.setattr(io, "write_atomically", FullDisk({2}))  # every=3: 0 and 3 saved, then 4 cannot be
    with pytest.raises(al.RunFailed, match="RuntimeError: simulated failure.*saving it failed: OSError") as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(fail_at_size=SIZE_AT_ITERATION_5), **RUN), path, every=3)
    failure = caught.value
    assert isinstance(failure.__cause__, RuntimeError)
    assert failure.state.iteration == 4 and failure.saved.iteration == 3
    assert [record.iteration for record in al.load_history(path)] == [0, 1, 2, 3]


def test_an_interrupt_on_a_full_disk_still_propagates_with_a_note(tmp_path, monkeypatch):
    X, y = make_pool(150)
    path = tmp_path / "run.json"
    monkeypatch.setattr(io, "write_atomically", FullDisk(range(1, 100)))
    with pytest.raises(KeyboardInterrupt) as caught:
        al.checkpointed(al.trace(X, y, FlakyNB(SIZE_AT_ITERATION_5, KeyboardInterrupt), **RUN), path, every=100)
    (note,) = caught.value.__notes__
    assert "iteration 4) could not be saved" in note and "holds iteration 0" in note and str(path) in note


def test_checkpoint_arguments_of_the_wrong_type_are_named(tmp_path):
    X, y = make_pool(60)
    for bad in (None, 3):
        with pytest.raises(TypeError, match="path must be a file path"):
            al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), bad)
    with pytest.raises(TypeError, match="every"):
        al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), tmp_path / "run.json", every=2.0)
    final = al.checkpointed(al.trace(X, y, FlakyNB(), **RUN), tmp_path / "run.json", every=np.int64(4))
    assert al.load_history(tmp_path / "run.json") == final.history

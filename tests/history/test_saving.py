"""Saving a history: files get the permissions of any other file, and a killed save leaves nothing behind for long."""

from __future__ import annotations

import os
import re
import signal
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import alfunc as al
from alfunc.history import io

fcntl = pytest.importorskip("fcntl", reason="stale temporaries are recognised by their lock (POSIX)")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")

HISTORY = al.History(5, [al.Record(0, [3, 1], [float("nan")] * 2, "initial", 2, {"train_score": 1.0})])


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def current_umask() -> int:
    status = Path("/proc/self/status")
    if status.exists():
        found = re.search(r"^Umask:\s*([0-7]+)$", status.read_text(), re.MULTILINE)
        if found:
            return int(found.group(1), 8)
    mask = os.umask(0o022)  # no /proc: read it the only other way, restoring it at once
    os.umask(mask)
    return mask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_saved_history_has_the_mode_the_umask_gives_any_new_file(tmp_path):
    path = al.save_history(HISTORY, tmp_path / "run.json")
    assert mode(path) == 0o666 & ~current_umask()
    for mask, expected in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)):
        with umask(mask):
            path = al.save_history(HISTORY, tmp_path / f"run-{mask:o}.json")
            assert os.umask(mask) == mask, "saving must not change the process umask"
        assert mode(path) == expected, f"umask {mask:o}"
        other = tmp_path / f"plain-{mask:o}.txt"
        with umask(mask):
            other.write_text("any other file")
        assert mode(path) == mode(other)


def test_saving_over_a_file_keeps_the_mode_its_owner_gave_it(tmp_path):
    path = al.save_history(HISTORY, tmp_path / "run.json")
    path.chmod(0o600)
    with umask(0o002):
        al.save_history(HISTORY, path)
    assert mode(path) == 0o600
    path.chmod(0o664)
    with umask(0o077):
        al.save_history(HISTORY, path)
    assert mode(path) == 0o664


def temporary(folder: Path, target: str, middle: str = "0123456789abcdef") -> Path:
    leftover = folder / f".{target}.{middle}.tmp"
    leftover.write_bytes(b"half a history")
    return leftover


def test_the_next_save_removes_stale_temporaries_of_its_target_and_nothing_else(tmp_path):
    stale = [
        temporary(tmp_path, "run.json"),
        temporary(tmp_path, "run.json", "fedcba9876543210"),
        temporary(tmp_path, "run.json", "ab_cd123"),  # named by tempfile.mkstemp (alfunc before this fix)
    ]
    kept = [
        temporary(tmp_path, "other.json"),  # another target's
        temporary(tmp_path, "run.json.0123456789abcdef"),  # the temporary of a target named run.json.0123...
        temporary(tmp_path, "run.json", "0123456789ABCDEF"),
        temporary(tmp_path, "run.json", "short"),
        temporary(tmp_path, "run", "0123456789abcdef"),
        tmp_path / ".run.json.tmp",
        tmp_path / "run.json.0123456789abcdef.tmp",
        tmp_path / ".run.json.0123456789abcdef.tmp.bak",
        tmp_path / "notes.txt",
    ]
    for path in kept:
        path.write_bytes(b"not alfunc's to remove")
    folder = tmp_path / ".run.json.aaaaaaaaaaaaaaaa.tmp"
    folder.mkdir()
    link = tmp_path / ".run.json.bbbbbbbbbbbbbbbb.tmp"
    link.symlink_to(tmp_path / "notes.txt")
    kept += [folder, link]

    path = al.save_history(HISTORY, tmp_path / "run.json")
    assert not any(leftover.exists() for leftover in stale)
    assert all(os.path.lexists(other) for other in kept)
    assert (tmp_path / "notes.txt").read_bytes() == b"not alfunc's to remove"
    assert al.load_history(path) == HISTORY
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run.json", *(p.name for p in kept)])


def test_a_failed_save_removes_no_temporary_and_keeps_the_previous_file(tmp_path, monkeypatch):
    path = al.save_history(HISTORY, tmp_path / "run.json")
    leftover = temporary(tmp_path, "run.json")

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        al.save_history(HISTORY, path)
    monkeypatch.undo()
    assert leftover.exists() and al.load_history(path) == HISTORY
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run.json", leftover.name])


def test_the_temporary_of_a_save_in_progress_is_never_removed(tmp_path):
    """A temporary locked by a live writer (another process saving the same target) is left alone."""
    live = temporary(tmp_path, "run.json")
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        al.save_history(HISTORY, tmp_path / "run.json")
        assert live.exists()
    al.save_history(HISTORY, tmp_path / "run.json")  # the writer is gone (its lock with it): now it is stale
    assert not live.exists()


def test_a_writer_that_finds_its_new_temporary_locked_takes_another_name(tmp_path, monkeypatch):
    """The race a cleaner could win: it locks the temporary between the writer's create and lock."""
    names = iter(["1111111111111111", "2222222222222222"])
    monkeypatch.setattr(io.secrets, "token_hex", lambda n: next(names))
    first = tmp_path / ".run.json.1111111111111111.tmp"
    original_open = os.open
    held = []

    def cleaner_wins(file, flags, *args, **kwargs):
        fd = original_open(file, flags, *args, **kwargs)
        if Path(file) == first and not held:
            held.append(open(first, "rb"))  # noqa: SIM115 - held until the save is over
            fcntl.flock(held[0].fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd

    monkeypatch.setattr(os, "open", cleaner_wins)
    path = io.save_history(HISTORY, tmp_path / "run.json")
    monkeypatch.undo()
    assert first.exists() and first.read_bytes() == b""  # left, empty, to the cleaner that holds it
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, "run.json"]  # written under the second name
    assert al.load_history(path) == HISTORY
    held[0].close()
    al.save_history(HISTORY, path)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs os.fork")
def test_a_save_killed_mid_write_leaves_a_temporary_that_the_next_save_removes(tmp_path):
    path = tmp_path / "run.json"
    al.save_history(HISTORY, path)
    before = path.read_bytes()
    bigger = al.History(6, [al.Record(0, range(5000), [0.5] * 5000, "initial", 5000)])
    ready, signal_ready = os.pipe()
    child = os.fork()
    if child == 0:  # the child: save, and be killed while the data is written but not yet renamed
        try:

            def stop_here(fd: int) -> None:
                os.write(signal_ready, b"x")
                signal.pause()

            os.fsync = stop_here
            al.save_history(bigger, path)
        finally:
            os._exit(1)
    os.close(signal_ready)
    try:
        assert os.read(ready, 1) == b"x"
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(ready)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "run.json"]
    assert len(leftovers) == 1 and re.fullmatch(r"\.run\.json\.[0-9a-f]{16}\.tmp", leftovers[0])
    assert path.read_bytes() == before  # the killed save changed nothing

    al.save_history(HISTORY, path)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]

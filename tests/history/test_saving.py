"""Saving a history: files get the permissions of any other file."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import alfunc as al

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

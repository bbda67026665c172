"""The simulated two-day labelling example runs, crashes for real, and its session replays to the same model."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "label_session_simulated.py"


def test_the_simulated_person_crashes_reopens_corrects_and_replays():
    result = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=600, check=True)
    out = result.stdout
    assert "day one: the labelling process ended with signal 9" in out, out
    reopened = re.search(r"day two: reopened with (\d+) labels", out)
    assert reopened and 0 < int(reopened[1]) < 60, out  # killed half way through its answers, labels kept
    assert "corrected '" in out, out
    assert "replay_session gives the live session: True; alfunc.replay gives the same model: True" in out, out
    final = re.search(r"final accuracy on the pool: (\d\.\d+) with 120 labels", out)
    assert final and float(final[1]) > 0.6, out  # three families: guessing gives about 0.33

"""Save a run, replay it, resume it
================================

Save a run as it goes (a checkpoint every 5 iterations), check that it replays
exactly (every query rerun selects the recorded points), and resume it as if
it had stopped after iteration 7: the result equals the uninterrupted run.

    python examples/save_replay_resume.py
"""

from pathlib import Path
from tempfile import TemporaryDirectory

from sklearn.datasets import make_classification
from sklearn.naive_bayes import GaussianNB

import alfunc as al

X, y = make_classification(500, n_informative=2, random_state=0)
options = {"strategy": "margin", "n_init": 10, "batch_size": 10, "budget": 200}

with TemporaryDirectory() as folder:
    path = Path(folder) / "run.json"
    # Save every 5 iterations; a crash or Ctrl-C leaves the last good state on disk.
    final = al.checkpointed(al.trace(X, y, GaussianNB(), **options), path, every=5)
    history = al.load_history(path)
    print(f"{len(history)} records, {path.stat().st_size} bytes, digest {al.history_digest(history)[:16]}...")

    # Rebuild every state from the recorded indices and rerun every query to check it.
    assert al.replay(history, X, y, GaussianNB(), verify=True) == final

    # Pretend the run stopped after iteration 7 and continue it: same result, bit for bit.
    stopped = al.History(history.seed, history[:8], history.info)
    assert al.resume(stopped, X, y, GaussianNB()) == final
    print("replay verified, resume identical to the uninterrupted run")

"""A process labelling in a loop is SIGKILLed at random moments: every reopen loads and keeps every acknowledged label."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from session_support import POOL, TRUTH
from sklearn.naive_bayes import GaussianNB

from alfunc.session import Session, replay_session

LABELLER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    from session_support import POOL, TRUTH
    from sklearn.naive_bayes import GaussianNB
    from alfunc.session import Session

    folder = sys.argv[1]
    try:
        session = Session.open(folder, POOL, GaussianNB())
    except FileNotFoundError:
        session = Session.create(folder, POOL, GaussianNB(), "margin", classes=[0, 1, 2], fit_every=3)
    print("READY", flush=True)
    while True:
        asked = session.pending or session.ask(2)
        if not asked:
            print("DONE", flush=True)
            break
        for key in asked:
            if key % 7 == 3:
                session.skip(key)
                print("SKIP", key, flush=True)
            else:
                session.tell(key, int(TRUTH[key]))
                print("ACK", key, int(TRUTH[key]), flush=True)
    """
)


def run_until_killed(folder, seconds):
    """Start the labeller, kill it with SIGKILL after ``seconds`` (or when it is done); its acknowledgements."""
    process = subprocess.Popen(
        [sys.executable, "-c", LABELLER, str(folder), os.path.dirname(__file__)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "READY", process.stderr.read()
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode in (-signal.SIGKILL, 0), err
    told, skipped, done = {}, set(), False
    for line in out.split("\n")[:-1]:  # only complete lines: the kill may cut the last one short
        words = line.split()
        if len(words) == 3 and words[0] == "ACK":
            told[int(words[1])] = int(words[2])
        elif len(words) == 2 and words[0] == "SKIP":
            skipped.add(int(words[1]))
        done = done or words == ["DONE"]
    return told, skipped, done


def test_every_acknowledged_label_survives_sigkill(tmp_path):
    folder = tmp_path / "crashing"
    randomness = random.Random(0)
    acknowledged, skipped, done = {}, set(), False
    for _ in range(6):
        told, gone, done = run_until_killed(folder, randomness.uniform(0.02, 0.6))
        acknowledged.update(told)
        skipped |= gone
        with Session.open(folder, POOL, GaussianNB()) as reopened:  # loads after every kill
            labels = reopened.labels
            assert {key: labels.get(key) for key in acknowledged} == acknowledged
            assert skipped <= set(reopened.skipped)
            assert all(TRUTH[key] == label for key, label in labels.items())
        if done:
            break
    print(f"{len(acknowledged)} labels acknowledged over the kills, {len(skipped)} skips")
    assert acknowledged, "the labeller never got to answer: raise the kill delays"
    replayed = replay_session(folder, POOL, GaussianNB())  # the crashed session still replays exactly
    with Session.open(folder, POOL, GaussianNB()) as final:
        assert replayed.history == final.history and replayed.labels == final.labels

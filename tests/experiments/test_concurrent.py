"""Runners in several processes on one results file: each run computed once, claims that die with their runner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alfunc.experiments import append_result, experiment_grid, read_results, run_grid
from alfunc.experiments.claims import RunClaims

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="claims need POSIX record locks")

ROOT = Path(__file__).resolve().parents[2]
GRID = 'experiment_grid(["iris"], ["margin", "random"], seeds=6, n_init=10, budget=30)'
RUNNER = f"""
import json, os, sys, time
from alfunc.experiments import experiment_grid, run_grid
grid = {GRID}
ready, go, path = sys.argv[1:]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.005)
computed = []
results = run_grid(grid, path, callback=lambda line: computed.append(line["id"]))
print(json.dumps({{"computed": computed, "returned": [line["id"] for line in results]}}))
"""
HOLDER = """
import sys, time
from alfunc.experiments.claims import RunClaims
path, run_id, ready = sys.argv[1:]
with RunClaims(path) as claims:
    assert claims.claim(run_id)
    open(ready, "w").close()
    time.sleep(120)
"""
SAVER = """
import os, sys, time
from alfunc.experiments import append_result, experiment_grid, run_one
from alfunc.experiments.claims import RunClaims
path, run_id, ready, save = sys.argv[1:]
grid = experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=30)
(run,) = [run for run in grid.runs if run.id == run_id]
with RunClaims(path) as claims:
    assert claims.claim(run_id)
    line, _ = run_one(run, grid.data["iris"], grid.estimators["logistic"], grid.strategies[run.strategy])
    open(ready, "w").close()
    while not os.path.exists(save):
        time.sleep(0.005)
    append_result(path, {**line, "seconds": -1.0})
"""


def grid():
    return experiment_grid(["iris"], ["margin", "random"], seeds=6, n_init=10, budget=30)


def start(code, *args):
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )


def wait_for(path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def test_two_processes_on_one_file_compute_each_run_once(tmp_path):
    # Before: each process computed all 12 runs and the file held 24 lines.
    path = tmp_path / "results.jsonl"
    other = start(RUNNER, tmp_path / "ready", tmp_path / "go", path)
    wait_for(tmp_path / "ready", other)
    (tmp_path / "go").touch()  # the other process and this one start the same grid at the same moment
    computed = []
    returned = [line["id"] for line in run_grid(grid(), path, callback=lambda line: computed.append(line["id"]))]
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err.decode()
    report = json.loads(out)
    expected = [run.id for run in grid().runs]
    lines = path.read_text().splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(lines) == 12 and sorted(ids) == sorted(expected), "every run once, none missing"
    here, there = set(computed), set(report["computed"])
    assert not here & there and here | there == set(expected), "no run computed twice"
    assert returned == report["returned"] == expected, "each runner returns the whole grid"
    assert sorted(os.listdir(tmp_path)) == ["go", "ready", "results.jsonl"], "no lock file left"


def test_a_run_held_by_a_live_runner_is_awaited_not_computed(tmp_path):
    path = tmp_path / "results.jsonl"
    small = experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=30)
    held = small.runs[1]
    holder = start(SAVER, path, held.id, tmp_path / "ready", tmp_path / "save")
    try:
        wait_for(tmp_path / "ready", holder)
        computed, returned = [], []
        runner = threading.Thread(target=lambda: returned.extend(run_grid(small, path, callback=computed.append)))
        runner.start()
        time.sleep(1.0)
        assert runner.is_alive(), "the runner waits for the held run"
        (tmp_path / "save").touch()  # the holder saves its run and ends
        runner.join(60)
        assert holder.wait(60) == 0, holder.communicate()[1].decode()
    finally:
        holder.kill()
        holder.communicate()
    assert not runner.is_alive()
    assert [c["id"] for c in computed] == [small.runs[0].id], "the held run was not computed again"
    assert returned[1]["seconds"] == -1.0, "the holder's line is returned"
    assert len(path.read_text().splitlines()) == 2


def test_the_claim_of_a_killed_runner_does_not_block(tmp_path):
    path = tmp_path / "results.jsonl"
    small = experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=30)
    held = small.runs[0]
    holder = start(HOLDER, path, held.id, tmp_path / "ready")
    try:
        wait_for(tmp_path / "ready", holder)
        with RunClaims(path) as claims:
            assert not claims.claim(held.id), "held by the other process"
        killer = threading.Timer(1.0, holder.send_signal, [signal.SIGKILL])
        killer.start()
        computed = []
        results = run_grid(small, path, callback=computed.append)  # waits for the holder, which dies
        killer.join()
    finally:
        holder.kill()
        holder.communicate()
    assert sorted(c["id"] for c in computed) == sorted(run.id for run in small.runs), "its run is computed here"
    assert [line["id"] for line in results] == [run.id for run in small.runs]
    assert [line["id"] for line in read_results(path)] == [line["id"] for line in computed]
    assert not (tmp_path / "results.jsonl.lock").exists()


def test_report_counts_a_run_written_twice_once(tmp_path, capsys):
    from alfunc.cli import main

    path = tmp_path / "results.jsonl"
    lines = run_grid(experiment_grid(["iris"], ["margin", "random"], seeds=1, n_init=10, budget=30), path)
    for line in lines:  # a second runner that did not cooperate (an older alfunc, or no fcntl)
        append_result(path, {**line, "seconds": 0.0})
    assert len(path.read_text().splitlines()) == 4
    assert [line["id"] for line in read_results(path)] == [line["id"] for line in lines]
    assert main(["report", str(path), "--figure", str(tmp_path / "f.png")]) == 0
    assert "2 runs from" in capsys.readouterr().out

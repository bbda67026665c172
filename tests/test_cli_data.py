"""``alfunc simulate --data FILE``: CSV, text, Parquet, .npy and .npz files, picks by row id, one-line errors."""

from __future__ import annotations

import csv
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from alfunc.cli import main
from alfunc.experiments import read_results, run_from_info, split_positions
from alfunc.history.io import load_history

FAST = ["--seeds", "2", "--n-init", "9", "--batch-size", "6", "--budget", "21", "--no-progress"]
TOPICS = {
    "sport": "goal match striker referee league penalty keeper stadium season coach".split(),
    "code": "compiler function variable loop array pointer syntax runtime module debug".split(),
    "food": "bread oven butter recipe salt flour sugar pan roast spice".split(),
}


def iris_table():
    """Iris with string labels, a made-up categorical column, gaps in a numeric one and an id column."""
    frame = load_iris(as_frame=True).frame
    rng = np.random.default_rng(0)
    frame["label"] = np.array(["setosa", "versicolor", "virginica"])[frame.pop("target")]
    frame["soil"] = rng.choice(["clay", "sand", "loam"], size=len(frame))
    frame.loc[[3, 40, 77], "sepal width (cm)"] = np.nan
    frame.insert(0, "plant", [f"p{i:03d}" for i in range(len(frame))])
    return frame


def documents(n=90):
    rng = np.random.default_rng(1)
    topics = list(TOPICS)
    labels = [topics[i % 3] for i in range(n)]
    texts = [" ".join(rng.choice(TOPICS[label] + ["the", "a", "with"], size=7)) for label in labels]
    return pd.DataFrame({"review": texts, "topic": labels, "stars": rng.integers(1, 6, size=n)})


def read_picks(out):
    with open(out / "picks.csv", newline="") as file:
        return list(csv.DictReader(file))


def check_picks(out, ids, labels, n_init=9, budget=21):
    """picks.csv holds every labeled point of every run, traced back to the file's rows and ids."""
    results = read_results(out / "results.jsonl")
    picks = read_picks(out)
    assert list(picks[0]) == ["run", "strategy", "seed", "iteration", "position", "id"]
    assert len(picks) == len(results) * budget
    for line in results:
        mine = [row for row in picks if row["run"] == line["id"]]
        assert len(mine) == budget and sum(row["iteration"] == "0" for row in mine) == n_init
        assert {row["strategy"] for row in mine} == {line["run"]["strategy"]}
        assert {row["seed"] for row in mine} == {str(line["run"]["seed"])}
        positions = [int(row["position"]) for row in mine]
        assert [row["id"] for row in mine] == [str(ids[p]) for p in positions]
        history = load_history(out / "histories" / f"{line['id']}.json")
        pool, _ = split_positions(run_from_info(history.info), labels)
        assert positions == pool[np.concatenate([record.queried for record in history])].tolist()
        assert [int(row["iteration"]) for row in mine] == [r.iteration for r in history for _ in r.queried]


def simulate(path, out, *options):
    return main(["simulate", "--data", str(path), *options, *FAST, "--out", str(out)])


def test_a_csv_table_with_categories_gaps_and_ids(tmp_path, capsys):
    frame = iris_table()
    frame.to_csv(tmp_path / "iris.csv", index=False)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "X does not have valid feature names": rows must keep their columns
        assert simulate(tmp_path / "iris.csv", out, "--target", "label", "--id", "plant") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("iris.csv | table+logistic | n_init 9, batch 6, budget 21 | 2 seeds")
    assert f"picks: {out / 'picks.csv'}" in printed
    results = read_results(out / "results.jsonl")
    assert len(results) == 4 and all(line["n_labeled"] == [9, 15, 21] for line in results)
    check_picks(out, frame["plant"].to_numpy(), frame["label"].to_numpy())
    history = load_history(out / "histories" / f"{results[0]['id']}.json")
    assert history.info["row_layout"] == tuple(c for c in frame.columns if c not in ("plant", "label"))
    replay = ["replay", str(out / "histories" / f"{results[0]['id']}.json"), "--data", str(tmp_path / "iris.csv")]
    assert main([*replay, "--target", "label", "--id", "plant"]) == 0
    assert "every query selected the recorded points" in capsys.readouterr().out
    assert main([*replay, "--target", "label"]) == 2, "without --id the plant column is a feature: another model"
    assert "iris.csv: with these options the data file is not what the history was made on" in capsys.readouterr().err


def test_a_csv_of_documents_with_text(tmp_path, capsys):
    table = documents()
    table.to_csv(tmp_path / "reviews.csv", index=False)
    out = tmp_path / "out"
    assert (
        simulate(tmp_path / "reviews.csv", out, "--target", "topic", "--text", "review", "--representation", "model")
        == 0
    )
    assert capsys.readouterr().out.startswith("reviews.csv | tfidf+logistic | representation model |")
    results = read_results(out / "results.jsonl")
    assert {line["run"]["estimator"] for line in results} == {"tfidf+logistic"}
    assert {line["run"]["representation"] for line in results} == {"model"}
    assert all(line["metrics"]["final_score"] > 0.5 for line in results), "three topics, distinct words: learnable"
    check_picks(out, np.arange(len(table)), table["topic"].to_numpy())  # no --id: a CSV row's id is its row number


def test_parquet_npy_and_npz(tmp_path, capsys):
    X, y = load_iris(return_X_y=True)
    frame = iris_table().set_index("plant")
    frame.to_parquet(tmp_path / "iris.parquet")  # the stored index holds the ids
    np.save(tmp_path / "iris.npy", np.column_stack([y, X]))
    np.savez(tmp_path / "iris.npz", X=X, labels=y, names=np.array([f"flower-{i}" for i in range(150)]))
    cases = [
        ("iris.parquet", ["--target", "label"], "table+logistic", frame.index.to_numpy()),
        ("iris.npy", ["--target", "0"], "logistic", np.arange(150)),
        ("iris.npz", ["--target", "labels", "--id", "names"], "logistic", [f"flower-{i}" for i in range(150)]),
    ]
    for name, options, estimator, ids in cases:
        out = tmp_path / name.replace(".", "_")
        assert simulate(tmp_path / name, out, *options, "--seeds", "1") == 0, name
        assert capsys.readouterr().out.startswith(f"{name} | {estimator} |")
        check_picks(out, np.asarray(ids), y)


def test_parquet_without_pyarrow_names_the_extra(tmp_path, capsys, monkeypatch):
    iris_table().to_parquet(tmp_path / "iris.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    assert simulate(tmp_path / "iris.parquet", tmp_path / "out", "--target", "label") == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"alfunc: error: {tmp_path / 'iris.parquet'}: reading Parquet needs pyarrow: pip install 'alfunc[parquet]'\n"
    )


@pytest.fixture
def files(tmp_path):
    frame = iris_table()
    frame.to_csv(tmp_path / "iris.csv", index=False)
    frame.assign(label="setosa").to_csv(tmp_path / "one.csv", index=False)
    frame.assign(label=frame["label"].where(frame.index % 50 != 7)).to_csv(tmp_path / "gaps.csv", index=False)
    frame.iloc[np.r_[0:7, 50:57, 100:106]].to_csv(tmp_path / "small.csv", index=False)  # 20 rows, 3 classes
    (tmp_path / "broken.csv").write_text('a,b\n1,2\n"never closed\n')
    (tmp_path / "iris.xlsx").write_text("not a spreadsheet")
    (tmp_path / "fake.npy").write_text("not numpy")
    np.savez(tmp_path / "arrays.npz", features=np.zeros((4, 2)))
    return tmp_path


COLUMNS = "plant, sepal length (cm), sepal width (cm), petal length (cm), petal width (cm), label, soil"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "missing.csv", "--target", "label"], "missing.csv: no such file"),
        (["--data", "iris.xlsx", "--target", "label"], "iris.xlsx: unknown format (.xlsx); expected .csv"),
        (["--data", "broken.csv", "--target", "a"], "broken.csv: cannot be read as CSV: "),
        (["--data", "fake.npy"], "fake.npy: not an .npy file"),
        (
            ["--data", "iris.csv", "--target", "species"],
            f"iris.csv: no column 'species' (--target); columns: {COLUMNS}",
        ),
        (["--data", "iris.csv"], f"iris.csv: --target must name the label column of a table; columns: {COLUMNS}"),
        (["--data", "iris.csv", "--target", "label", "--text", "notes"], "iris.csv: no column 'notes' (--text)"),
        (["--data", "iris.csv", "--target", "label", "--id", "name"], "iris.csv: no column 'name' (--id)"),
        (["--data", "iris.csv", "--target", "label", "--id", "soil"], "iris.csv: the id column 'soil' has 3 repeated"),
        (["--data", "arrays.npz"], "arrays.npz: no array 'X' (X); arrays: features"),
        (["--data", "one.csv", "--target", "label"], "one.csv: the target column 'label' has one class ('setosa')"),
        (["--data", "gaps.csv", "--target", "label"], "gaps.csv: 3 of 150 rows have no label in the target column"),
        (
            ["--data", "iris.csv", "--target", "label", "--budget", "120"],
            "iris.csv: 150 rows leave a pool of 112 after the test split (--test-size 0.25), fewer than --budget 120",
        ),
        (["--data", "small.csv", "--target", "label", "--n-init", "16"], "small.csv: 20 rows leave a pool of 15"),
        (
            ["--data", "small.csv", "--target", "label", "--n-init", "2", "--test-size", "0.1"],
            "datasets['small.csv'] cannot be split with stratification at test_size=0.1",
        ),
        (["--target", "label"], "--target needs --data FILE"),
        (
            ["--data", "iris.csv", "--target", "label", "--text", "plant", "--estimator", "naive_bayes"],
            "--estimator naive_bayes takes no sparse",
        ),
    ],
)
def test_data_errors_are_one_line_with_exit_code_2(files, argv, message, capsys, monkeypatch):
    monkeypatch.chdir(files)
    assert main(["simulate", *argv, "--seeds", "1", "--no-progress", "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"alfunc: error: {message}") and err.count("\n") == 1 and "Traceback" not in err

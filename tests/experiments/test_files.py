"""Reading your own data files: formats, ids, labels, the default models of tables and documents."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.naive_bayes import GaussianNB

from alfunc.experiments.files import read_data, table_estimator, text_estimator, write_picks


def flowers():
    frame = load_iris(as_frame=True).frame.rename(columns={"target": "species"})
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame["species"]]
    frame["shade"] = pd.Categorical(np.where(frame.index % 3 == 0, "dark", "light"))
    frame["wild"] = frame.index % 2 == 0
    frame["note"] = np.where(frame.index % 5 == 0, None, "seen")
    return frame


def test_a_compressed_tsv_reads_like_a_csv_and_keeps_names_and_ids(tmp_path):
    frame = flowers()
    frame.to_csv(tmp_path / "flowers.tsv.gz", sep="\t", index=False)
    data = read_data(tmp_path / "flowers.tsv.gz", "species")
    assert data.kind == "table" and data.name == "flowers.tsv.gz"
    assert list(data.X.columns) == [c for c in frame.columns if c != "species"]
    assert data.ids.tolist() == list(range(150)) and data.y.dtype.kind == "U"
    model = table_estimator(data.X).fit(data.X, data.y)
    numeric, categorical = (columns for _, _, columns in model[0].transformers)
    assert numeric == list(frame.columns[:4]) and categorical == ["shade", "wild", "note"]
    assert model.score(data.X, data.y) > 0.9


def test_dense_table_features_for_estimators_without_sparse_input(tmp_path):
    X = flowers().drop(columns="species")
    X["code"] = [f"c{i}" for i in range(150)]  # a column with a category per row: sparse one-hot by default
    y = flowers()["species"]
    assert table_estimator(X, GaussianNB(), sparse=False).fit(X, y).score(X, y) > 0.9
    with pytest.raises(TypeError, match="dense data is required|Sparse data was passed"):
        table_estimator(X, GaussianNB()).fit(X, y)


def test_text_rows_are_the_documents_and_missing_texts_are_empty(tmp_path):
    table = pd.DataFrame(
        {"key": ["a7", "b2", "c9", "d4"], "body": ["cats purr", None, "cats sleep", "dogs run"], "pet": list("cdcd")}
    )
    table.to_parquet(tmp_path / "pets.parquet", index=False)
    data = read_data(tmp_path / "pets.parquet", "pet", text="body", id_column="key")
    assert data.kind == "text" and data.X.tolist() == ["cats purr", "", "cats sleep", "dogs run"]
    assert data.ids.tolist() == ["a7", "b2", "c9", "d4"] and data.X.index.tolist() == data.ids.tolist()
    assert text_estimator().fit(data.X, data.y).predict(["cats"]).tolist() == ["c"]


def test_label_columns_of_an_npy_array(tmp_path):
    X, y = load_iris(return_X_y=True)
    np.save(tmp_path / "iris.npy", np.column_stack([X, y]))
    data = read_data(tmp_path / "iris.npy")
    assert data.X.shape == (150, 4) and data.y.dtype == np.int64 and data.y.tolist() == y.tolist()
    assert read_data(tmp_path / "iris.npy", -1).y.tolist() == y.tolist()
    with pytest.raises(ValueError, match="iris.npy: the label column 0 holds continuous values"):
        read_data(tmp_path / "iris.npy", "0")


@pytest.mark.parametrize(
    ("arrays", "options", "message"),
    [
        ({"X": np.zeros((4, 2)), "y": np.array([0, 1, 0])}, {}, "array 'y' must hold one value per row of X \\(4\\)"),
        ({"X": np.array(["a", "b"]), "y": np.array([0, 1])}, {}, "array 'X' must be 2-D and numeric"),
        ({"X": np.zeros((3, 2)), "y": np.array([0.0, np.nan, 1.0])}, {}, "1 of 3 rows have no label"),
        (
            {"X": np.zeros((3, 2)), "y": np.array([0, 1, 0]), "k": np.array([5, 6, 5])},
            {"id_column": "k"},
            "id array 'k' has 1 repeated values \\(e.g. '5'\\)",
        ),
    ],
)
def test_bad_npz_files_are_refused_with_one_line(tmp_path, arrays, options, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message) as error:
        read_data(tmp_path / "bad.npz", **options)
    assert str(error.value).startswith(str(tmp_path / "bad.npz")) and "\n" not in str(error.value)


def test_a_table_without_pandas_names_the_extra(tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("a,b\n1,0\n2,1\n")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"t.csv: reading a table needs pandas: pip install 'alfunc\[tables\]'"):
        read_data(tmp_path / "t.csv", "b")


def test_picks_are_written_atomically_with_a_header(tmp_path):
    path = write_picks(tmp_path / "picks.csv", [("r1", "margin", 0, 0, 3, "a,b"), ("r1", "margin", 0, 1, 8, 8)])
    assert path.read_text() == 'run,strategy,seed,iteration,position,id\nr1,margin,0,0,3,"a,b"\nr1,margin,0,1,8,8\n'
    assert [p.name for p in tmp_path.iterdir()] == ["picks.csv"]

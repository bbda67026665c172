"""A pandas DataFrame pool with mixed column types
===============================================

Active learning on a mixed-type table: a pandas DataFrame through a ColumnTransformer that picks columns by name.

The table is scikit-learn's diabetes data in its original units (442 patients,
no download), made to look like a clinic's spreadsheet: an index of patient
ids, numeric columns with readable names, and categorical columns derived from
the numbers (age band, body-mass-index band from the WHO cut-offs, sex as a
code). The class is the disease progression one year later, in tertiles:
``low``, ``medium``, ``high``.

The pool is the DataFrame itself: alfunc takes its rows by position, so the
column names, dtypes and index reach the pipeline intact (no "X does not have
valid feature names" warning) and every record keeps the ids of the patients it
asked about. The run starts from the 12 labels the spreadsheet already has (a
``label`` column, mostly empty) through ``al.PartialLabels(...).known()``;
the full label column stands in for the annotator after that.

Prints, per strategy, the area under the learning curve and the final test
accuracy (mean over seeds; from the same known labels, margin and entropy
depend on the seed only through ties), and the patients margin sampling asked
about first, by their ids, with their rows. The data are noisy: with every
pool label, the same model reaches about 0.56 accuracy.

    python examples/mixed_table.py            # 3 seeds, budget 120
    python examples/mixed_table.py --quick   # 2 seeds, budget 60
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.metrics import aulc, learning_curve

STRATEGIES = ("random", "margin", "entropy")
CATEGORICAL = ["sex", "age_band", "bmi_band"]
NUMERIC = ["blood_pressure", "cholesterol", "ldl", "hdl", "chol_hdl_ratio", "log_triglycerides", "glucose"]
N_KNOWN = 12


def patients() -> tuple[pd.DataFrame, pd.Series]:
    """The diabetes data as a mixed-type table indexed by patient id, and the progression tertile."""
    data = load_diabetes(as_frame=True, scaled=False).frame
    names = dict(zip(["bp", "s1", "s2", "s3", "s4", "s5", "s6"], NUMERIC, strict=True))
    table = data.rename(columns=names)[NUMERIC]
    table.insert(0, "sex", data["sex"].map({1.0: "code 1", 2.0: "code 2"}))
    table.insert(1, "age_band", pd.cut(data["age"], [0, 30, 45, 60, 120], labels=["<30", "30-44", "45-59", "60+"]))
    table.insert(
        2,
        "bmi_band",
        pd.cut(data["bmi"], [0, 18.5, 25, 30, 100], right=False, labels=["under", "normal", "over", "obese"]),
    )
    table.index = pd.Index([f"patient-{i:03d}" for i in range(len(table))], name="patient")
    progression = pd.qcut(data["target"], 3, labels=["low", "medium", "high"]).astype(str)
    return table, pd.Series(progression.to_numpy(), index=table.index, name="progression")


def table_model() -> object:
    """One-hot the categorical columns and scale the numeric ones, both chosen by name; then a logistic regression."""
    encode = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        (StandardScaler(), NUMERIC),
    )
    return make_pipeline(encode, LogisticRegression(max_iter=1000))


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=120)
    parser.add_argument("--quick", action="store_true", help="2 seeds, budget 60 (what the tests run)")
    args = parser.parse_args(argv)
    seeds, budget = (range(2), 60) if args.quick else (range(args.seeds), args.budget)

    table, progression = patients()
    pool, test, y_pool, y_test = train_test_split(
        table, progression, test_size=0.3, stratify=progression, random_state=0
    )
    # The spreadsheet's own label column: a few rows labeled already, the rest empty.
    have = pd.Series(np.nan, index=pool.index, dtype=object)
    known_rows = np.random.default_rng(0).choice(len(pool), N_KNOWN, replace=False)
    have.iloc[known_rows] = y_pool.iloc[known_rows]
    initial, labels = al.PartialLabels(have.to_numpy()).known()  # positions in the pool, and their labels

    known_ids = al.row_ids(pool, initial)  # the pool's index at those positions
    print(f"{len(table)} patients; categorical {CATEGORICAL}; numeric {len(NUMERIC)} columns; classes low/medium/high")
    print(f"pool {len(pool)}, test {len(test)}; batches of 10 up to {budget} labels; test accuracy")
    print(f"{len(initial)} labels already known: {', '.join(known_ids[:4])}, ...")
    results: dict[str, dict[str, float]] = {}
    first = None
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.filterwarnings("error", message=".*feature names.*")  # a lost column name would fail here
        for strategy in STRATEGIES:
            areas, finals = [], []
            for seed in seeds:
                final = al.run(
                    pool,
                    y_pool.to_numpy(),  # the annotator, simulated
                    table_model(),
                    strategy,
                    batch_size=10,
                    budget=budget,
                    X_test=test,
                    y_test=y_test.to_numpy(),
                    random_state=seed,
                    initial=initial,
                    labels=labels,
                )
                n_labeled, scores = learning_curve(final.history)
                areas.append(aulc(n_labeled, scores))
                finals.append(scores[-1])
                if strategy == "margin" and first is None:
                    first = final.history[1]
            results[strategy] = {"aulc": float(np.mean(areas)), "final": float(np.mean(finals))}

    print(f"{'strategy':<10} {'AULC':>6} {'final':>6}")
    for strategy, row in results.items():
        print(f"{strategy:<10} {row['aulc']:6.3f} {row['final']:6.3f}")
    if first is not None:  # each record keeps the pool's index of the rows it queried
        print("first patients margin asked about (seed 0):")
        print(pool.loc[list(first.ids[:5]), CATEGORICAL + NUMERIC[:3]].to_string())
    return results


if __name__ == "__main__":
    main()

"""Active learning on text
=======================

Active learning on text: which part of Python's standard library does a docstring come from?

The corpus is offline and nobody here wrote it: the docstrings of the classes,
methods and functions of standard-library packages, each labelled with the
family of its package:

* ``email``: email, smtplib, mailbox, imaplib, poplib;
* ``web``: http, urllib, html, wsgiref;
* ``testing``: unittest, doctest;
* ``xml``: xml, xmlrpc.

Docstrings shorter than eight words and repeats are dropped, and the corpus is
sorted by the object's dotted name, so the same Python gives the same corpus.
The pool is a plain list of strings; the model is a TF-IDF + logistic
regression pipeline, so the default representation is ``"model"``: the geometry
strategies (``k_center_greedy`` and ``badge``) measure distances in the TF-IDF
features of the pipeline as last fitted (``badge`` in the gradient embedding of
its logistic regression). Each seed draws its own stratified 70/30 split, and
every strategy starts from the same initial documents under a seed.

Prints, per strategy, the area under the learning curve (``alfunc.metrics.aulc``,
trapezoid rule, test accuracy) and the final test accuracy, mean over seeds, and
the first documents margin sampling asked about, joined back to their source
through the run's ``ids`` (the dotted names), with the labels the record kept.

    python examples/text_classification.py            # 3 seeds, budget 150
    python examples/text_classification.py --quick   # 2 seeds, budget 70
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Iterator
from types import ModuleType

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.metrics import aulc, learning_curve

FAMILIES = {
    "email": ("email", "smtplib", "mailbox", "imaplib", "poplib"),
    "web": ("http", "urllib", "html", "wsgiref"),
    "testing": ("unittest", "doctest"),
    "xml": ("xml", "xmlrpc"),
}
STRATEGIES = ("random", "margin", "k_center_greedy", "badge")
MIN_WORDS = 8


def modules(root: str) -> Iterator[ModuleType]:
    """A package and its importable submodules (test suites and platform-only modules left out)."""
    package = importlib.import_module(root)
    yield package
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), root + "."):
        if ".test" in info.name or info.name.endswith("__main__"):
            continue
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # e.g. a Windows-only module
            continue


def docstrings(module: ModuleType) -> Iterator[tuple[str, str | None]]:
    """``(dotted name, docstring)`` of the classes, their methods and the functions a module defines."""
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue  # imported from elsewhere
        if inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj.__doc__
            for method, function in vars(obj).items():
                if inspect.isfunction(function):
                    yield f"{module.__name__}.{name}.{method}", function.__doc__
        elif inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj.__doc__


def build_corpus() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Documents, their family labels and their dotted names, sorted by name."""
    rows: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation warnings of old modules on import
        for family, roots in FAMILIES.items():
            for root in roots:
                for module in modules(root):
                    for name, doc in docstrings(module):
                        text = " ".join((doc or "").split())
                        if len(text.split()) >= MIN_WORDS and text not in seen:
                            seen.add(text)
                            rows[name] = (text, family)
    names = sorted(rows)
    return [rows[n][0] for n in names], np.array([rows[n][1] for n in names]), np.array(names)


def text_model() -> object:
    """TF-IDF of the words, then a logistic regression."""
    return make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(C=10, max_iter=1000))


def one_run(corpus, strategy: str, seed: int, n_init: int, batch_size: int, budget: int) -> al.ALState:
    """One run on a stratified 70/30 split drawn with ``seed``; the pool keeps its dotted names as ids."""
    documents, labels, names = corpus
    positions = np.arange(len(documents))
    pool, test = train_test_split(positions, test_size=0.3, stratify=labels, random_state=seed)
    return al.run(
        [documents[i] for i in pool],
        labels[pool],
        text_model(),
        strategy,
        n_init=n_init,
        batch_size=batch_size,
        budget=budget,
        X_test=[documents[i] for i in test],
        y_test=labels[test],
        random_state=seed,
        ids=names[pool],
    )


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=150)
    parser.add_argument("--quick", action="store_true", help="2 seeds, budget 70 (what the tests run)")
    args = parser.parse_args(argv)
    seeds, budget = (range(2), 70) if args.quick else (range(args.seeds), args.budget)

    corpus = build_corpus()
    documents, labels, _ = corpus
    counts = ", ".join(f"{family} {int((labels == family).sum())}" for family in FAMILIES)
    print(f"{len(documents)} standard-library docstrings ({counts}); 70/30 split; TF-IDF + LogisticRegression")
    print(f"10 initial documents, batches of 10 up to {budget} labels, {len(seeds)} seeds; test accuracy")

    table: dict[str, dict[str, float]] = {}
    first_picks: list[tuple[str, str]] = []
    with threadpool_limits(limits=1):  # small fits: BLAS threads cost more than they give
        for strategy in STRATEGIES:
            areas, finals = [], []
            for seed in seeds:
                final = one_run(corpus, strategy, seed, n_init=10, batch_size=10, budget=budget)
                n_labeled, scores = learning_curve(final.history)
                areas.append(aulc(n_labeled, scores))
                finals.append(scores[-1])
                if strategy == "margin" and seed == seeds[0]:
                    record = final.history[1]  # the first query round: its ids and the labels it got
                    first_picks = list(zip(record.ids[:5], record.labels[:5], strict=True))
            table[strategy] = {"aulc": float(np.mean(areas)), "final": float(np.mean(finals))}

    print(f"{'strategy':<16} {'AULC':>6} {'final':>6}")
    for strategy, row in table.items():
        print(f"{strategy:<16} {row['aulc']:6.3f} {row['final']:6.3f}")
    print("first documents margin asked about (seed 0), with the label they got:")
    for name, family in first_picks:
        print(f"  {name:<56} {family}")
    return table


if __name__ == "__main__":
    main()

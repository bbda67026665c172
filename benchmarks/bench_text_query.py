"""One margin query (top-10) over 200,000 short documents with a TF-IDF + LogisticRegression pipeline.

The pool is a Python list of strings (and the same documents as an object
ndarray and a pandas Series), generated offline and deterministically: words
of a made-up vocabulary drawn with Zipf frequencies, 5-20 per document, 30 %
of them from a per-class topic (a class-specific reshuffle of the vocabulary),
so the classes overlap and the margins spread. The model is
``make_pipeline(TfidfVectorizer(), LogisticRegression())`` fitted by
``fit_step`` on a seeded labeled set of a few thousand documents.

The floor is the least work any implementation can do: ``predict_proba`` on
every unlabeled document at once, the top-two gap and ``np.argpartition``; the
chunked floor does the same over alfunc's default chunks (``default_chunk_rows``
= ``OBJECT_CHUNK_ROWS`` rows of the pool, labeled ones dropped). Nearly all the
time is the vectorizer's tokenisation, in Python, per document.

    python benchmarks/bench_text_query.py                # 200,000 documents, 3,000 labeled
    python benchmarks/bench_text_query.py --quick        # 3,000 documents, seconds (smoke test)
    python benchmarks/bench_text_query.py --chunk-sizes 2048,4096,8192,16384,32768,65536
    python benchmarks/bench_text_query.py --profile      # cProfile of alfunc select on the list
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats

import numpy as np
from measure import interleaved_medians, machine, mib, peak_extra_bytes, print_table, target
from reference import best_k, margin_utilities
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import alfunc as al
from alfunc.engine.candidates import default_chunk_rows
from alfunc.engine.steps import initial_state

CONSONANTS = "bcdfghklmnprstvz"
VOWELS = "aeiou"
TOPIC_SHARE = 0.3
ZIPF_EXPONENT = 1.07


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-docs", type=int, default=200_000)
    parser.add_argument("--n-labeled", type=int, default=3_000)
    parser.add_argument("--n-classes", type=int, default=4)
    parser.add_argument("--vocabulary", type=int, default=20_000, help="words in the made-up vocabulary")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chunk-sizes", default="", help="comma-separated chunk sizes to sweep as extra rows")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of alfunc select on the list")
    parser.add_argument("--quick", action="store_true", help="3,000 documents and 2 repeats (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_docs, args.n_labeled, args.vocabulary, args.repeats = 3_000, 200, 2_000, 2
    return args


def made_up_words(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct pronounceable words of 2-4 consonant-vowel syllables (an object array)."""
    syllables = [c + v for c in CONSONANTS for v in VOWELS]
    seen: set[str] = set()
    words: list[str] = []
    while len(words) < n:
        word = "".join(syllables[i] for i in rng.integers(0, len(syllables), rng.integers(2, 5)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return np.array(words, dtype=object)


def make_documents(n_docs: int, n_classes: int, vocabulary_size: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Seeded short documents and their classes.

    Every word is drawn with Zipf frequencies over ranks; with probability
    ``TOPIC_SHARE`` the rank is read in the document's class ranking (a
    class-specific permutation of the vocabulary), otherwise in the shared one.
    """
    rng = np.random.default_rng(seed)
    vocabulary = made_up_words(vocabulary_size, rng)
    zipf = 1.0 / np.arange(1, vocabulary_size + 1) ** ZIPF_EXPONENT
    zipf /= zipf.sum()
    rankings = np.stack([np.arange(vocabulary_size)] + [rng.permutation(vocabulary_size) for _ in range(n_classes)])
    y = rng.integers(0, n_classes, n_docs)
    lengths = rng.integers(5, 21, n_docs)
    ranks = rng.choice(vocabulary_size, size=int(lengths.sum()), p=zipf)
    topical = rng.random(ranks.size) < TOPIC_SHARE
    ranking = np.where(topical, np.repeat(y, lengths) + 1, 0)
    tokens = vocabulary[rankings[ranking, ranks]]
    ends = np.cumsum(lengths)
    docs = [" ".join(tokens[start:end]) for start, end in zip((ends - lengths).tolist(), ends.tolist(), strict=True)]
    return docs, y


def make_problem(args: argparse.Namespace) -> tuple[list[str], np.ndarray, al.ALState]:
    """The documents, their classes and a state fitted on a seeded labeled set."""
    docs, y = make_documents(args.n_docs, args.n_classes, args.vocabulary)
    labeled = np.sort(np.random.default_rng(1).choice(args.n_docs, args.n_labeled, replace=False))
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    state = al.fit_step(initial_state(labeled, y[labeled], args.n_docs, al.History(0)), docs, model)
    return docs, y, state


def floor_query(model, docs: list[str], labeled: np.ndarray, k: int) -> np.ndarray:
    """The hand-written limit: predict_proba on every unlabeled document at once, top-two gap, argpartition."""
    unlabeled = np.flatnonzero(~labeled)
    utilities = margin_utilities(model, [docs[i] for i in unlabeled])
    return best_k(unlabeled, utilities, k)[0]


def chunked_floor_query(model, docs: list[str], labeled: np.ndarray, k: int, chunk: int) -> np.ndarray:
    """The same floor over blocks of ``chunk`` pool rows (labeled rows dropped), merged by argpartition."""
    best_idx, best_u = np.empty(0, dtype=np.int64), np.empty(0)
    for start in range(0, len(docs), chunk):
        free = start + np.flatnonzero(~labeled[start : start + chunk])
        idx, u = best_k(free, margin_utilities(model, [docs[i] for i in free]), k)
        best_idx, best_u = best_k(np.concatenate([best_idx, idx]), np.concatenate([best_u, u]), k)
    return best_idx


def profile_select(state: al.ALState, docs: list[str], k: int) -> str:
    """The top of a cProfile of one ``select`` on the list of documents, by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(al.select, state, docs, "margin", k)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    k = args.batch_size
    docs, y, state = make_problem(args)
    model, labeled = state.model, state.labeled_mask()
    as_array = np.array(docs, dtype=object)
    chunk = default_chunk_rows(docs)
    methods = {
        "floor (predict_proba on all unlabeled + argpartition)": lambda: floor_query(model, docs, labeled, k),
        f"floor, chunked like alfunc ({chunk} rows)": lambda: chunked_floor_query(model, docs, labeled, k, chunk),
        "alfunc select, list": lambda: al.select(state, docs, "margin", k),
        "alfunc select, object ndarray": lambda: al.select(state, as_array, "margin", k),
    }
    if importlib.util.find_spec("pandas") is not None:
        import pandas as pd

        series = pd.Series(docs)  # pandas >= 3 infers its str dtype (Arrow-backed when pyarrow is installed)
        unlabeled = np.flatnonzero(~labeled)
        methods[f"floor on the Series (dtype {series.dtype})"] = lambda: best_k(
            unlabeled, margin_utilities(model, series.iloc[unlabeled]), k
        )[0]
        methods["alfunc select, pandas Series"] = lambda: al.select(state, series, "margin", k)
    for size in filter(None, args.chunk_sizes.split(",")):
        methods[f"alfunc select, list, chunk_size={int(size)}"] = lambda size=int(size): al.select(
            state, docs, "margin", k, chunk_size=size
        )

    batches = {name: method() for name, method in methods.items()}  # warm-up, and the answers
    floor_name, chunked_name = list(methods)[:2]
    reference = set(batches[floor_name].tolist())
    seconds = interleaved_medians(methods, args.repeats)
    memory = {name: peak_extra_bytes(method)[0] for name, method in methods.items()}

    print(
        f"# margin top-{k} over {args.n_docs:,} short documents ({args.n_labeled:,} labeled, "
        f"{args.n_classes} classes), TfidfVectorizer + LogisticRegression; train accuracy "
        f"{state.history[-1].scores['train_score']:.3f}"
    )
    print(f"# {machine()}; median of {args.repeats} interleaved repeats; memory = tracemalloc peak above baseline")
    rows = [
        [
            name,
            seconds[name],
            seconds[name] / seconds[floor_name],
            seconds[name] / seconds[chunked_name],
            mib(memory[name]),
            "yes" if set(batches[name].tolist()) == reference else "NO",
        ]
        for name in methods
    ]
    print_table(["method", "median s", "x floor", "x chunked floor", "peak extra MiB", "same batch as floor"], rows)

    print("targets:")
    for name in (name for name in methods if name.startswith("alfunc") and "chunk_size" not in name):
        ratio = seconds[name] / seconds[floor_name]
        print(target(f"{name} <= 1.2x floor time", ratio <= 1.2, f"{ratio:.2f}x"))
    series_floor = next((name for name in methods if name.startswith("floor on the Series")), None)
    if series_floor is not None:
        ratio = seconds["alfunc select, pandas Series"] / seconds[series_floor]
        print(f"  [info] alfunc select, pandas Series / the floor on the same Series: {ratio:.2f}x")
    peak, chunked_peak = memory["alfunc select, list"], memory[chunked_name]
    print(
        target(
            "alfunc select, list: memory bounded by the chunk (<= 2x the chunked floor's peak)",
            peak <= 2 * chunked_peak,
            f"{mib(peak):.1f} MiB vs {mib(chunked_peak):.1f} MiB chunked, {mib(memory[floor_name]):.1f} MiB whole",
        )
    )
    if args.profile:
        print(profile_select(state, docs, k))


if __name__ == "__main__":
    main()

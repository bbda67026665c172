"""Images with precomputed embeddings
==================================

Active learning on images with precomputed embeddings, read from disk as a memmap.

The pool is scikit-learn's 8x8 digit images as they are, an array of shape
``(n, 8, 8)``; the classifier flattens them itself (a ``FunctionTransformer``
before a logistic regression). Geometry strategies do not measure distances
between raw pixels here but in an embedding computed once, before active
learning starts, the way one would with a pretrained image encoder: a small
MLP fitted on a disjoint split of 400 digits stands in for that encoder, and
its hidden layer (32 units) embeds every pool image. The embeddings are saved
as ``embeddings.npy`` in a temporary folder and opened with
``np.load(..., mmap_mode="r")``, so a large embedding table would stay on disk;
``representation=`` takes the memmap as it is (one row per pool image).

``k_center_greedy`` (core-set), ``typiclust`` (cold start) and ``badge``
(gradient embeddings: the model's uncertainty times the embedding) run in
that embedding, next to ``random`` and ``margin``; every strategy starts from
the same 10 random images under a seed, and each seed draws its own 70/30
split of the remaining images.

Prints the area under the learning curve and the final test accuracy per
strategy (mean over seeds).

    python examples/image_embeddings.py            # 3 seeds, budget 100
    python examples/image_embeddings.py --quick   # 2 seeds, budget 60
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

import alfunc as al
from alfunc.metrics import aulc, learning_curve

STRATEGIES = ("random", "margin", "k_center_greedy", "typiclust", "badge")
GEOMETRY = ("k_center_greedy", "typiclust", "badge")  # these read the embeddings
N_ENCODER = 400


def flatten(images: np.ndarray) -> np.ndarray:
    """``(n, 8, 8)`` images with pixels 0-16 to ``(n, 64)`` rows in [0, 1]."""
    return np.asarray(images, dtype=np.float64).reshape(len(images), -1) / 16.0


def image_model() -> object:
    return make_pipeline(FunctionTransformer(flatten), LogisticRegression(max_iter=1000))


def fit_encoder(images: np.ndarray, labels: np.ndarray) -> MLPClassifier:
    """The stand-in for a pretrained image encoder: a one-hidden-layer MLP fitted on images kept out of the pool."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier((32,), max_iter=300, random_state=0).fit(flatten(images), labels)


def embed(encoder: MLPClassifier, images: np.ndarray) -> np.ndarray:
    """The encoder's hidden layer (ReLU) for each image, as float32."""
    hidden = flatten(images) @ encoder.coefs_[0] + encoder.intercepts_[0]
    return np.maximum(hidden, 0.0).astype(np.float32)


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="2 seeds, budget 60 (what the tests run)")
    args = parser.parse_args(argv)
    seeds, budget = (range(2), 60) if args.quick else (range(args.seeds), args.budget)

    digits = load_digits()
    images, labels = digits.images, digits.target
    rest, encoder_part = train_test_split(np.arange(len(labels)), test_size=N_ENCODER, random_state=0)
    with threadpool_limits(limits=1):  # small fits: BLAS threads cost more than they give
        encoder = fit_encoder(images[encoder_part], labels[encoder_part])
    print(f"digits: {len(rest)} images {images.shape[1:]} for pool and test, {N_ENCODER} more fit the encoder")
    print(f"10 initial images, batches of 10 up to {budget} labels, {len(seeds)} seeds; test accuracy")

    scores_by_strategy: dict[str, list[tuple[float, float]]] = {s: [] for s in STRATEGIES}
    recorded = None
    with tempfile.TemporaryDirectory() as folder, threadpool_limits(limits=1):
        for seed in seeds:
            pool, test = train_test_split(rest, test_size=0.3, stratify=labels[rest], random_state=seed)
            path = Path(folder) / f"embeddings-{seed}.npy"
            np.save(path, embed(encoder, images[pool]))  # computed once, before active learning
            embeddings = np.load(path, mmap_mode="r")  # read from disk as needed
            for strategy in STRATEGIES:
                final = al.run(
                    images[pool],
                    labels[pool],
                    image_model(),
                    strategy,
                    n_init=10,
                    batch_size=10,
                    budget=budget,
                    X_test=images[test],
                    y_test=labels[test],
                    random_state=seed,
                    representation=embeddings if strategy in GEOMETRY else None,
                )
                n_labeled, scores = learning_curve(final.history)
                scores_by_strategy[strategy].append((aulc(n_labeled, scores), float(scores[-1])))
                if strategy in GEOMETRY:
                    recorded = final.history.info["representation"]  # a fingerprint of the embeddings
            del embeddings  # close the memmap before the folder goes

    results = {
        strategy: {"aulc": float(np.mean([a for a, _ in runs])), "final": float(np.mean([f for _, f in runs]))}
        for strategy, runs in scores_by_strategy.items()
    }
    if recorded is not None:
        print(f"each history records the embeddings as {recorded['embedding'][:12]}..., shape {recorded['shape']}")
    print(f"{'strategy':<16} {'geometry':<11} {'AULC':>6} {'final':>6}")
    for strategy, row in results.items():
        where = "embeddings" if strategy in GEOMETRY else "-"
        print(f"{strategy:<16} {where:<11} {row['aulc']:6.3f} {row['final']:6.3f}")
    return results


if __name__ == "__main__":
    main()

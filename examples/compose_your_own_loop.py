"""Compose your own loop
=====================

``alfunc.run`` is one composition of three pure steps: ``init_step`` draws
the initial labeled set, ``query_step`` (``select`` then ``teach``) labels a
batch, ``fit_step`` refits a clone of the model. Each takes a frozen state and
returns a new one, so a loop of your own is an ordinary fold
(``toolz.reduce`` for the last state, ``toolz.accumulate`` for every state)
over a step function you write.

Here the step switches strategy as the labeled set grows: k-center greedy
(diverse points, good when the model knows little) for the first rounds, then
margin sampling (points near the decision boundary). The loop stops when the
test accuracy has not improved by half a point for two rounds. Whether the
switch pays depends on the data: on these digits, margin alone is better from
the start, which is what such a comparison is for. The same seed gives the same
initial set, so the three curves in the figure (the switching loop, plain
margin and plain random, all on scikit-learn's digits with a logistic
regression) start from the same point.

    python examples/compose_your_own_loop.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import toolz  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import alfunc as al  # noqa: E402
from alfunc.metrics import learning_curve  # noqa: E402
from alfunc.stopping import Plateau  # noqa: E402

X, y = load_digits(return_X_y=True)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_pool)
X_pool, X_test = scaler.transform(X_pool), scaler.transform(X_test)
model = LogisticRegression(max_iter=1000)
BATCH, SWITCH_AT, MAX_ROUNDS = 10, 60, 25


def step(state: al.ALState, _round: int) -> al.ALState:
    """One round: diverse points while fewer than SWITCH_AT are labeled, then the most uncertain ones."""
    strategy = "k_center_greedy" if state.n_labeled < SWITCH_AT else "margin"
    asked = al.query_step(state, X_pool, y_pool, strategy, BATCH)  # select + teach, one record per round
    return al.fit_step(asked, X_pool, model, X_test, y_test)


start = al.fit_step(al.init_step(X_pool, y_pool, n_init=10, random_state=0), X_pool, model, X_test, y_test)

# %%
# Every state, lazily; ``al.until`` stops at the first state the rule accepts.
# ``Plateau`` is one of the composable rules of ``alfunc.stopping``.

states = al.until(Plateau(patience=2, min_delta=0.005), toolz.accumulate(step, range(MAX_ROUNDS), start))
final = toolz.last(states)
print(f"stopped after {final.iteration} rounds with {final.n_labeled} labels")
print("strategy per round:", " ".join(record.strategy for record in final.history))

# %%
# The same state is a plain value: it can be compared, saved, or continued by
# ``al.run`` with ``start=``. ``al.run`` with one strategy is this loop with a
# fixed step; the references below use the same seed, hence the same start.

references = {
    strategy: al.run(
        X_pool,
        y_pool,
        model,
        strategy,
        n_init=10,
        batch_size=BATCH,
        budget=final.n_labeled,
        X_test=X_test,
        y_test=y_test,
        random_state=0,
    )
    for strategy in ("margin", "random")
}
assert all(np.array_equal(r.labeled[:10], final.labeled[:10]) for r in references.values())

figure, ax = plt.subplots(figsize=(6.4, 4.2))
n_labeled, scores = learning_curve(final.history)
ax.plot(n_labeled, scores, marker="o", markersize=3, label=f"k-center until {SWITCH_AT}, then margin")
for strategy, state in references.items():
    ax.plot(*learning_curve(state.history), marker="o", markersize=3, label=strategy)
ax.axvline(SWITCH_AT, color="grey", linestyle=":", linewidth=1, label="switch to margin")
ax.set_xlabel("labeled points")
ax.set_ylabel("test accuracy")
ax.set_title("digits, logistic regression, seed 0")
ax.legend(title="strategy", loc="lower right")
ax.grid(alpha=0.3)

"""Property-testing kit for strategies and loops: the invariant suite alfunc runs on itself.

* ``check_strategy(strategy)``: runs the strategy contract (``STRATEGY_PROPERTIES``)
  on edge cases and generated states; raises ``PropertyFailed`` (an
  ``AssertionError``) naming the broken property with a shrunk example.
* ``check_loop(step, X, y)``: the same for a step function ``state -> state``
  (``LOOP_PROPERTIES``).
* hypothesis strategies ``pools()``, ``states()``, ``histories()`` for your own
  property tests, and ``CentroidClassifier``, a tiny classifier that fits any
  labeled set (``TinyRidge`` for regression).

Needs hypothesis: ``pip install "alfunc[testing]"``. Example::

    from alfunc.testing import check_strategy

    def closest_to_zero(model, X, context):
        return -np.abs(X).sum(axis=1)

    check_strategy(closest_to_zero)      # None, or AssertionError naming the property
"""

from alfunc.testing.data import Pool, histories, pools, states
from alfunc.testing.estimators import (
    CentroidClassifier,
    TinyRidge,
    default_estimator,
    fitting_estimator,
)
from alfunc.testing.loop_check import LOOP_PROPERTIES, check_loop
from alfunc.testing.report import PropertyFailed
from alfunc.testing.strategy_check import STRATEGY_PROPERTIES, check_strategy

__all__ = [
    "LOOP_PROPERTIES",
    "STRATEGY_PROPERTIES",
    "CentroidClassifier",
    "TinyRidge",
    "Pool",
    "PropertyFailed",
    "check_loop",
    "check_strategy",
    "default_estimator",
    "fitting_estimator",
    "histories",
    "pools",
    "states",
]

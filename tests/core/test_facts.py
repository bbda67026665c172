"""alfunc.core.facts: data fingerprints and run parameters as plain data."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from history_support import make_pool
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import alfunc as al
from alfunc.core import facts
from alfunc.core.frozen import FrozenMap

pools = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=40), elements=st.floats(-1e6, 1e6))


@settings(max_examples=40, deadline=None)
@given(X=pools, chunk=st.integers(1, 50))
def test_fingerprint_does_not_depend_on_the_chunk_size_and_sees_every_value(X, chunk):
    whole = facts.data_fingerprint(X)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(facts, "FINGERPRINT_CHUNK_ROWS", chunk)
        assert facts.data_fingerprint(X) == whole
        changed = X.copy()
        changed.flat[-1] += 1.0
        assert facts.data_fingerprint(changed) != whole
    assert facts.data_fingerprint(X.astype(np.float32)) != whole
    assert facts.data_fingerprint(X.reshape(1, -1)) != whole or X.shape[0] == 1  # shape is hashed too


def test_fingerprint_of_memmap_sparse_and_object_labels(tmp_path):
    X, y = make_pool(30)
    mapped = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=X.dtype, shape=X.shape)
    mapped[:] = X
    assert facts.data_fingerprint(mapped) == facts.data_fingerprint(X)
    assert facts.data_fingerprint(sp.csc_matrix(X)) == facts.data_fingerprint(sp.csr_matrix(X))
    assert facts.data_fingerprint(sp.csr_matrix(X)) != facts.data_fingerprint(X)
    words = np.array(["cat", "dog"], dtype=object)[y]
    assert facts.data_fingerprint(words) == facts.data_fingerprint(words.copy())
    assert facts.data_fingerprint(words) != facts.data_fingerprint(words[::-1])


def test_plain_data_keeps_data_and_marks_what_cannot_be_rebuilt():
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    described = facts.estimator_facts(pipeline)
    assert described["class"] == "sklearn.pipeline.Pipeline"
    steps = described["params"]["steps"]
    assert steps[1] == ("logisticregression", facts.estimator_facts(LogisticRegression(C=0.5)))
    assert facts.is_rebuildable(described)
    assert facts.plain_data(np.array([1, 2])) == (1, 2) and facts.plain_data(np.float32(0.5)) == 0.5
    assert facts.plain_data(len) == {"callable": "builtins.len"}
    seeded = facts.estimator_facts(LogisticRegression(random_state=np.random.RandomState(0)))
    assert seeded == facts.estimator_facts(LogisticRegression(random_state=np.random.RandomState(1)))
    assert seeded["params"]["random_state"] == {"object": "numpy.random.mtrand.RandomState"}
    assert not facts.is_rebuildable(seeded) and not facts.is_rebuildable((1, FrozenMap({"callable": "f"})))


def test_callable_oracle_runs_record_no_label_fingerprint():
    X, y = make_pool(40)
    state = al.init_step(X, lambda indices: y[indices], n_init=4)
    assert state.history.info["y_fingerprint"] is None
    assert state.history.info["X_fingerprint"] == facts.data_fingerprint(X)

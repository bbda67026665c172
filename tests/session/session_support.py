"""Shared pool and helpers of the session tests."""

import numpy as np
from sklearn.datasets import load_iris

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
PICK = np.r_[0:14, 50:64, 100:114]  # 42 rows, three classes
POOL, TRUTH = X_IRIS[PICK], Y_IRIS[PICK]
CLASSES = [0, 1, 2]


def snapshot(session):
    """What must survive a close and reopen: every label, what is out, skipped or unsure, the fits and the model."""
    model = session.model
    return {
        "labels": session.labels,
        "pending": session.pending,
        "skipped": session.skipped,
        "unsure": session.unsure_ids,
        "history": session.history,
        "asked": session.n_asked,
        "predictions": None if model is None else model.predict_proba(session.pool).tolist(),
    }

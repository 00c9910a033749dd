"""Right and wrong answers to chapter 05's exercises (elastic net), written without regcourse."""

import numpy as np


def elastic_net_penalty(w, l1, l2):
    w = np.asarray(w, dtype=float)
    return l1 * np.abs(w).sum() + l2 * (w**2).sum()


def elastic_net_prox(w, t, l1, l2):
    w = np.asarray(w, dtype=float)
    return np.sign(w) * np.maximum(np.abs(w) - t * l1, 0.0) / (1.0 + 2.0 * t * l2)


RIGHT = {
    "enet.penalty": elastic_net_penalty,
    "enet.prox": elastic_net_prox,
    "enet.sklearn_l1": 0.1,
    "enet.quiz_grouping": "b",
}

WRONG_CODE = {
    "enet.penalty": [
        (lambda w, l1, l2: l1 * np.abs(w).sum() + 0.5 * l2 * (np.asarray(w) ** 2).sum(), "no ½"),
        (lambda w, l1, l2: l1 * np.abs(w).sum(), "L2 penalty λ₂·Σw²"),
        (lambda w, l1, l2: l2 * (np.asarray(w) ** 2).sum() + l1 * np.sum(w), "negative weights"),
        (lambda w, l1, l2: l1 * np.abs(w).sum(axis=0) + l2 * (np.asarray(w) ** 2).sum(axis=0), "return one number"),
    ],
    "enet.prox": [
        (lambda w, t, l1, l2: np.sign(w) * np.maximum(np.abs(w) - t * l1, 0.0) / (1.0 + t * l2), "1 + 2·t·λ₂"),
        (
            lambda w, t, l1, l2: np.sign(w) * np.maximum(np.abs(w) / (1.0 + 2.0 * t * l2) - t * l1, 0.0),
            "threshold at t·λ₁ first",
        ),
        (lambda w, t, l1, l2: (w - t * l1 * np.sign(w)) / (1.0 + 2.0 * t * l2), "should become exactly 0"),
        (lambda w, t, l1, l2: np.sign(w) * np.maximum(np.abs(w) - l1, 0.0) / (1.0 + 2.0 * t * l2), "t·λ₁"),
        (lambda w, t, l1, l2: np.where(np.abs(w) <= t * l1, 0.0, w) / (1.0 + 2.0 * t * l2), "move toward 0"),
    ],
}

WRONG_VALUES = {
    "enet.sklearn_l1": [
        (0.05, "multiply by 2"),
        (0.15, "share that goes to the L1 term"),
        (0.3, "factor 2"),
        (0.2, "multiply scikit-learn's whole objective by 2"),
    ],
    "enet.quiz_grouping": [
        ("a", "only one of the two penalties"),
        ("c", "squared term is smallest"),
        ("d", "does not drop one copy"),
    ],
}

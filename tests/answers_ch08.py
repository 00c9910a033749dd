"""Right and wrong answers to chapter 08's exercises, written without regcourse (plain Python)."""

import numpy as np


def enet_from_sklearn(alpha, l1_ratio):
    # sklearn: (1/2n)‖y − Xw‖² + αρ‖w‖₁ + ½α(1 − ρ)‖w‖²; times 2 gives MSE + λ₁‖w‖₁ + λ₂‖w‖².
    return 2 * alpha * l1_ratio, alpha * (1 - l1_ratio)


def enet_to_sklearn(lam1, lam2):
    alpha = lam1 / 2 + lam2
    return np.array([alpha, lam1 / (2 * alpha)])


RIGHT = {
    "frameworks.ridge_alpha": 6,
    "frameworks.lasso_lambda": "0.6",
    "frameworks.weight_decay": 0.006,
    "frameworks.glmnet_fact": "b",
    "frameworks.enet_from_sklearn": enet_from_sklearn,
    "frameworks.enet_to_sklearn": enet_to_sklearn,
}

WRONG_CODE = {
    "frameworks.enet_from_sklearn": [
        (lambda a, r: (a * r, a * (1 - r)), "multiply sklearn's whole objective by 2"),
        (lambda a, r: (2 * a * r, 2 * a * (1 - r)), "already carries a ½"),
        (lambda a, r: (2 * a * r, a * (1 - r) / 2), "has no ½"),
        (lambda a, r: (a * (1 - r), 2 * a * r), "l1_ratio = 1"),  # swapped: fails on the pure lasso already
        (lambda a, r: (2 * a * r, 2 * a * r * 0 + a * (1 - r) * (r > 0.5)), "l1_ratio = 0"),
        (lambda a, r: (2 * a * r,), "wrong shape: expected (2,)"),
        (lambda a, r: {"l1": 2 * a * r, "l2": a * (1 - r)}, "return a NumPy array of numbers"),
    ],
    "frameworks.enet_to_sklearn": [
        (lambda l1, l2: (l1 + l2, l1 / (l1 + 2 * l2)), "forgot the ½ in front of sklearn's squared error"),
        (lambda l1, l2: (l1 / 2 + l2 / 2, l1 / (l1 + 2 * l2)), "cancel each other"),
        (lambda l1, l2: (l1 + l2, l1 / (l1 + l2)), "forgot the ½"),  # the course's strength and mix
        (lambda l1, l2: (l1 / 2 + l2, l1 / (l1 + l2)), "alpha is right"),
        (lambda l1, l2: (l1 / (l1 + 2 * l2), l1 / 2 + l2), "with λ₂ = 0 this is the Lasso"),
        (lambda l1, l2: (l1 / 2 + l2, l1 / (l1 + 2 * l2), 0.0), "wrong shape"),
    ],
}

WRONG_VALUES = {
    "frameworks.ridge_alpha": [
        (0.02, "sum of squared errors"),
        (3, "no ½"),
        (12, "no factor 2"),
        (0.02 / 300, "the other way round"),
        (600, "divide it by n"),
        ("six", "answer with a number"),
    ],
    "frameworks.lasso_lambda": [
        (0.3, "carries a ½"),
        (0.15, "multiply, don't divide"),
        (90, "already divided by n"),
        (45, "already divided by n"),
        (1.2, "multiply it until its loss is the MSE"),
    ],
    "frameworks.weight_decay": [(0.003, "classic mistake"), (0.0015, "factor 2"), (0.012, "gradient of λΣw²")],
    "frameworks.glmnet_fact": [
        ("a", "(1/2n)RSS"),
        ("c", "½ on its L2 term"),
        ("d", "never penalizes the intercept"),
        ("e", "choose from a, b, c, d"),
    ],
}

"""Right and wrong answers to chapter 09's exercises (regularized classification), written without
regcourse."""

import numpy as np


def sklearn_C(lam, n_samples, kind):
    return 1 / (2 * n_samples * lam) if kind == "l2" else 1 / (n_samples * lam)


def sklearn_C_by_objective(lam, n_samples, kind):
    """Another route: λ₁ = ρ/(Cn), λ₂ = (1 − ρ)/(2Cn), solved for C."""
    rho = 1.0 if kind == "l1" else 0.0
    return (rho + (1 - rho) / 2) / (n_samples * lam)


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def logistic_gradient(X, y, w, b, lam):
    residual = _sigmoid(X @ w + b) - y
    return X.T @ residual / len(y) + 2 * lam * w, residual.mean()


def logistic_gradient_as_list(X, y, w, b, lam):
    """The pair as a list, the bias as a 1-element array."""
    grad_w, grad_b = logistic_gradient(X, y, w, b, lam)
    return [grad_w, np.array([grad_b])]


def logistic_gradient_torch(X, y, w, b, lam):
    """Autograd on the objective itself."""
    import torch

    w = torch.tensor(w, requires_grad=True)
    b = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    z = torch.tensor(X) @ w + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y)) + lam * (w**2).sum()
    loss.backward()
    return w.grad, b.grad


def _data_part(X, y, w, b):
    return X.T @ (_sigmoid(X @ w + b) - y)


RIGHT = {
    "classify.sklearn_C": sklearn_C,
    "classify.gradient": logistic_gradient,
    "classify.pixels_used": 8,
    "classify.pixels_meaning": "c",
    "classify.separable": "c",
    "classify.strong_lambda": "b",
}

OTHER_RIGHT = {
    "classify.sklearn_C": [sklearn_C_by_objective],
    "classify.gradient": [logistic_gradient_as_list, logistic_gradient_torch],
}

WRONG_CODE = {
    "classify.sklearn_C": [
        (
            lambda lam, n, kind: 1 / (n * lam),
            "in front of scikit-learn's L2 term",
        ),  # the forgotten 2 (right for L1, wrong for L2)
        (lambda lam, n, kind: 1 / (2 * lam) if kind == "l2" else 1 / lam, "number of samples"),  # the forgotten n
        (
            lambda lam, n, kind: 1 / (2 * n * lam),
            "constants in front of the two L1 terms",
        ),  # the 2 applied to L1 as well
        (lambda lam, n, kind: 2 * n * lam if kind == "l2" else n * lam, "inverse strength"),
        (lambda lam, n, kind: 1 / (2 * n * lam) if kind == "l2" else 1 / (n * lam) + 1e-3, "kind='l1'"),
        (lambda lam, n, kind: 1 / (2 * 1000 * lam) if kind == "l2" else 1 / (1000 * lam), "not right"),
        (lambda lam, n, kind: "C", "not a str"),
    ],
    "classify.gradient": [
        (lambda X, y, w, b, lam: logistic_gradient(X, y, w, b, lam)[0], "return a pair"),
        (
            lambda X, y, w, b, lam: (_data_part(X, y, w, b) + 2 * lam * w, (_sigmoid(X @ w + b) - y).sum()),
            "n times too large",
        ),
        (
            lambda X, y, w, b, lam: (-_data_part(X, y, w, b) / len(y) + 2 * lam * w, (y - _sigmoid(X @ w + b)).mean()),
            "wrong sign",
        ),
        (
            lambda X, y, w, b, lam: (X.T @ (X @ w + b - y) / len(y) + 2 * lam * w, (X @ w + b - y).mean()),
            "apply the sigmoid",
        ),
        (
            lambda X, y, w, b, lam: (_data_part(X, y, w, b) / len(y) + lam * w, (_sigmoid(X @ w + b) - y).mean()),
            "off by a factor",
        ),
        (
            lambda X, y, w, b, lam: (_data_part(X, y, w, b) / len(y), (_sigmoid(X @ w + b) - y).mean()),
            "add its gradient",
        ),
        (
            lambda X, y, w, b, lam: (
                logistic_gradient(X, y, w, b, lam)[0],
                logistic_gradient(X, y, w, b, lam)[1] + 2 * lam * b,
            ),
            "the bias is not penalized",
        ),
        (
            lambda X, y, w, b, lam: (logistic_gradient(X, y, w, b, lam)[0], (_sigmoid(X @ w + b) - y).sum()),
            "n times too large",
        ),
        (
            lambda X, y, w, b, lam: (logistic_gradient(X, y, w, b, lam)[0], np.median(_sigmoid(X @ w + b) - y)),
            "mean of p − y",
        ),
        (lambda X, y, w, b, lam: (logistic_gradient(X, y, w, b, lam)[0], np.zeros(2)), "a single number"),
        (lambda X, y, w, b, lam: (logistic_gradient(X, y, w, b, lam)[0][:1], 0.0), "shape"),
    ],
}

WRONG_VALUES = {
    "classify.pixels_used": [
        (6, "blue pixels are used too"),
        (2, "red pixels are used too"),
        (64, "pale grey ones"),
        (56, "ignored pixels"),
        (5, "count the outlined squares"),
        (7, "faintly tinted"),
        (9, "pale grey, not white"),
        ("eight", "answer with a number, such as 12"),
    ],
    "classify.pixels_meaning": [
        ("a", "neighbouring pixels"),
        ("b", "dark in most 3s and in most 8s alike"),
        ("d", "how much ink"),
    ],
    "classify.separable": [("a", "no minimum"), ("b", "grow rather than shrink"), ("d", "keeps decreasing")],
    "classify.strong_lambda": [("a", "not penalized"), ("c", "closer together"), ("d", "how steeply")],
}

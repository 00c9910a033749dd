"""Implicit regularization in classifiers: where gradient descent points on separable data, how
label smoothing caps confidence, and dropout as an average over thinned networks.

On linearly separable data the logistic loss has no minimizer: gradient descent's weights grow
without bound, but (without an intercept, step small enough) their direction w/‖w‖ converges to the
hard-margin SVM's, min ‖w‖ subject to yᵢ·xᵢ·w ≥ 1, at the slow rate 1/log t (Soudry, Hoffer,
Nacson, Gunasekar & Srebro 2018). ``max_margin_direction`` solves that SVM through its dual.

**Label smoothing** trains a K-class classifier against the targets q = (1 − ε)·onehot + ε/K
instead of the one-hot labels (PyTorch's ``CrossEntropyLoss(label_smoothing=ε)`` and Keras's
``CategoricalCrossentropy(label_smoothing=ε)`` both spread ε/K over all K classes, the true one
included). The smoothed cross-entropy −Σₖ qₖ·log softmax(z)ₖ is smallest where softmax(z) = q, so
for ε > 0 no logit runs off to infinity: the gap between the true class's logit and any other's is
at most log((1 − ε + ε/K)/(ε/K)) at the optimum, a cap on the model's confidence.

**Dropout as an ensemble.** Each dropout mask m picks a thinned network; training samples one per
step. At evaluation PyTorch switches dropout off, which (with its 1/(1 − p) scaling of the kept
units in training) replaces the average over masks by one pass with every unit kept. For a model
that is linear in the dropped inputs the two are equal exactly (E[mⱼ]/(1 − p) = 1):
``linear_dropout_average`` sums over all 2ᵖ masks. For a network with a non-linearity after the
dropped units they differ; ``network_dropout_average`` measures by how much.
"""

from __future__ import annotations

import numpy as np

from regcourse._arrays import check_count, check_xy

__all__ = [
    "max_margin_direction",
    "logistic_gd_directions",
    "l2_logistic_direction",
    "angle_between",
    "smoothed_targets",
    "smoothed_cross_entropy",
    "optimal_logit_gap",
    "linear_dropout_average",
    "network_dropout_average",
]


def _positive(value, name: str) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def _signed_labels(y) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    values = set(np.unique(y).tolist())
    if values <= {0.0, 1.0} and len(values) == 2:
        return 2.0 * y - 1.0
    if values <= {-1.0, 1.0} and len(values) == 2:
        return y
    raise ValueError("y must hold two classes, labelled 0/1 or −1/+1")


def max_margin_direction(X, y, *, tol: float = 1e-12) -> np.ndarray:
    """The hard-margin SVM without intercept, min ‖w‖² subject to sᵢ·xᵢ·w ≥ 1 (sᵢ = ±1 from y),
    solved through its dual: max Σαᵢ − ½‖Σαᵢsᵢxᵢ‖² over α ≥ 0, w = Σαᵢsᵢxᵢ (L-BFGS-B on the bounds).
    Returns w/‖w‖. Raises if the data are not linearly separable through the origin."""
    from scipy.optimize import linprog, minimize

    X, y = check_xy(X, y)
    s = _signed_labels(y)
    Z = X * s[:, None]  # rows sᵢxᵢ
    # Feasible (some w with Z·w ≥ 1) exactly when separable through the origin; else the dual is unbounded.
    feasible = linprog(np.zeros(X.shape[1]), A_ub=-Z, b_ub=-np.ones(len(s)), bounds=[(None, None)] * X.shape[1])
    if feasible.status != 0:
        raise ValueError("the data are not linearly separable through the origin: no hard-margin solution")
    K = Z @ Z.T

    def dual(alpha):
        Ka = K @ alpha
        return 0.5 * alpha @ Ka - alpha.sum(), Ka - 1.0

    result = minimize(
        dual,
        np.zeros(len(s)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * len(s),
        options={"ftol": tol, "gtol": tol, "maxiter": 100_000, "maxfun": 1_000_000},
    )
    w = Z.T @ result.x
    margins = Z @ w
    if not np.all(np.isfinite(w)) or margins.min() < 1.0 - 1e-4:
        raise ValueError("the data are not linearly separable through the origin: no hard-margin solution")
    return w / np.linalg.norm(w)


def logistic_gd_directions(X, y, step: float, checkpoints) -> np.ndarray:
    """Gradient descent on the mean logistic loss (1/n)Σ log(1 + exp(−sᵢ·xᵢ·w)) (no intercept, no
    penalty) from w = 0; returns the weights after each number of steps in ``checkpoints``
    (increasing), one row each."""
    X, y = check_xy(X, y)
    s = _signed_labels(y)
    step = _positive(step, "step")
    marks = np.asarray(checkpoints)
    if marks.ndim != 1 or marks.size == 0 or not np.issubdtype(marks.dtype, np.integer) or np.any(np.diff(marks) <= 0):
        raise ValueError("checkpoints must be increasing positive integers")
    if marks[0] < 1:
        raise ValueError("checkpoints must be increasing positive integers")
    Z = X * s[:, None]
    n = len(s)
    w = np.zeros(X.shape[1])
    out = np.empty((marks.size, X.shape[1]))
    done = 0
    for i, target in enumerate(marks):
        for _ in range(int(target) - done):
            margins = Z @ w
            weights = 0.5 * (1.0 - np.tanh(0.5 * margins))  # σ(−m), stable for large margins
            w += step * (Z.T @ weights) / n
        done = int(target)
        out[i] = w
    return out


def l2_logistic_direction(X, y, lam: float, *, tol: float = 1e-12, max_iter: int = 200) -> np.ndarray:
    """w/‖w‖ for the minimizer of (1/n)Σ log(1 + exp(−sᵢ·xᵢ·w)) + λ‖w‖² (no intercept), by Newton's
    method (the objective is strictly convex for λ > 0). As λ → 0 on separable data this direction
    tends to the hard-margin SVM's (Rosset, Zhu & Hastie 2004)."""
    X, y = check_xy(X, y)
    s = _signed_labels(y)
    lam = _positive(lam, "lam")
    Z = X * s[:, None]
    n, p = Z.shape
    w = np.zeros(p)
    for _ in range(max_iter):
        m = Z @ w
        prob = 0.5 * (1.0 - np.tanh(0.5 * m))  # σ(−m)
        gradient = -(Z.T @ prob) / n + 2.0 * lam * w
        hessian = (Z.T * (prob * (1.0 - prob))) @ Z / n + 2.0 * lam * np.eye(p)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(gradient).max() <= tol * max(1.0, np.abs(Z).max()):
            break
    return w / np.linalg.norm(w)


def angle_between(u, v) -> float:
    """The angle between two non-zero vectors, in degrees."""
    u, v = np.asarray(u, dtype=float).ravel(), np.asarray(v, dtype=float).ravel()
    if u.shape != v.shape:
        raise ValueError(f"the vectors must have the same length, got {u.size} and {v.size}")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("the angle is undefined for a zero vector")
    a, b = u / nu, v / nv  # 2·atan2(‖a − b‖, ‖a + b‖): accurate for small angles, where arccos is not
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(a - b), np.linalg.norm(a + b))))


def _check_smoothing(eps) -> float:
    eps = float(eps)
    if not (np.isfinite(eps) and 0.0 <= eps <= 1.0):
        raise ValueError(f"eps must be in [0, 1] (the share of the target spread over the classes), got {eps!r}")
    return eps


def smoothed_targets(labels, n_classes: int, eps: float) -> np.ndarray:
    """q = (1 − ε)·onehot(labels) + ε/K, one row per label (labels 0, …, K − 1)."""
    K = check_count(n_classes, "n_classes")
    eps = _check_smoothing(eps)
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or np.any((labels < 0) | (labels >= K)):
        raise ValueError(f"labels must be integers from 0 to n_classes − 1 = {K - 1}, one per sample")
    q = np.full((labels.size, K), eps / K)
    q[np.arange(labels.size), labels] += 1.0 - eps
    return q


def smoothed_cross_entropy(logits, labels, eps: float) -> float:
    """The mean over samples of −Σₖ qₖ·log softmax(z)ₖ with q = ``smoothed_targets`` (ε = 0: the usual
    cross-entropy)."""
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"logits must be a finite 2-D array (samples × classes), got shape {z.shape}")
    q = smoothed_targets(labels, z.shape[1], eps)
    if q.shape[0] != z.shape[0]:
        raise ValueError(f"logits and labels must have the same number of samples, got {z.shape[0]} and {q.shape[0]}")
    shifted = z - z.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(q * log_softmax, axis=1)))


def optimal_logit_gap(eps: float, n_classes: int) -> float:
    """log((1 − ε + ε/K)/(ε/K)): the true class's logit minus another's where the smoothed loss of one
    sample is smallest (+inf for ε = 0: without smoothing the loss keeps falling as the gap grows)."""
    K = check_count(n_classes, "n_classes")
    if K < 2:
        raise ValueError("n_classes must be at least 2")
    eps = _check_smoothing(eps)
    if eps == 0.0:
        return float("inf")
    return float(np.log((1.0 - eps + eps / K) / (eps / K)))


def linear_dropout_average(w, b: float, x, drop: float) -> float:
    """The average of (w·(m ⊙ x))/(1 − p) + b over every mask m ∈ {0, 1}ᵖ, each unit kept with
    probability 1 − p independently: exact, by enumeration (at most 20 inputs)."""
    w, x = np.asarray(w, dtype=float).ravel(), np.asarray(x, dtype=float).ravel()
    if w.shape != x.shape:
        raise ValueError(f"w and x must have the same length, got {w.size} and {x.size}")
    if w.size > 20:
        raise ValueError(f"at most 20 inputs (2ᵖ masks are enumerated), got {w.size}")
    drop = float(drop)
    if not (np.isfinite(drop) and 0.0 <= drop < 1.0):
        raise ValueError(f"drop must be in [0, 1), got {drop!r}")
    masks = (np.arange(2**w.size)[:, None] >> np.arange(w.size)[None, :]) & 1  # every mask, one per row
    kept = masks.sum(axis=1)
    probability = (1.0 - drop) ** kept * drop ** (w.size - kept)
    outputs = (masks * x) @ w / (1.0 - drop) + float(b)
    return float(probability @ outputs)


def network_dropout_average(model, x, n_masks: int = 2000, seed: int = 0):
    """(mean, standard error, evaluation output): the model's output averaged over ``n_masks``
    dropout masks (training mode, a fresh mask per pass), and its output with dropout off
    (``model.eval()``), for the input tensor ``x``. The model's mode is restored afterwards."""
    import torch

    n_masks = check_count(n_masks, "n_masks")
    if n_masks < 2:
        raise ValueError("n_masks must be at least 2 to give a standard error")
    was_training = model.training
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(int(seed))
        with torch.no_grad():
            model.train()
            samples = torch.stack([model(x) for _ in range(n_masks)])
            model.eval()
            evaluated = model(x)
    finally:
        model.train(was_training)
        torch.random.set_rng_state(generator_state)
    mean = samples.mean(dim=0)
    error = samples.std(dim=0) / n_masks**0.5
    return mean.numpy(), error.numpy(), evaluated.numpy()

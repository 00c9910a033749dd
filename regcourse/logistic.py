"""Logistic regression under the course objective, solved from scratch.

    J(w, b) = (1/n)·Σᵢ ℓ(yᵢ, zᵢ) + l1·‖w‖₁ + l2·‖w‖²,    zᵢ = xᵢ·w + b,  yᵢ ∈ {0, 1},
    ℓ(y, z) = log(1 + eᶻ) − y·z      (the mean log-loss, PyTorch's ``BCEWithLogitsLoss``)

with the intercept b never penalized. The gradient of the mean loss is

    ∇_w = Xᵀ(σ(z) − y)/n,    ∂_b = mean(σ(z) − y),    σ(z) = 1/(1 + e⁻ᶻ),

and its Hessian is at most X̃ᵀX̃/(4n) (X̃ = X with a column of ones), so the gradient is Lipschitz
with L = ‖X̃‖₂²/(4n) + 2·l2. The solver is FISTA (proximal gradient with momentum) on (w, b): a
gradient step on the smooth part, then the penalty's proximal step on w only (soft-thresholding
then shrinking), restarted whenever the momentum points uphill (O'Donoghue and Candès' gradient
restart). It stops on the optimality (KKT) residual

    max( |∂_b|,  maxⱼ dist(−∇ⱼ − 2·l2·wⱼ, l1·∂|wⱼ|) )  ≤  tol · max(1, ‖Xᵀ(y − ȳ)‖∞/n),

which is zero exactly at the minimizer. Without a penalty on separable data there is no
minimizer (the weights grow without bound): the solver then runs out of iterations, says so with
a ConvergenceWarning, and returns ``converged=False``.

``lam_max_logistic`` is the smallest L1 strength with all weights zero, ‖Xᵀ(y − ȳ)‖∞/n (at w = 0
the best intercept is log(ȳ/(1 − ȳ)), where ∇_w = Xᵀ(ȳ − y)/n).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from regcourse._arrays import check_count, check_nonnegative, check_xy
from regcourse.penalties import Penalty

__all__ = ["check_labels", "log_loss", "sigmoid", "lam_max_logistic", "fit_logistic", "kkt_residual_logistic"]


def check_labels(y: np.ndarray) -> np.ndarray:
    """y as a float array of 0s and 1s with both classes present, or a ValueError naming y."""
    values = np.unique(y)
    if not np.all(np.isin(values, (0.0, 1.0))):
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (", ..." if values.size > 5 else "")
        raise ValueError(f"y must hold class labels 0 and 1 for loss='logistic', got the values {shown}")
    if values.size < 2:
        raise ValueError(f"y must contain both classes (0 and 1) for loss='logistic', got only {values[0]:g}")
    return y


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ), without overflow for large |z|."""
    out = np.empty_like(z, dtype=float)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out


def log_loss(y: np.ndarray, z: np.ndarray) -> float:
    """The mean log-loss (1/n)·Σ [log(1 + e^zᵢ) − yᵢzᵢ], computed stably."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def lam_max_logistic(X, y) -> float:
    """‖Xᵀ(y − ȳ)‖∞/n: from this L1 strength up, every weight is zero (the intercept is logit ȳ)."""
    X, y = check_xy(X, y)
    check_labels(y)
    return float(np.max(np.abs(X.T @ (y - y.mean()))) / X.shape[0])


def _gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float):
    residual = sigmoid(X @ w + b) - y
    n = X.shape[0]
    return X.T @ residual / n, float(residual.mean())


def kkt_residual_logistic(X, y, w, b, pen: Penalty) -> float:
    """How far (w, b) is from optimal: the largest distance between −∇ and the subdifferential."""
    grad_w, grad_b = _gradients(X, y, w, b)
    smooth = grad_w + 2.0 * pen.l2_coef * w
    l1 = pen.l1_coef
    on_support = w != 0
    per_weight = np.where(on_support, np.abs(smooth + l1 * np.sign(w)), np.maximum(np.abs(smooth) - l1, 0.0))
    return float(max(abs(grad_b), per_weight.max(initial=0.0)))


def _prox(w: np.ndarray, step: float, pen: Penalty) -> np.ndarray:
    """argmin_v ‖v − w‖²/(2·step) + l1‖v‖₁ + l2‖v‖²: threshold, then shrink."""
    thresholded = np.sign(w) * np.maximum(np.abs(w) - step * pen.l1_coef, 0.0)
    return thresholded / (1.0 + 2.0 * step * pen.l2_coef)


def fit_logistic(
    X, y, pen: Penalty, *, tol: float = 1e-8, max_iter: int = 100_000, coef_init=None, intercept_init=None
):
    """Minimize the mean log-loss + pen(w) over (w, b); returns (coef, intercept, n_iter, converged).

    ``coef_init``/``intercept_init`` warm-start the solver (a path passes the previous solution).
    """
    X, y = check_xy(X, y)
    check_labels(y)
    check_nonnegative(tol, "tol")
    if tol == 0:
        raise ValueError("tol must be positive")
    max_iter = check_count(max_iter, "max_iter")
    n, p = X.shape
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=float)
    ybar = float(np.clip(y.mean(), 1e-12, 1 - 1e-12))
    b = math.log(ybar / (1 - ybar)) if intercept_init is None else float(intercept_init)

    # ‖X̃‖₂² by the largest eigenvalue of the (p+1)×(p+1) or n×n Gram matrix, whichever is smaller.
    X_tilde = np.hstack([X, np.ones((n, 1))])
    gram = X_tilde.T @ X_tilde if p + 1 <= n else X_tilde @ X_tilde.T
    lipschitz = float(np.linalg.eigvalsh(gram)[-1]) / (4.0 * n) + 2.0 * pen.l2_coef
    step = 1.0 / lipschitz
    goal = tol * max(1.0, float(np.max(np.abs(X.T @ (y - y.mean())))) / n)

    w_prev, b_prev = w.copy(), b
    v_w, v_b, t = w.copy(), b, 1.0
    residual = math.inf
    for it in range(1, max_iter + 1):
        grad_w, grad_b = _gradients(X, y, v_w, v_b)
        w_new = _prox(v_w - step * grad_w, step, pen)
        b_new = v_b - step * grad_b
        # Gradient restart: momentum that points uphill is dropped.
        if np.dot(v_w - w_new, w_new - w) + (v_b - b_new) * (b_new - b) > 0:
            t = 1.0
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum = (t - 1.0) / t_next
        w_prev, b_prev, w, b = w, b, w_new, b_new
        v_w = w + momentum * (w - w_prev)
        v_b = b + momentum * (b - b_prev)
        t = t_next
        if it % 10 == 0 or it == max_iter:
            residual = kkt_residual_logistic(X, y, w, b, pen)
            if residual <= goal:
                return w, b, it, True
            if not (np.all(np.isfinite(w)) and math.isfinite(b)):
                raise FloatingPointError("the logistic solver diverged (non-finite weights); check X's scale")
    from regcourse.linear import ConvergenceWarning

    warnings.warn(
        f"logistic regression did not converge in max_iter={max_iter} iterations (KKT residual "
        f"{residual:.2e} > {goal:.2e}); with no or a tiny penalty on separable classes no minimizer "
        f"exists and the weights keep growing",
        ConvergenceWarning,
        stacklevel=2,
    )
    return w, b, max_iter, False

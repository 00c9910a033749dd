"""The first logistic solver, kept for teaching and comparison (``solver="fista"``): FISTA,
proximal gradient with momentum, on (w, b).

A gradient step on the mean log-loss, then the penalty's proximal step on w only
(soft-thresholding, then shrinking by 1/(1 + 2·step·l2)), with step 1/L,

    L = ‖X̃‖₂²/(4n) + 2·l2     (X̃ = [X, 1]; the log-loss's curvature is at most 1/4),

restarted whenever the momentum points uphill (O'Donoghue and Candès' gradient restart). It
stops on the KKT residual (``logistic.kkt_residual_logistic``) ≤ ``goal``, checked every 10 steps.
"""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.datafits import Logistic

__all__ = ["fista_logistic"]


def _prox(w: np.ndarray, step: float, l1: float, l2: float) -> np.ndarray:
    """argmin_v ‖v − w‖²/(2·step) + l1‖v‖₁ + l2‖v‖²: threshold, then shrink."""
    return np.sign(w) * np.maximum(np.abs(w) - step * l1, 0.0) / (1.0 + 2.0 * step * l2)


def fista_logistic(X, y, l1, l2, w, b, *, fit_intercept, goal, max_iter, kkt):
    """Minimize the mean log-loss + l1‖w‖₁ + l2‖w‖² from (w, b) by restarted FISTA; returns
    (w, b, n_iter, converged, residual). ``kkt(w, b)`` is the stopping certificate."""
    n, p = X.shape
    datafit = Logistic(y)
    X_tilde = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    gram = X_tilde.T @ X_tilde if X_tilde.shape[1] <= n else X_tilde @ X_tilde.T
    step = 1.0 / (float(np.linalg.eigvalsh(gram)[-1]) / (4.0 * n) + 2.0 * l2)
    v_w, v_b, t = w.copy(), b, 1.0
    residual = math.inf
    for it in range(1, max_iter + 1):
        r = datafit.residual(X @ v_w + v_b)
        w_new = _prox(v_w - step * (X.T @ r), step, l1, l2)
        b_new = v_b - step * float(r.sum()) if fit_intercept else 0.0
        if np.dot(v_w - w_new, w_new - w) + (v_b - b_new) * (b_new - b) > 0:  # uphill momentum: drop it
            t = 1.0
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum = (t - 1.0) / t_next
        w_prev, b_prev, w, b = w, b, w_new, b_new
        v_w = w + momentum * (w - w_prev)
        v_b = b + momentum * (b - b_prev)
        t = t_next
        if it % 10 == 0 or it == max_iter:
            residual = kkt(w, b)
            if residual <= goal:
                return w, b, it, True, residual
            if not (np.all(np.isfinite(w)) and math.isfinite(b)):
                raise FloatingPointError("the logistic solver diverged (non-finite weights); check X's scale")
    return w, b, max_iter, False, residual

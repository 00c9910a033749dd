"""Implicit regularization: what the optimizer itself chooses when the loss alone does not decide.

Least squares with more features than samples (p > n) has infinitely many exact fits. Gradient
descent on the course's MSE, (1/n)‖y − Xw‖² (no intercept here: centre X and y first), started at
w₀ = 0 with a step η < 1/s_max (s_max the largest eigenvalue of XᵀX/n), never leaves the row space
of X, because every gradient (2/n)Xᵀ(Xw − y) lies in it. The one interpolating solution in the row
space is the **minimum-norm** one, X⁺y (the pseudo-inverse), so that is where it converges; it is
also ridge's limit as λ → 0. A start outside the row space keeps its component orthogonal to it.

For isotropic Gaussian features (x ~ N(0, I_p)), y = x·β + ε with Var ε = σ² and ‖β‖² = r², as
n, p → ∞ with p/n → γ, the excess risk E[(x₀·(ŵ − β))²] of the minimum-norm solution tends to
(Hastie, Montanari, Rosset & Tibshirani 2019, Theorems 1–2)

    σ²·γ/(1 − γ)                      for γ < 1,
    r²·(1 − 1/γ) + σ²/(γ − 1)         for γ > 1,

infinite at the interpolation threshold γ = 1 and falling again above it: **double descent**.
``min_norm_risk`` evaluates it; ``min_norm_risk_simulated`` measures it at finite n.

The classification side (gradient descent on separable data and the max-margin direction, label
smoothing, dropout as an ensemble) lives in ``regcourse.implicit_classification`` and is
re-exported here, so ``from regcourse import implicit`` gives the whole chapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regcourse._arrays import check_count, check_xy
from regcourse.implicit_classification import (  # the classification side, re-exported; _positive shared
    _positive,
    angle_between,
    l2_logistic_direction,
    linear_dropout_average,
    logistic_gd_directions,
    max_margin_direction,
    network_dropout_average,
    optimal_logit_gap,
    smoothed_cross_entropy,
    smoothed_targets,
)

__all__ = [
    "gd_least_squares",
    "gd_least_squares_iterates",
    "min_norm_solution",
    "min_norm_risk",
    "MinNormRisk",
    "min_norm_risk_simulated",
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


def min_norm_solution(X, y) -> np.ndarray:
    """X⁺y: the least-squares solution of smallest norm (the exact fit of smallest norm when p ≥ n
    and X has full row rank)."""
    X, y = check_xy(X, y)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def gd_least_squares(X, y, step: float, n_steps: int, w0=None) -> np.ndarray:
    """Gradient descent on (1/n)‖y − Xw‖² (no intercept): wₖ = wₖ₋₁ − η·(2/n)Xᵀ(Xwₖ₋₁ − y), from
    ``w0`` (default 0); returns w after ``n_steps`` steps. Stable for η < 1/s_max(XᵀX/n)."""
    X, y = check_xy(X, y)
    step = _positive(step, "step")
    n_steps = check_count(n_steps, "n_steps")
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w0 must have one entry per column of X ({X.shape[1]}), got shape {w.shape}")
    scale = 2.0 * step / X.shape[0]
    for _ in range(n_steps):
        w -= scale * (X.T @ (X @ w - y))
    return w


def min_norm_risk(gamma, snr_r2: float, noise_var: float):
    """The limiting excess risk of minimum-norm least squares on isotropic features (HMRT 2019):
    σ²γ/(1 − γ) for γ < 1, r²(1 − 1/γ) + σ²/(γ − 1) for γ > 1, +inf at γ = 1. ``snr_r2`` is r² = ‖β‖²,
    ``noise_var`` is σ². ``gamma`` (= p/n > 0) may be an array."""
    g = np.asarray(gamma, dtype=float)
    if np.any(~np.isfinite(g)) or np.any(g <= 0):
        raise ValueError("gamma must be finite and > 0 (the ratio p/n)")
    r2 = float(snr_r2)
    if not (np.isfinite(r2) and r2 >= 0):
        raise ValueError(f"snr_r2 must be a finite number >= 0 (‖β‖²), got {snr_r2!r}")
    s2 = float(noise_var)
    if not (np.isfinite(s2) and s2 >= 0):
        raise ValueError(f"noise_var must be a finite number >= 0 (σ²), got {noise_var!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        below = s2 * g / (1.0 - g)
        above = r2 * (1.0 - 1.0 / g) + s2 / (g - 1.0)
    risk = np.where(g < 1.0, below, np.where(g > 1.0, above, np.inf))
    return float(risk) if risk.ndim == 0 else risk


@dataclass(frozen=True)
class MinNormRisk:
    """Per p: the mean excess risk ‖ŵ − β‖² over the simulations and its standard error."""

    n_samples: int
    n_features: np.ndarray
    risk: np.ndarray
    standard_error: np.ndarray


def min_norm_risk_simulated(
    n_samples: int,
    n_features,
    *,
    snr_r2: float = 1.0,
    noise_var: float = 0.25,
    n_sims: int = 50,
    seed: int = 0,
    ridge_lam=None,
) -> MinNormRisk:
    """Simulate the model of ``min_norm_risk`` at finite n: X with N(0, 1) entries, β uniform on the
    sphere of radius r, y = Xβ + ε; ŵ = X⁺y; excess risk ‖ŵ − β‖² (exact for isotropic x₀).

    ``ridge_lam`` fits ridge instead, ŵ = (XᵀX + nλI)⁻¹Xᵀy under the course's objective, with λ a
    number or a function of p ("tuned": λ = σ²p/(n·r²), the posterior mean when β ~ N(0, r²/p·I))."""
    from regcourse.selection import check_seed  # selection imports linear; keep this module light

    n = check_count(n_samples, "n_samples")
    ps = np.atleast_1d(np.asarray(n_features))
    if ps.ndim != 1 or not np.issubdtype(ps.dtype, np.integer) or np.any(ps < 1):
        raise ValueError("n_features must be positive integers")
    n_sims = check_count(n_sims, "n_sims")
    if n_sims < 2:
        raise ValueError("n_sims must be at least 2 to give a standard error")
    r = np.sqrt(float(snr_r2))
    sigma = np.sqrt(float(noise_var))
    rng = np.random.default_rng(check_seed(seed))
    means, errors = np.empty(ps.size), np.empty(ps.size)
    for k, p in enumerate(ps):
        risks = np.empty(n_sims)
        for s in range(n_sims):
            X = rng.standard_normal((n, int(p)))
            beta = rng.standard_normal(int(p))
            beta *= r / np.linalg.norm(beta)
            y = X @ beta + sigma * rng.standard_normal(n)
            if ridge_lam is None:
                estimate = np.linalg.lstsq(X, y, rcond=None)[0]
            else:
                lam = float(ridge_lam(int(p)) if callable(ridge_lam) else ridge_lam)
                if not (np.isfinite(lam) and lam > 0):
                    raise ValueError(f"ridge_lam must give a finite λ > 0, got {lam!r} for p = {p}")
                estimate = _ridge_no_intercept(X, y, lam)
            risks[s] = float(np.sum((estimate - beta) ** 2))
        means[k], errors[k] = risks.mean(), risks.std(ddof=1) / np.sqrt(n_sims)
    return MinNormRisk(n, ps.astype(int), means, errors)


def _ridge_no_intercept(X, y, lam: float) -> np.ndarray:
    """(XᵀX + nλI)⁻¹Xᵀy, through the smaller of the two Gram matrices."""
    n, p = X.shape
    if p <= n:
        return np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y)
    return X.T @ np.linalg.solve(X @ X.T + n * lam * np.eye(n), y)


def gd_least_squares_iterates(X, y, step: float, checkpoints, w0=None) -> np.ndarray:
    """``gd_least_squares``'s weights after each number of steps in ``checkpoints`` (increasing
    positive integers), one row each."""
    marks = np.asarray(checkpoints)
    if marks.ndim != 1 or marks.size == 0 or not np.issubdtype(marks.dtype, np.integer) or np.any(marks < 1):
        raise ValueError("checkpoints must be increasing positive integers")
    if np.any(np.diff(marks) <= 0):
        raise ValueError("checkpoints must be increasing positive integers")
    rows, w, done = [], w0, 0
    for target in marks:
        w = gd_least_squares(X, y, step, int(target) - done, w0=w) if target > done else w
        done = int(target)
        rows.append(np.array(w, dtype=float))
    return np.array(rows)

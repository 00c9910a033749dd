"""Shared by the squared-loss solver tests: the course objective and its KKT residual computed
independently of regcourse, and an AR(1) design (correlated neighbouring columns)."""

from __future__ import annotations

import numpy as np


def ar1_columns(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    """n×p features with corr(xᵢ, xⱼ) = ρ^|i−j|: each column ρ·previous + √(1 − ρ²)·noise."""
    X = np.empty((n, p))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return X


def objective(X, y, coef, lam, rho):
    """The course objective MSE + ρλ‖w‖₁ + (1 − ρ)λ‖w‖², intercept profiled out."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    residual = yc - Xc @ coef
    return residual @ residual / len(y) + rho * lam * np.abs(coef).sum() + (1 - rho) * lam * coef @ coef


def kkt(X, y, coef, lam, rho):
    """Largest violation of 0 ∈ ∇MSE + ρλ·∂‖w‖₁ + 2(1 − ρ)λw, relative to max|∇MSE(0)|."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n = len(y)
    g = -(2.0 / n) * Xc.T @ (yc - Xc @ coef) + 2.0 * (1 - rho) * lam * coef
    violation = np.where(coef != 0, np.abs(g + rho * lam * np.sign(coef)), np.maximum(np.abs(g) - rho * lam, 0.0))
    return violation.max() / (2.0 / n * np.abs(Xc.T @ yc).max())

"""Datafits: the data term of the objective, as plug-ins for the second-order solvers.

A datafit is a loss of the linear predictor z = X·w + b, written per sample and averaged,

    F(z) = (1/n)·Σᵢ ℓ(yᵢ, zᵢ),

and tells a solver four things about it (``prox_newton`` and ``smooth_newton`` need nothing else):

    value(z)             F(z)
    residual(z)          ∂F/∂z = ℓ'(yᵢ, zᵢ)/n        (so ∇_w = Xᵀ·residual, ∂_b = Σ residual)
    hessian_weights(z)   ∂²F/∂zᵢ² = ℓ''(yᵢ, zᵢ)/n    (so ∇²_w = Xᵀ·diag(weights)·X)
    null_predictor()     the best constant z with w = 0 (the intercept's starting value)
    unbounded(z)         True when z shows the infimum is not attained (separable classes)

The logistic loss ℓ(y, z) = log(1 + eᶻ) − y·z (labels 0/1) has ℓ' = σ(z) − y and
ℓ'' = σ(z)(1 − σ(z)) ≤ 1/4; the squared loss ℓ(y, z) = (y − z)² has ℓ' = 2(z − y), ℓ'' = 2.
This module imports NumPy only, so any part of ``regcourse`` may import it.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Logistic", "Quadratic", "check_labels", "sigmoid", "log_loss"]


def check_labels(y: np.ndarray) -> np.ndarray:
    """y as a float array of 0s and 1s with both classes present, or a ValueError naming y."""
    values = np.unique(y)
    if not np.all(np.isin(values, (0.0, 1.0))):
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (", ..." if values.size > 5 else "")
        raise ValueError(f"y must hold class labels 0 and 1 for loss='logistic', got the values {shown}")
    if values.size < 2:
        raise ValueError(f"y must contain both classes (0 and 1) for loss='logistic', got only {values[0]:g}")
    return y


def _both_sides(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ(z), σ(−z)) = (σ(z), 1 − σ(z)), each accurate to the last bit (no 1 − σ cancellation)."""
    e = np.exp(-np.abs(z))
    inverse = 1.0 / (1.0 + e)
    big = e * inverse  # the smaller of the two
    positive = z >= 0
    return np.where(positive, inverse, big), np.where(positive, big, inverse)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ), without overflow for large |z|."""
    return _both_sides(np.asarray(z, dtype=float))[0]


def log_loss(y: np.ndarray, z: np.ndarray) -> float:
    """The mean log-loss (1/n)·Σ [log(1 + e^zᵢ) − yᵢzᵢ], computed stably."""
    return float(np.sum(np.logaddexp(0.0, z) - y * z)) / len(z)


class Logistic:
    """The mean log-loss (1/n)·Σ[log(1 + e^zᵢ) − yᵢzᵢ] of labels yᵢ ∈ {0, 1}."""

    name = "logistic"
    curvature_bound = 0.25  # max ℓ'': the Lipschitz constant of ∇F is ‖X̃‖₂²/(4n)

    def __init__(self, y: np.ndarray):
        self.y = np.asarray(y, dtype=float)
        self.n = self.y.size
        self._positive = self.y == 1.0

    def value(self, z: np.ndarray) -> float:
        return log_loss(self.y, z)

    def residual(self, z: np.ndarray) -> np.ndarray:
        """(σ(z) − y)/n, as −σ(−z)/n where y = 1 (exact even where σ(z) rounds to 1)."""
        p, q = _both_sides(z)
        return np.where(self._positive, -q, p) / self.n

    def hessian_weights(self, z: np.ndarray) -> np.ndarray:
        p, q = _both_sides(z)
        return p * q / self.n

    def null_predictor(self) -> float:
        """logit ȳ: the intercept with every weight 0 (ȳ clipped away from 0 and 1)."""
        ybar = float(np.clip(self.y.mean(), 1e-12, 1 - 1e-12))
        return math.log(ybar / (1.0 - ybar))

    def unbounded(self, z: np.ndarray) -> bool:
        """Every sample on its side of z = 0: scaling (w, b) up lowers F towards 0, never reaching it."""
        return bool(np.all(np.where(self._positive, z, -z) > 0.0))


class Quadratic:
    """The mean squared error (1/n)·Σ(yᵢ − zᵢ)² (the course's regression loss)."""

    name = "squared"
    curvature_bound = 2.0

    def __init__(self, y: np.ndarray):
        self.y = np.asarray(y, dtype=float)
        self.n = self.y.size

    def value(self, z: np.ndarray) -> float:
        return float(np.mean((self.y - z) ** 2))

    def residual(self, z: np.ndarray) -> np.ndarray:
        return 2.0 * (z - self.y) / self.n

    def hessian_weights(self, z: np.ndarray) -> np.ndarray:
        return np.full(self.n, 2.0 / self.n)

    def null_predictor(self) -> float:
        return float(self.y.mean())

    def unbounded(self, z: np.ndarray) -> bool:
        return False

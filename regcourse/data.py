"""Small, seeded, offline data for the course.

* ``make_sparse_regression``: y = X·w + b + noise with a known sparse w and features whose
  pairwise correlation you choose: xᵢⱼ = √(1 − ρ)·zᵢⱼ + √ρ·uᵢ, with zᵢⱼ and uᵢ independent
  standard normal, so every feature is standard normal and every pair has correlation ρ.
* ``make_polynomial``: 1-D data from a smooth curve that no low-degree polynomial matches,
  y = sin(2πx)·(1 − x²/2) + noise on x ∈ [−1, 1], for watching high degrees overfit.
* ``load_diabetes``: the 442-patient diabetes data shipped with scikit-learn (no download).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Regression", "Polynomial", "make_sparse_regression", "make_polynomial", "polynomial_features",
           "load_diabetes"]


@dataclass(frozen=True)
class Regression:
    """A regression data set. ``coef`` and ``intercept`` are the truth when it is known (else None)."""

    X: np.ndarray
    y: np.ndarray
    coef: np.ndarray | None
    intercept: float | None
    feature_names: list = field(default_factory=list)


@dataclass(frozen=True)
class Polynomial:
    """1-D data: inputs ``x`` (sorted), targets ``y`` and the noise-free ``truth(x)``."""

    x: np.ndarray
    y: np.ndarray
    noise: float

    @staticmethod
    def truth(x):
        """The curve the data come from: sin(2πx)·(1 − x²/2)."""
        x = np.asarray(x, dtype=float)
        return np.sin(2.0 * math.pi * x) * (1.0 - 0.5 * x**2)


def _count(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _nonnegative(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def make_sparse_regression(n_samples: int = 100, n_features: int = 20, n_informative: int = 5, *,
                           correlation: float = 0.0, noise: float = 1.0, intercept: float = 0.0,
                           seed: int = 0) -> Regression:
    """y = X·w + intercept + ε with exactly ``n_informative`` non-zero weights (the first ones).

    Features are standard normal with pairwise correlation ``correlation`` ∈ [0, 1); the
    non-zero weights are ±(1 … 3), random in size and sign; ε ~ N(0, noise²).
    """
    n = _count(n_samples, "n_samples", 2)
    p = _count(n_features, "n_features")
    k = _count(n_informative, "n_informative", 0)
    if k > p:
        raise ValueError(f"n_informative must be <= n_features = {p}, got {k}")
    rho = _nonnegative(correlation, "correlation")
    if rho >= 1.0:
        raise ValueError(f"correlation must lie in [0, 1), got {correlation!r}")
    noise = _nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    X = math.sqrt(1.0 - rho) * rng.standard_normal((n, p)) + math.sqrt(rho) * rng.standard_normal((n, 1))
    coef = np.zeros(p)
    coef[:k] = rng.uniform(1.0, 3.0, k) * rng.choice([-1.0, 1.0], k)
    y = X @ coef + float(intercept) + noise * rng.standard_normal(n)
    return Regression(X, y, coef, float(intercept), [f"x{j + 1}" for j in range(p)])


def make_polynomial(n_samples: int = 30, *, noise: float = 0.3, seed: int = 0) -> Polynomial:
    """``n_samples`` points x uniform on [−1, 1] (sorted), y = truth(x) + N(0, noise²)."""
    n = _count(n_samples, "n_samples", 2)
    noise = _nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    return Polynomial(x, Polynomial.truth(x) + noise * rng.standard_normal(n), noise)


def polynomial_features(x, degree: int) -> np.ndarray:
    """The (n, degree) matrix [x, x², …, x^degree]; no constant column (the intercept is fitted apart)."""
    degree = _count(degree, "degree")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    return x[:, None] ** np.arange(1, degree + 1)[None, :]


def load_diabetes() -> Regression:
    """scikit-learn's diabetes data: 442 patients, 10 baseline variables (age, sex, body-mass index,
    blood pressure, six blood serum measurements s1–s6, each centred and scaled), and a measure
    of disease progression one year later. No download: the file ships with scikit-learn."""
    from sklearn.datasets import load_diabetes as sklearn_diabetes

    bunch = sklearn_diabetes()
    return Regression(np.asarray(bunch.data, dtype=float), np.asarray(bunch.target, dtype=float), None, None,
                      list(bunch.feature_names))

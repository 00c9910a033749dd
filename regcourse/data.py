"""Small, seeded, offline data for the course.

* ``make_sparse_regression``: y = X·w + b + ε with a known sparse w and features whose pairwise
  correlation you choose. Row i is xᵢⱼ = √(1 − ρ)·zᵢⱼ + √ρ·uᵢ with zᵢⱼ, uᵢ independent N(0, 1):
  every feature is N(0, 1) and every pair has correlation ρ (uᵢ is a factor all features share).
* ``make_grouped_regression``: a group of near-copies of one signal (correlation ρ within the
  group) that all matter equally, plus independent features of which one matters: the data on
  which lasso and elastic net part ways (chapter 05).
* ``make_categorical_regression``: categorical features one-hot coded (one column per level but
  the first) beside numeric ones, where only the first categorical feature and the first two
  numeric ones matter: the data on which the group lasso keeps or drops a feature's levels
  together (chapter 12).
* ``make_polynomial`` and ``polynomial_features``: 1-D data from the smooth curve
  f(x) = sin(2x) + ½·cos(3x) on [−1, 1], which no polynomial matches exactly: on 30 noisy points
  degree 1 underfits, degree 3 fits well and degree 15 chases the noise.
* ``load_diabetes``: the 442-patient diabetes data that ships with scikit-learn (no download).
* ``make_two_blobs``: two Gaussian classes in the plane, labels 0/1, separable by a line when
  ``separation`` is large (where unpenalized logistic regression has no minimizer).
* ``load_digits_pair``: two digits of scikit-learn's 8×8 handwritten digits (no download), pixels
  scaled to [0, 1], labels 0/1: the data on which an L1 penalty picks pixels.

The same seed gives the same data on every machine (NumPy's ``default_rng``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from regcourse._arrays import as_real_number, as_weights, check_nonnegative, is_tensor

__all__ = [
    "Regression",
    "Polynomial",
    "make_sparse_regression",
    "make_grouped_regression",
    "make_categorical_regression",
    "make_polynomial",
    "polynomial_features",
    "polynomial_design",
    "load_diabetes",
    "Classification",
    "make_two_blobs",
    "load_digits_pair",
]


@dataclass(frozen=True)
class Regression:
    """A regression data set: features ``X`` (n × p), targets ``y`` (n,) and, when known, the truth.

    ``coef`` (p,) and ``intercept`` are the weights the targets were made from, y = X·coef +
    intercept + noise, for synthetic data; for real data nobody knows them and both are None.
    ``feature_names`` defaults to ("x1", …, "xp").
    """

    X: np.ndarray
    y: np.ndarray
    coef: np.ndarray | None = None
    intercept: float | None = 0.0
    feature_names: tuple[str, ...] = ()

    def __post_init__(self):
        names = tuple(self.feature_names) or tuple(f"x{j + 1}" for j in range(self.X.shape[1]))
        if len(names) != self.X.shape[1]:
            raise ValueError(f"feature_names must name the {self.X.shape[1]} columns of X, got {len(names)} names")
        object.__setattr__(self, "feature_names", names)


@dataclass(frozen=True)
class Polynomial:
    """1-D data: inputs ``x`` (sorted), targets ``y = truth(x) + noise`` and the noise level."""

    x: np.ndarray
    y: np.ndarray
    noise: float

    @staticmethod
    def truth(x) -> np.ndarray:
        """The noise-free curve f(x) = sin(2x) + ½·cos(3x)."""
        x = np.asarray(x, dtype=float)
        return np.sin(2.0 * x) + 0.5 * np.cos(3.0 * x)


def _integer(value, name: str, minimum: int) -> int:
    """An int ≥ minimum: TypeError for something that is not an integer, ValueError when too small."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def make_sparse_regression(
    n_samples: int = 100,
    n_features: int = 20,
    n_informative: int = 5,
    *,
    correlation: float = 0.0,
    noise: float = 1.0,
    intercept: float = 0.0,
    seed: int = 0,
) -> Regression:
    """Synthetic data with a known sparse truth: y = X·w + intercept + ε.

    * X (n × p): xᵢⱼ = √(1 − ρ)·zᵢⱼ + √ρ·uᵢ, with zᵢⱼ, uᵢ ~ N(0, 1) independent and
      ρ = ``correlation`` ∈ [0, 1). So xᵢⱼ ~ N(0, 1) and corr(xⱼ, xₖ) = ρ for j ≠ k.
    * w (p,): exactly ``n_informative`` non-zero weights, on the first features, each
      ±U(1, 3) (random size and sign); the rest are 0.
    * ε ~ N(0, noise²), independent of X.
    """
    n = _integer(n_samples, "n_samples", 2)
    p = _integer(n_features, "n_features", 1)
    k = _integer(n_informative, "n_informative", 0)
    if k > p:
        raise ValueError(f"n_informative must be <= n_features = {p}, got {k}")
    rho = as_real_number(correlation, "correlation")
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"correlation must lie in [0, 1) (1 would make every feature the same), got {rho}")
    noise = check_nonnegative(noise, "noise")
    intercept = as_real_number(intercept, "intercept")
    rng = np.random.default_rng(_integer(seed, "seed", 0))

    shared = rng.standard_normal((n, 1))
    X = math.sqrt(1.0 - rho) * rng.standard_normal((n, p)) + math.sqrt(rho) * shared
    coef = np.zeros(p)
    coef[:k] = rng.uniform(1.0, 3.0, k) * rng.choice([-1.0, 1.0], k)
    y = X @ coef + intercept + noise * rng.standard_normal(n)
    return Regression(X, y, coef, intercept)


def make_grouped_regression(
    n_samples: int = 50,
    group_size: int = 3,
    n_other: int = 5,
    *,
    within_correlation: float = 0.97,
    group_weight: float = 0.7,
    other_weight: float = 1.0,
    noise: float = 0.5,
    seed: int = 1,
) -> Regression:
    """Correlated groups made to order: y = X·w + ε with a group of near-identical features.

    * The first ``group_size`` columns share one latent signal uᵢ: xᵢⱼ = √ρ·uᵢ + √(1 − ρ)·zᵢⱼ,
      ρ = ``within_correlation``, so each is N(0, 1) and corr(xⱼ, xₖ) = ρ inside the group.
    * The next ``n_other`` columns are independent N(0, 1).
    * w: ``group_weight`` on every group member (they matter equally), ``other_weight`` on the
      first other column, 0 on the rest. ε ~ N(0, noise²).

    Features are named g1, g2, … for the group and x1, x2, … for the others.
    """
    n = _integer(n_samples, "n_samples", 2)
    g = _integer(group_size, "group_size", 1)
    k = _integer(n_other, "n_other", 0)
    rho = as_real_number(within_correlation, "within_correlation")
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"within_correlation must lie in [0, 1) (1 would make the copies identical), got {rho}")
    group_weight = as_real_number(group_weight, "group_weight")
    other_weight = as_real_number(other_weight, "other_weight")
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(_integer(seed, "seed", 0))

    shared = rng.standard_normal((n, 1))
    group = math.sqrt(rho) * shared + math.sqrt(1.0 - rho) * rng.standard_normal((n, g))
    X = np.hstack([group, rng.standard_normal((n, k))])
    coef = np.zeros(g + k)
    coef[:g] = group_weight
    if k:
        coef[g] = other_weight
    y = X @ coef + noise * rng.standard_normal(n)
    names = tuple(f"g{j + 1}" for j in range(g)) + tuple(f"x{j + 1}" for j in range(k))
    return Regression(X, y, coef, 0.0, names)


def make_categorical_regression(
    n_samples: int = 120, levels=(4, 6), n_numeric: int = 4, *, noise: float = 1.0, seed: int = 0
) -> Regression:
    """Categorical and numeric features: y = X·w + ε, with X one-hot coded.

    * Categorical feature j (named c1, c2, …) takes ``levels[j]`` levels 1, 2, …, uniformly at
      random; it becomes one 0/1 column per level but the first (the reference level, absorbed by
      the intercept), named ``"c1=2"``, ``"c1=3"``, ….
    * The ``n_numeric`` numeric features x1, x2, … are independent N(0, 1).
    * w: each level of c1 but the reference has an effect ±U(1, 2) (its difference from level 1);
      x1 and x2 have weights ±U(1, 2); every other column has weight 0. ε ~ N(0, noise²).

    The group of a column is its name up to "=" (``[name.split("=")[0] for name in feature_names]``).
    """
    n = _integer(n_samples, "n_samples", 2)
    levels = [_integer(value, "levels", 2) for value in levels]
    k = _integer(n_numeric, "n_numeric", 2)
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(_integer(seed, "seed", 0))

    columns, names, coef = [], [], []
    for j, count in enumerate(levels):
        labels = rng.integers(1, count + 1, n)
        for level in range(2, count + 1):
            columns.append((labels == level).astype(float))
            names.append(f"c{j + 1}={level}")
            coef.append(rng.uniform(1.0, 2.0) * rng.choice([-1.0, 1.0]) if j == 0 else 0.0)
    numeric = rng.standard_normal((n, k))
    for j in range(k):
        columns.append(numeric[:, j])
        names.append(f"x{j + 1}")
        coef.append(rng.uniform(1.0, 2.0) * rng.choice([-1.0, 1.0]) if j < 2 else 0.0)
    X, coef = np.column_stack(columns), np.array(coef)
    y = X @ coef + noise * rng.standard_normal(n)
    return Regression(X, y, coef, 0.0, tuple(names))


def make_polynomial(n_samples: int = 30, *, noise: float = 0.3, seed: int = 0) -> Polynomial:
    """``n_samples`` points with x ~ U(−1, 1) (sorted) and y = f(x) + ε, ε ~ N(0, noise²).

    f(x) = sin(2x) + ½·cos(3x) (``Polynomial.truth``) is smooth but no polynomial. With the
    defaults a straight line underfits it, a cubic follows it closely, and degree 15 wiggles
    through the noise, far from f between and beyond the points.
    """
    n = _integer(n_samples, "n_samples", 2)
    noise = check_nonnegative(noise, "noise")
    rng = np.random.default_rng(_integer(seed, "seed", 0))
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    return Polynomial(x, Polynomial.truth(x) + noise * rng.standard_normal(n), noise)


def polynomial_features(x, degree: int) -> np.ndarray:
    """The (n, degree) matrix [x, x², …, x^degree] of a 1-D x.

    No column of ones: the intercept is fitted separately and never penalized.
    """
    degree = _integer(degree, "degree", 1)
    x = as_weights(x, "x")
    if is_tensor(x):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (one value per sample), got shape {x.shape}")
    return x[:, None] ** np.arange(1, degree + 1)


def load_diabetes(*, scaled: bool = True) -> Regression:
    """scikit-learn's diabetes data: 442 patients, 10 baseline variables, y = disease progression.

    The features are age, sex, body-mass index (bmi), blood pressure (bp) and six blood serum
    measurements s1–s6; y is a measure of progression one year later (25 to 346). With
    ``scaled=True`` (scikit-learn's default) each feature is centred and scaled to unit
    Euclidean norm, Σᵢxᵢⱼ² = 1; ``scaled=False`` gives the original units. The true weights are
    unknown, so ``coef`` and ``intercept`` are None. No download: the file ships with
    scikit-learn.
    """
    if not isinstance(scaled, bool):
        raise TypeError(f"scaled must be True or False, got {scaled!r}")
    from sklearn.datasets import load_diabetes as sklearn_diabetes

    bunch = sklearn_diabetes(scaled=scaled)
    X = np.asarray(bunch.data, dtype=float)
    y = np.asarray(bunch.target, dtype=float)
    return Regression(X, y, coef=None, intercept=None, feature_names=tuple(bunch.feature_names))


def polynomial_design(x, degree: int, scale: float = 1.0) -> np.ndarray:
    """``polynomial_features(x / scale, degree)``: dividing by the data's range keeps the columns comparable."""
    return polynomial_features(np.asarray(x, dtype=float) / scale, degree)


@dataclass(frozen=True)
class Classification:
    """A two-class data set: features ``X`` (n × p), labels ``y`` (n,) of 0.0 and 1.0, and
    ``image_shape`` when each row is an image (the digits: (8, 8))."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None

    def __post_init__(self):
        names = tuple(self.feature_names) or tuple(f"x{j + 1}" for j in range(self.X.shape[1]))
        if len(names) != self.X.shape[1]:
            raise ValueError(f"feature_names must name the {self.X.shape[1]} columns of X, got {len(names)} names")
        object.__setattr__(self, "feature_names", names)


def make_two_blobs(n_samples: int = 60, *, separation: float = 3.0, seed: int = 0) -> Classification:
    """Two round Gaussian classes (unit variance) in the plane whose centres lie ``separation``
    apart along the diagonal; half the points in each class (class 1 gets the extra one when
    n_samples is odd). With separation ≳ 4 on a few dozen points the classes are usually
    separable by a line; the function does not promise it (check with a fit)."""
    n_samples = _integer(n_samples, "n_samples", 4)
    separation = check_nonnegative(separation, "separation")
    rng = np.random.default_rng(_integer(seed, "seed", 0))
    n0 = n_samples // 2
    y = np.r_[np.zeros(n0), np.ones(n_samples - n0)]
    centre = separation / (2.0 * math.sqrt(2.0)) * np.array([1.0, 1.0])
    X = rng.standard_normal((n_samples, 2)) + np.where(y[:, None] == 1, centre, -centre)
    return Classification(X, y, feature_names=("x1", "x2"))


def load_digits_pair(first: int = 3, second: int = 8) -> Classification:
    """Two digits of scikit-learn's handwritten digits (1797 images of 8×8 pixels, no download):
    label 0 for ``first``, 1 for ``second``; pixels scaled from 0–16 to [0, 1], named "r,c"."""
    for name, digit in (("first", first), ("second", second)):
        if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
            raise ValueError(f"{name} must be a digit 0–9, got {digit!r}")
    if first == second:
        raise ValueError(f"first and second must be different digits, got {first} twice")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    keep = (bunch.target == first) | (bunch.target == second)
    X = np.asarray(bunch.data[keep], dtype=float) / 16.0
    y = (bunch.target[keep] == second).astype(float)
    names = tuple(f"{r},{c}" for r in range(8) for c in range(8))
    return Classification(X, y, feature_names=names, image_shape=(8, 8))

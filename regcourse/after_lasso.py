"""What to do after the lasso selects: refit without its bias, reweight, check when it can find
the right features, and measure how stable its choice is.

* ``relaxed_lasso(X, y, lam, phi)``: the lasso at λ picks a support S; least squares on S alone
  (intercept included) removes the shrinkage; the blend φ·ŵ_lasso + (1 − φ)·ŵ_S goes from the
  refit (φ = 0) to the lasso (φ = 1). (Hastie, Tibshirani & Tibshirani's simplified form of
  Meinshausen's relaxed lasso.)
* ``adaptive_lasso(X, y, lam, first)``: weights vⱼ = 1/|w̃ⱼ|^γ from a first fit w̃, then the
  weighted lasso λ·Σ vⱼ|wⱼ| (``penalties_sparse.WeightedL1``); a feature the first fit set to 0
  stays out (vⱼ = ∞).
* ``irrepresentable(X, support, signs)``: ‖X_Scᵀ X_S (X_SᵀX_S)⁻¹ sign(w_S)‖∞ on centred X. Without
  noise (y = X_S·w_S + b) it decides recovery exactly: below 1 the lasso picks exactly S with the
  right signs at every small enough λ, above 1 at no λ. With noise, below 1 (with a margin, and
  λ and n suitably related) recovery becomes certain as n grows; above 1 its probability does not
  go to 1, whatever λ (Zhao & Yu 2006; Wainwright 2009).
* ``stability_selection(X, y, lams, ...)``: the lasso on many random halves of the rows; each
  feature's selection frequency, the largest over λ (Meinshausen & Bühlmann 2010).
* ``post_selection_coverage(...)``: a simulation of what selection does to confidence intervals.
  On each simulated data set the lasso selects; least squares on the selected features gives the
  textbook t-intervals. Computed on the same data ("naive"), they cover the true weights far less
  often than their nominal level, because the features were chosen for looking large on that very
  sample. Selecting on one half and computing the intervals on the other ("split") restores the
  level: the second half knows nothing of the choice.
* ``cross_validate_fits(X, y, fit, lams, ...)``: k-fold cross-validation of any fitting rule
  ``fit(X, y, lam)`` (the relaxed or adaptive lasso, MCP, the group lasso), on the same folds as
  ``selection.cross_validate``; ``group_lam_max(X, y, groups)``: the smallest λ at which the
  group lasso sets every weight to 0, max_g ‖(2/n)·X_gᵀ(y − ȳ)‖₂ / v_g on centred X.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regcourse._arrays import check_count, check_fraction, check_nonnegative
from regcourse.linear import fit, path
from regcourse.linear.problem import check_design, is_sparse
from regcourse.penalties import L1, L2
from regcourse.penalties_sparse import WeightedL1
from regcourse.selection import CVResult, _best_index, _folds, _index_1se, check_seed

__all__ = [
    "RelaxedLasso",
    "relaxed_lasso",
    "adaptive_lasso",
    "irrepresentable",
    "StabilityResult",
    "stability_selection",
    "CoverageResult",
    "post_selection_coverage",
    "cross_validate_fits",
    "group_lam_max",
]


@dataclass(frozen=True)
class RelaxedLasso:
    """The lasso's weights and intercept, the least-squares refit on its support, and their blend."""

    support: np.ndarray
    lasso_coef: np.ndarray
    lasso_intercept: float
    refit_coef: np.ndarray
    refit_intercept: float
    phi: float

    @property
    def coef(self) -> np.ndarray:
        return self.phi * self.lasso_coef + (1.0 - self.phi) * self.refit_coef

    @property
    def intercept(self) -> float:
        return self.phi * self.lasso_intercept + (1.0 - self.phi) * self.refit_intercept


def _dense(X, y):
    if is_sparse(X):
        raise TypeError("X must be dense here (a NumPy array or a DataFrame); pass X.toarray() if it is small")
    X, y, _ = check_design(X, y)
    return np.asarray(X, dtype=float), y


def relaxed_lasso(X, y, lam, phi: float = 0.0) -> RelaxedLasso:
    """Lasso at ``lam``, then least squares on its support; ``phi`` ∈ [0, 1] blends (see the module)."""
    phi = check_fraction(phi, "phi")
    X, y = _dense(X, y)
    lasso = fit(X, y, L1(check_nonnegative(lam, "lam")))
    support = np.flatnonzero(lasso.coef)
    refit = np.zeros(X.shape[1])
    if support.size:
        XS = X[:, support] - X[:, support].mean(axis=0)
        refit[support] = np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]
    refit_intercept = float(y.mean() - X.mean(axis=0) @ refit)
    return RelaxedLasso(support, lasso.coef, float(lasso.intercept), refit, refit_intercept, phi)


def adaptive_lasso(X, y, lam, first=None, *, gamma: float = 1.0):
    """The weighted lasso with vⱼ = 1/|w̃ⱼ|^γ; ``first`` is w̃ (default: ridge at λ/10 on the same
    data). Returns the ``FitResult``. Features with w̃ⱼ = 0 are left out (weight 0 in the fit,
    no column)."""
    X, y = _dense(X, y)
    lam = check_nonnegative(lam, "lam")
    gamma = check_nonnegative(gamma, "gamma")
    if first is None:
        first = fit(X, y, L2(max(lam / 10.0, 1e-8))).coef
    first = np.asarray(first, dtype=float)
    if first.shape != (X.shape[1],):
        raise ValueError(f"first must have one weight per column ({X.shape[1]}), got shape {first.shape}")
    kept = np.flatnonzero(first)
    result = fit(X[:, kept], y, WeightedL1(1.0 / np.abs(first[kept]) ** gamma, lam))
    coef = np.zeros(X.shape[1])
    coef[kept] = result.coef
    return type(result)(
        coef, result.intercept, result.n_iter, result.converged, result.objective, result.penalty, result.solver, None
    )


def irrepresentable(X, support, signs) -> float:
    """‖X_Scᵀ X_S (X_SᵀX_S)⁻¹ sign(w_S)‖∞ on centred X; below 1 the lasso can recover S with its
    signs, above 1 it cannot (without noise: at no λ; see the module docstring)."""
    X, _ = _dense(X, np.zeros(np.shape(X)[0]))
    support = np.asarray(support, dtype=int)
    signs = np.sign(np.asarray(signs, dtype=float))
    if support.ndim != 1 or support.size == 0 or signs.shape != support.shape:
        raise ValueError("support and signs must be 1-D, non-empty and of the same length")
    if np.any(signs == 0):
        raise ValueError("signs must be ±1 (the signs of the true non-zero weights)")
    Xc = X - X.mean(axis=0)
    others = np.setdiff1d(np.arange(X.shape[1]), support)
    if others.size == 0:
        return 0.0
    XS = Xc[:, support]
    direction = np.linalg.solve(XS.T @ XS, signs)
    return float(np.abs(Xc[:, others].T @ (XS @ direction)).max())


@dataclass(frozen=True)
class StabilityResult:
    """``frequency[k, j]``: the share of subsamples in which feature j was selected at ``lams[k]``;
    ``max_frequency[j]``: its largest over λ (the stability score)."""

    lams: np.ndarray
    frequency: np.ndarray

    @property
    def max_frequency(self) -> np.ndarray:
        return self.frequency.max(axis=0)

    def stable(self, threshold: float = 0.8) -> np.ndarray:
        """The features selected in at least ``threshold`` of the subsamples at some λ."""
        return np.flatnonzero(self.max_frequency >= check_fraction(threshold, "threshold"))


def stability_selection(
    X, y, lams, *, n_subsamples: int = 100, fraction: float = 0.5, seed: int = 0, progress: bool = False
) -> StabilityResult:
    """The lasso path on ``n_subsamples`` random subsets of ⌊fraction·n⌋ rows (seeded): how often
    each feature is non-zero at each λ."""
    X, y = _dense(X, y)
    n_subsamples = check_count(n_subsamples, "n_subsamples")
    fraction = check_fraction(fraction, "fraction")
    lams = np.asarray(lams, dtype=float).reshape(-1)
    if lams.size == 0 or np.any(lams <= 0) or not np.all(np.isfinite(lams)):
        raise ValueError("lams must be a non-empty array of λ > 0")
    size = int(fraction * X.shape[0])
    if size < 3:
        raise ValueError(f"fraction·n must leave at least 3 rows, got {size}")
    rng = np.random.default_rng(check_seed(seed))
    counts = np.zeros((lams.size, X.shape[1]))
    rounds = range(n_subsamples)
    if progress:
        from tqdm.auto import tqdm

        rounds = tqdm(rounds, desc="subsamples", leave=False)
    for _ in rounds:
        rows = rng.choice(X.shape[0], size=size, replace=False)
        counts += path(X[rows], y[rows], "l1", lams).coefs != 0
    return StabilityResult(lams, counts / n_subsamples)


@dataclass(frozen=True)
class CoverageResult:
    """Over the simulations: the share of intervals (one per selected feature) that contain the
    true weight, how many intervals that was, and the nominal level."""

    coverage: float
    n_intervals: int
    level: float


def _t_intervals(X, y, level):
    """Least squares with an intercept on X; (coef, half-width) of the t-intervals at ``level``."""
    from scipy.stats import t as student

    n, k = X.shape
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    coef, *_ = np.linalg.lstsq(Xc, yc, rcond=None)
    dof = n - k - 1
    sigma2 = float(np.sum((yc - Xc @ coef) ** 2)) / dof
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(Xc.T @ Xc)))
    return coef, student.ppf(0.5 + level / 2, dof) * se


def post_selection_coverage(
    n_samples: int = 100,
    n_features: int = 50,
    lam: float = 0.1,
    *,
    truth=None,
    noise: float = 1.0,
    n_sims: int = 200,
    split: bool = False,
    level: float = 0.95,
    seed: int = 0,
) -> CoverageResult:
    """Simulate: X ~ N(0, I), y = X·truth + noise·ε (truth 0 by default: nothing matters); the
    lasso at ``lam`` selects; t-intervals at ``level`` for the selected weights, on the same rows
    (``split=False``) or on the other half of the rows (``split=True``, selecting on the first)."""
    n_samples = check_count(n_samples, "n_samples")
    n_features = check_count(n_features, "n_features")
    n_sims = check_count(n_sims, "n_sims")
    noise = check_nonnegative(noise, "noise")
    lam = check_nonnegative(lam, "lam")
    level = check_fraction(level, "level")
    truth = np.zeros(n_features) if truth is None else np.asarray(truth, dtype=float)
    if truth.shape != (n_features,):
        raise ValueError(f"truth must have n_features = {n_features} entries, got shape {truth.shape}")
    rng = np.random.default_rng(check_seed(seed))
    covered = total = 0
    for _ in range(n_sims):
        X = rng.standard_normal((n_samples, n_features))
        y = X @ truth + noise * rng.standard_normal(n_samples)
        half = n_samples // 2 if split else n_samples
        chosen = np.flatnonzero(fit(X[:half], y[:half], L1(lam)).coef)
        rows = slice(half, None) if split else slice(None)
        if chosen.size == 0 or (n_samples - (half if split else 0)) - chosen.size - 1 < 2:
            continue
        coef, width = _t_intervals(X[rows][:, chosen], y[rows], level)
        covered += int(np.sum(np.abs(coef - truth[chosen]) <= width))
        total += chosen.size
    return CoverageResult(covered / total if total else float("nan"), total, level)


def cross_validate_fits(X, y, fit_rule, lams, *, k: int = 5, seed: int = 0) -> CVResult:
    """k-fold cross-validation of ``fit_rule(X_train, y_train, lam)``, which returns anything with
    ``.coef`` and ``.intercept``: ``fold_errors[f, i]`` is the validation MSE
    (1/|f|)·Σ_{i∈f}(yᵢ − xᵢ·w − b)² of the fit on the other folds at ``lams[i]``. The folds are
    those of ``selection.cross_validate`` with the same ``k`` and ``seed``."""
    if not callable(fit_rule):
        raise TypeError(
            f"fit_rule must be a function (X, y, lam) returning a fit with .coef and .intercept, "
            f"got {type(fit_rule).__name__}"
        )
    X, y = _dense(X, y)
    k = check_count(k, "k")
    if not 2 <= k <= len(y) // 2:
        raise ValueError(f"k must be between 2 and n/2 = {len(y) // 2}, got {k}")
    lams = np.asarray(lams, dtype=float).reshape(-1)
    if lams.size == 0 or np.any(lams < 0) or not np.all(np.isfinite(lams)):
        raise ValueError("lams must be a non-empty array of λ >= 0")
    fold_errors = np.empty((k, lams.size))
    for f, val in enumerate(_folds(len(y), k, check_seed(seed))):
        train = np.setdiff1d(np.arange(len(y)), val)
        for i, lam in enumerate(lams):
            fitted = fit_rule(X[train], y[train], float(lam))
            residual = y[val] - X[val] @ np.asarray(fitted.coef, dtype=float) - float(fitted.intercept)
            fold_errors[f, i] = float(np.mean(residual**2))
    mean = fold_errors.mean(axis=0)
    se = fold_errors.std(axis=0, ddof=1) / np.sqrt(k)
    return CVResult("custom", lams, fold_errors, mean, se, _best_index(lams, mean), _index_1se(lams, mean, se))


def group_lam_max(X, y, groups, weights=None) -> float:
    """max_g ‖(2/n)·Xc_gᵀ(y − ȳ)‖₂ / v_g (v_g = √|g| by default): at this λ and above, the group
    lasso (1/n)‖yc − Xc·w‖² + λ·Σ v_g‖w_g‖₂ has w = 0 as its minimizer (its optimality condition
    ‖∇_g‖ ≤ λv_g holds at 0 for every group)."""
    from regcourse.penalties_sparse import GroupLasso

    X, y = _dense(X, y)
    penalty = GroupLasso(1.0, groups, weights)
    if penalty.groups.size != X.shape[1]:
        raise ValueError(f"groups must give one label per column ({X.shape[1]}), got {penalty.groups.size}")
    gradient = (2.0 / len(y)) * (X - X.mean(axis=0)).T @ (y - y.mean())
    sizes = [float(np.linalg.norm(gradient[m])) / v if v > 0 else 0.0 for m, v in zip(penalty.members, penalty.weights)]
    return max(sizes)

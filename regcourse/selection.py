"""Choosing λ: a hold-out validation set, a grid search over λ, k-fold cross-validation, the
one-standard-error rule, and for ridge the leave-one-out and GCV errors and degrees of freedom
without refitting (``ridge_svd``).

Every error here is the mean squared error (1/n)·Σ(yᵢ − ŷᵢ)² on the data being evaluated.
The models along a grid are fitted with ``regcourse.linear.path`` (warm starts), so a whole
grid costs little more than one fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from regcourse._arrays import check_count, check_xy
from regcourse.linear import check_kind, default_lams, fit, path, penalty_for
from regcourse.linear.problem import check_design, is_sparse
from regcourse.penalties import L2
from regcourse.ridge_svd import ridge_criteria, ridge_df, ridge_gcv, ridge_loo_mse

__all__ = [
    "train_val_split",
    "GridSearchResult",
    "grid_search",
    "holdout",
    "CVResult",
    "cross_validate",
    "standardizer",
    "one_se_lam",
    "TunedModel",
    "compare_penalties",
    "check_seed",
    "ridge_df",
    "ridge_loo_mse",
    "ridge_gcv",
    "ridge_criteria",
]


def check_seed(seed) -> int:
    """A seed for NumPy's generator: an integer ≥ 0, or an error naming ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return int(seed)


def train_val_split(X, y, *, val_fraction: float = 0.25, seed: int = 0):
    """Shuffle (seeded) and split into (X_train, X_val, y_train, y_val)."""
    seed = check_seed(seed)
    X, y = check_xy(X, y)
    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction}")
    n = len(y)
    n_val = int(round(n * val_fraction))
    if not 1 <= n_val <= n - 2:
        raise ValueError(
            f"val_fraction={val_fraction} leaves {n_val} of {n} samples for validation; "
            "both parts need samples (training at least 2)"
        )
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


@dataclass(frozen=True)
class GridSearchResult:
    """Training and validation error for each λ of the grid; the best λ has the lowest validation error."""

    kind: str
    lams: np.ndarray
    train_errors: np.ndarray
    val_errors: np.ndarray
    best_index: int
    coefs: np.ndarray  # the models fitted on the training data, one row per λ
    intercepts: np.ndarray

    @property
    def best_lam(self) -> float:
        return float(self.lams[self.best_index])


def _errors(result, X, y) -> np.ndarray:
    return np.mean((y[None, :] - result.predict(X)) ** 2, axis=1)


def grid_search(
    X_train, y_train, X_val, y_val, kind: str, lams=None, *, l1_ratio: float = 0.5, n_lams: int = 50
) -> GridSearchResult:
    """Fit on the training data for every λ of the grid and measure the error on the validation data.

    Without ``lams``, the grid is ``n_lams`` values log-spaced down from λ_max of the training
    data. Ties go to the larger λ (the simpler model).
    """
    check_kind(kind)
    X_train, y_train = check_xy(X_train, y_train)
    X_val, y_val = check_xy(X_val, y_val)
    if X_val.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_val must have the {X_train.shape[1]} features of X_train, got {X_val.shape[1]}")
    if lams is None:
        lams = default_lams(X_train, y_train, kind, l1_ratio=l1_ratio, n_lams=n_lams)
    fitted = path(X_train, y_train, kind, lams, l1_ratio=l1_ratio)
    val_errors = _errors(fitted, X_val, y_val)
    best = _best_index(fitted.lams, val_errors)
    return GridSearchResult(
        kind, fitted.lams, _errors(fitted, X_train, y_train), val_errors, best, fitted.coefs, fitted.intercepts
    )


def _best_index(lams: np.ndarray, errors: np.ndarray) -> int:
    """The index of the smallest error; among equal errors, the largest λ."""
    lowest = errors.min()
    candidates = np.flatnonzero(errors <= lowest)
    return int(candidates[np.argmax(lams[candidates])])


def holdout(
    X, y, kind: str, lams=None, *, val_fraction: float = 0.25, seed: int = 0, l1_ratio: float = 0.5, n_lams: int = 50
) -> GridSearchResult:
    """Hold out a random ``val_fraction`` of the data and grid-search λ on it."""
    X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=val_fraction, seed=seed)
    return grid_search(X_train, y_train, X_val, y_val, kind, lams, l1_ratio=l1_ratio, n_lams=n_lams)


@dataclass(frozen=True)
class CVResult:
    """k-fold cross-validation over a grid of λ.

    ``fold_errors[f, i]`` is the validation MSE of fold f at ``lams[i]``; ``mean`` and ``se``
    are its mean over folds and the standard error of that mean, std/√k.
    """

    kind: str
    lams: np.ndarray
    fold_errors: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    best_index: int
    index_1se: int

    @property
    def best_lam(self) -> float:
        """The λ with the lowest mean validation error."""
        return float(self.lams[self.best_index])

    @property
    def lam_1se(self) -> float:
        """The one-standard-error rule: the largest λ whose mean error is within one standard
        error of the best mean error — the simplest model that is not clearly worse."""
        return float(self.lams[self.index_1se])


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def standardizer(X_train) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation of each column of ``X_train``, to scale any rows as
    (X − mean)/sd with the training part's statistics; a constant column gets sd = 1."""
    X_train = np.asarray(X_train, dtype=float)
    mean, sd = X_train.mean(axis=0), X_train.std(axis=0)
    return mean, np.where(sd > 0, sd, 1.0)


def cross_validate(
    X,
    y,
    kind: str,
    lams=None,
    k: int = 5,
    seed: int = 0,
    *,
    l1_ratio: float = 0.5,
    n_lams: int = 50,
    standardize: bool = False,
) -> CVResult:
    """Estimate the validation error of every λ by k-fold cross-validation.

    The data are shuffled (seeded) and cut into k folds; each fold is the validation set once
    while the model is fitted on the other k − 1. Without ``lams``, the grid is ``n_lams``
    values log-spaced down from λ_max of the whole data, so every fold uses the same grid.
    X may be a NumPy array, a scipy.sparse matrix (never densified) or a pandas DataFrame.
    With ``standardize=True`` each round scales its training folds *and* its validation fold
    with the training folds' means and standard deviations (a pipeline per fold: the
    validation fold plays no part in its own scaling); the default grid is then computed on the
    whole data standardized (dense X only: centring would densify a sparse matrix).
    """
    check_kind(kind)
    seed = check_seed(seed)
    X, y, _ = check_design(X, y)  # dense, scipy.sparse (kept sparse) or pandas
    if is_sparse(X):
        X = X.tocsr()  # folds take rows
    k = check_count(k, "k")
    if not 2 <= k <= len(y) // 2:
        raise ValueError(f"k must be between 2 and n/2 = {len(y) // 2} (each training part needs 2 samples), got {k}")
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {type(standardize).__name__}")
    if standardize and is_sparse(X):
        raise ValueError(
            "standardize=True needs dense X (centring a sparse matrix would densify it); "
            "scale its columns yourself, or pass X.toarray() if it is small"
        )

    def scaled(rows, mean_sd):
        return rows if mean_sd is None else (rows - mean_sd[0]) / mean_sd[1]

    if lams is None:
        lams = default_lams(
            scaled(X, standardizer(X) if standardize else None), y, kind, l1_ratio=l1_ratio, n_lams=n_lams
        )
    lams = np.asarray(lams, dtype=float).reshape(-1)
    fold_errors = np.empty((k, lams.size))
    for f, val in enumerate(_folds(len(y), k, seed)):
        train = np.setdiff1d(np.arange(len(y)), val)
        mean_sd = standardizer(X[train]) if standardize else None  # from the training folds only
        fitted = path(scaled(X[train], mean_sd), y[train], kind, lams, l1_ratio=l1_ratio)
        fold_errors[f] = _errors(fitted, scaled(X[val], mean_sd), y[val])
    mean = fold_errors.mean(axis=0)
    se = fold_errors.std(axis=0, ddof=1) / math.sqrt(k)
    return CVResult(kind, lams, fold_errors, mean, se, _best_index(lams, mean), _index_1se(lams, mean, se))


def _index_1se(lams: np.ndarray, mean: np.ndarray, se: np.ndarray) -> int:
    """The index of the largest λ whose mean error is within one standard error (at the minimum) of the minimum."""
    best = _best_index(lams, mean)
    within = np.flatnonzero(mean <= mean[best] + se[best])
    return int(within[np.argmax(lams[within])])


# --- the review (chapter 14): the one-standard-error rule on given curves; tune and compare ---------


def one_se_lam(lams, mean, se) -> float:
    """The one-standard-error rule on a cross-validation curve given as arrays.

    With i* the index of the smallest mean error (ties: the largest λ), the rule returns the
    largest λ whose mean error is at most mean[i*] + se[i*] — the standard error *at the
    minimum*, not each λ's own. The grid may come in any order. This is the rule behind
    ``CVResult.lam_1se``.
    """
    lams = _curve(lams, "lams")
    mean, se = _curve(mean, "mean"), _curve(se, "se")
    for name, values in (("mean", mean), ("se", se)):
        if values.shape != lams.shape:
            raise ValueError(f"{name} must have one value per λ ({lams.size}), got shape {values.shape}")
    if np.any(lams < 0):
        raise ValueError("lams must be >= 0")
    if np.any(se < 0):
        raise ValueError("se must be >= 0 (it is a standard error)")
    return float(lams[_index_1se(lams, mean, se)])


def _curve(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or an infinite value; every entry must be a finite number")
    return array


@dataclass(frozen=True)
class TunedModel:
    """One penalty, tuned by cross-validation on the training data and refitted on all of it.

    ``lam`` is the chosen λ (0 for the unpenalized "none"), ``cv_error`` its mean CV error
    (NaN for "none"), ``train_error`` and ``test_error`` the MSE of the refitted model on the
    training and the test data, ``n_nonzero`` its number of non-zero weights.
    """

    kind: str
    lam: float
    cv_error: float
    train_error: float
    test_error: float
    n_nonzero: int
    coef: np.ndarray
    intercept: float


def compare_penalties(
    X_train,
    y_train,
    X_test,
    y_test,
    kinds=("none", "l1", "l2", "elastic_net"),
    *,
    k: int = 5,
    seed: int = 0,
    l1_ratio: float = 0.5,
    n_lams: int = 50,
    rule: str = "best",
) -> list[TunedModel]:
    """The same workflow for each penalty, so that they can be compared fairly:

    1. choose λ by ``k``-fold cross-validation on the training data only (``cross_validate``
       with its default grid of ``n_lams`` values; ``rule`` "best" takes the lowest mean CV
       error, "1se" the one-standard-error λ);
    2. refit on all the training data with that λ;
    3. measure the MSE (1/n)·Σ(yᵢ − ŷᵢ)² on the training and on the test data.

    ``kinds`` may contain "l1", "l2", "elastic_net" (with ``l1_ratio`` = ρ, the share of λ on
    the L1 term) and "none": plain least squares (λ = 0, no tuning), the baseline.
    Returns one ``TunedModel`` per kind, in the order given.
    """
    X_train, y_train = check_xy(X_train, y_train)
    X_test, y_test = check_xy(X_test, y_test)
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test must have the {X_train.shape[1]} features of X_train, got {X_test.shape[1]}")
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    if not kinds:
        raise ValueError("kinds must name at least one penalty")
    for kind in kinds:
        if kind not in ("none", "l1", "l2", "elastic_net"):
            raise ValueError(f"kinds must contain only 'none', 'l1', 'l2' or 'elastic_net', got {kind!r}")
    if rule not in ("best", "1se"):
        raise ValueError(f"rule must be 'best' or '1se', got {rule!r}")
    models = []
    for kind in kinds:
        if kind == "none":
            lam, cv_error, pen = 0.0, math.nan, L2(0.0)
        else:
            cv = cross_validate(X_train, y_train, kind, k=k, seed=seed, l1_ratio=l1_ratio, n_lams=n_lams)
            index = cv.best_index if rule == "best" else cv.index_1se
            lam, cv_error = float(cv.lams[index]), float(cv.mean[index])
            pen = penalty_for(kind, lam, l1_ratio)
        model = fit(X_train, y_train, pen)
        models.append(
            TunedModel(
                kind,
                lam,
                cv_error,
                float(np.mean((y_train - model.predict(X_train)) ** 2)),
                float(np.mean((y_test - model.predict(X_test)) ** 2)),
                int(np.count_nonzero(model.coef)),
                model.coef,
                model.intercept,
            )
        )
    return models

"""What the linear solvers return: a fit, a path of fits, a budget-form fit; and the warning
a solver gives when it runs out of iterations."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from regcourse.penalties import Penalty

__all__ = ["ConvergenceWarning", "FitResult", "PathResult", "ConstrainedResult", "warn_not_converged"]


class ConvergenceWarning(UserWarning):
    """A solver stopped at max_iter before reaching the requested tolerance."""


def warn_not_converged(solver: str, max_iter: int, residual: float, goal: float) -> None:
    warnings.warn(
        f"solver {solver!r} stopped after max_iter={max_iter} iterations with optimality residual "
        f"{residual:.2e} > {goal:.2e}; increase max_iter or tol, or standardize X",
        ConvergenceWarning,
        stacklevel=4,
    )


def _times(X, coef: np.ndarray) -> np.ndarray:
    """X @ coef for a dense array, a scipy.sparse matrix or a DataFrame (no densifying)."""
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse
        return np.asarray(X @ coef).reshape(-1) if coef.ndim == 1 else np.asarray(X @ coef)
    if hasattr(X, "to_numpy"):  # pandas
        X = X.to_numpy()
    return np.asarray(X, dtype=float) @ coef


@dataclass(frozen=True)
class FitResult:
    """A fitted linear model: prediction = X @ coef + intercept.

    ``feature_names`` holds the column names when X was a pandas DataFrame, else None.
    """

    coef: np.ndarray
    intercept: float
    n_iter: int
    converged: bool
    objective: float  # MSE + penalty at the solution, on the data it was fitted to
    penalty: Penalty
    solver: str
    feature_names: tuple | None = None

    def predict(self, X) -> np.ndarray:
        return _times(X, self.coef) + self.intercept


@dataclass(frozen=True)
class PathResult:
    """Solutions along a grid of λ: ``coefs[i]`` and ``intercepts[i]`` belong to ``lams[i]``.

    ``feature_names`` holds the column names when X was a pandas DataFrame, else None.
    """

    kind: str
    l1_ratio: float
    lams: np.ndarray
    coefs: np.ndarray  # shape (len(lams), p)
    intercepts: np.ndarray
    n_iters: np.ndarray
    converged: bool
    feature_names: tuple | None = None

    def penalty(self, i: int) -> Penalty:
        """The penalty solved at ``lams[i]``."""
        from regcourse.linear.paths import penalty_for

        return penalty_for(self.kind, self.lams[i], self.l1_ratio)

    def predict(self, X) -> np.ndarray:
        """Predictions of every model on the path, shape (len(lams), n)."""
        return _times(X, self.coefs.T).T + self.intercepts[:, None]


@dataclass(frozen=True)
class ConstrainedResult:
    """The solution of min MSE subject to R(w) ≤ radius, and the λ of the same solution."""

    kind: str
    radius: float
    coef: np.ndarray
    intercept: float
    n_iter: int
    converged: bool
    objective: float  # the MSE at the solution
    lam: float  # the penalized problem at this λ has the same solution (0 if the budget is not binding)
    l1_ratio: float = field(default=1.0)

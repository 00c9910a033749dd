"""``fit``: one penalized linear model; ``mse``: the course's data loss."""

from __future__ import annotations

import numpy as np

from regcourse._arrays import check_count, check_nonnegative
from regcourse.linear.problem import Problem, check_design, check_penalty
from regcourse.linear.results import FitResult, _times
from regcourse.linear.solvers import DEFAULT_TOL, choose_solver, solve
from regcourse.penalties import Penalty

__all__ = ["fit", "mse", "LOSSES", "check_loss"]

LOSSES = ("squared",)  # issue 16 adds "logistic"


def check_loss(loss) -> str:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
    return loss


def fit(X, y, penalty: Penalty, *, solver: str = "auto", fit_intercept: bool = True,
        tol: float = DEFAULT_TOL, max_iter: int = 10_000, warm_start=None, loss: str = "squared") -> FitResult:
    """Minimize (1/n)·Σ(yᵢ − xᵢ·w − b)² + penalty(w) over w and an unpenalized intercept b.

    ``penalty`` is L1(λ), L2(λ) or ElasticNet(l1=λ₁, l2=λ₂). ``solver`` is "auto" (closed
    form for ridge, the working-set solver "active_set" otherwise), "closed_form", "gd", "cd",
    "ista", "fista" or "active_set". ``tol`` is relative to max|Xcᵀyc/n|; ``max_iter`` counts
    Newton steps (active_set), rounds (cd) or steps. X may be a NumPy array, a scipy.sparse
    matrix or a pandas DataFrame (its column names come back as ``feature_names``).
    """
    check_loss(loss)
    pen = check_penalty(penalty)
    chosen = choose_solver(solver, pen)
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = Problem(X, y, fit_intercept)
    if warm_start is not None and np.shape(warm_start) != (prob.p,):
        raise ValueError(f"warm_start must have shape ({prob.p},), got {np.shape(warm_start)}")
    w, n_iter, converged = solve(prob, pen, chosen, warm_start, tol, max_iter)
    objective = prob.mse(w) + float(pen(w))
    return FitResult(w, prob.intercept(w), n_iter, converged, objective, pen, chosen, prob.feature_names)


def mse(X, y, coef, intercept: float = 0.0) -> float:
    """The mean squared error (1/n)·Σ(yᵢ − xᵢ·w − b)²."""
    X, y, _ = check_design(X, y)
    return float(np.mean((y - _times(X, np.asarray(coef, dtype=float)) - intercept) ** 2))

"""``fit``: one penalized linear model; ``mse``: the course's data loss."""

from __future__ import annotations

import numpy as np

from regcourse._arrays import check_count, check_nonnegative
from regcourse.linear.logistic import check_logistic_design, log_loss, solve_logistic
from regcourse.linear.problem import Problem, check_design, check_penalty
from regcourse.linear.results import FitResult, _times
from regcourse.linear.solvers import DEFAULT_TOL, choose_solver, solve
from regcourse.penalties import Penalty

__all__ = ["fit", "mse", "LOSSES", "check_loss", "check_positive"]

LOSSES = ("squared", "logistic")


def check_positive(positive) -> bool:
    if not isinstance(positive, (bool, np.bool_)):
        raise TypeError(f"positive must be True or False, got {positive!r}")
    return bool(positive)


def check_loss(loss) -> str:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
    return loss


def fit(
    X,
    y,
    penalty: Penalty,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    tol: float = DEFAULT_TOL,
    max_iter: int = 10_000,
    warm_start=None,
    loss: str = "squared",
    positive: bool = False,
) -> FitResult:
    """Minimize (1/n)·Σ(yᵢ − xᵢ·w − b)² + penalty(w) over w and an unpenalized intercept b;
    with ``loss="logistic"`` (labels 0/1), the mean log-loss (1/n)·Σ[log(1 + e^zᵢ) − yᵢzᵢ],
    zᵢ = xᵢ·w + b, instead (``linear.logistic``: dense X, the intercept fitted; ``solver`` "auto",
    "prox_newton", "newton" or "fista").

    ``penalty`` is L1(λ), L2(λ) or ElasticNet(l1=λ₁, l2=λ₂). ``solver`` is "auto" (closed
    form for ridge, the working-set solver "active_set" otherwise), "closed_form", "gd", "cd",
    "ista", "fista" or "active_set". ``tol`` is relative to max|Xcᵀyc/n|; ``max_iter`` counts
    Newton steps (active_set), rounds (cd) or steps. X may be a NumPy array, a scipy.sparse
    matrix or a pandas DataFrame (its column names come back as ``feature_names``).

    ``positive=True`` constrains every weight to w ≥ 0 (the non-negative lasso / elastic net /
    ridge; the intercept stays free), solved by the working set ("auto" or "active_set") with
    its steps clipped at 0. The optimality conditions become: wⱼ > 0 as before, and at wⱼ = 0
    the MSE's gradient is ≥ −l1 (instead of |gradient| ≤ l1).

    Duplicated or collinear columns: the lasso's minimizer is then not always unique (any split
    of a weight between two copies of a column fits and costs the same). The minimum J and the
    fitted values Xw + b are unique (for λ > 0); the coefficients need not be. The default
    solver gives one copy the whole weight (the first to enter); "cd" and scikit-learn may split
    it. Compare objectives or predictions, not coefficients. With an L2 part (l2 > 0: elastic
    net, ridge) the minimizer is unique.
    """
    check_loss(loss)
    pen = check_penalty(penalty)
    positive = check_positive(positive)
    if loss == "logistic":
        if positive:
            raise ValueError("positive=True is for loss='squared' only")
        return _fit_logistic(
            X, y, pen, solver=solver, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter, warm_start=warm_start
        )
    chosen = choose_solver(solver, pen, positive)
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = Problem(X, y, fit_intercept)
    if warm_start is not None and np.shape(warm_start) != (prob.p,):
        raise ValueError(f"warm_start must have shape ({prob.p},), got {np.shape(warm_start)}")
    w, n_iter, converged = solve(prob, pen, chosen, warm_start, tol, max_iter, positive)
    objective = prob.mse(w) + float(pen(w))
    return FitResult(w, prob.intercept(w), n_iter, converged, objective, pen, chosen, prob.feature_names)


def _fit_logistic(X, y, pen: Penalty, *, solver, fit_intercept, tol, max_iter, warm_start) -> FitResult:
    X, y, names = check_logistic_design(X, y, fit_intercept)
    w, b, n_iter, converged, used = solve_logistic(
        X,
        y,
        pen,
        solver=solver,
        fit_intercept=True,
        tol=tol,
        max_iter=max_iter,
        coef_init=warm_start,
        intercept_init=None,
    )
    objective = log_loss(y, X @ w + b) + float(pen(w))
    return FitResult(w, b, n_iter, converged, objective, pen, used, names)


def mse(X, y, coef, intercept: float = 0.0) -> float:
    """The mean squared error (1/n)·Σ(yᵢ − xᵢ·w − b)²."""
    X, y, _ = check_design(X, y)
    return float(np.mean((y - _times(X, np.asarray(coef, dtype=float)) - intercept) ** 2))

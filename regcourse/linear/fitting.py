"""``fit``: one penalized linear model; ``mse``: the course's data loss."""

from __future__ import annotations

import numpy as np

from regcourse._arrays import check_count, check_nonnegative
from regcourse.linear import compiled
from regcourse.linear.datafits import Quadratic
from regcourse.linear.group import group_lasso_fista
from regcourse.linear.logistic import check_logistic_design, log_loss, solve_logistic
from regcourse.linear.problem import Problem, check_design, check_penalty, is_sparse
from regcourse.linear.prox_newton import prox_newton
from regcourse.linear.results import FitResult, _times, warn_not_converged
from regcourse.linear.screened import gram_too_costly
from regcourse.linear.separable import as_plugin
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


@compiled.timed_call
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

    ``penalty`` is L1(λ), L2(λ) or ElasticNet(l1=λ₁, l2=λ₂); or WeightedL1, MCP or SCAD from
    ``regcourse.penalties_sparse``, solved by the working-set proximal Newton method with the
    penalty as a plug-in (``solver`` "auto" or "prox_newton"). MCP and SCAD are not convex: the
    fit is the stationary point that the solver reaches from 0 (or from ``warm_start``).
    GroupLasso (squared loss only) is solved by FISTA with block soft-thresholding (``group``).
    For the course's penalties ``solver`` is "auto" (closed
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
    if getattr(penalty, "kind", "") == "group_lasso":
        return _fit_group_lasso(X, y, penalty, loss, fit_intercept, tol, max_iter, warm_start, solver, positive)
    if getattr(penalty, "kind", "") in PLUGIN_KINDS:
        return _fit_plugin(X, y, penalty, loss, fit_intercept, tol, max_iter, warm_start, solver, positive)
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
    cold = chosen == "active_set" and warm_start is None and not positive
    screened = cold and gram_too_costly(X)
    # A tall X's blocks are swept in the residual form (``screened``), over Xc's columns in place:
    # Xc column-major. Elsewhere its row-major copy costs half as much and the blocks are Gram blocks.
    tall = screened and X.shape[0] > X.shape[1]
    prob = Problem(X, y, fit_intercept, gram=False if screened else None, column_major=tall)
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


PLUGIN_KINDS = ("weighted_l1", "mcp", "scad")  # regcourse.penalties_sparse, solved by prox_newton


def _positive_tol(tol) -> float:
    tol = check_nonnegative(tol, "tol")
    if tol == 0:
        raise ValueError("tol must be positive")
    return tol


def _dense_design(X, y, penalty):
    """(X, y, names) for the solvers of penalties_sparse, which work on dense X: a scipy.sparse X
    is refused rather than densified behind the caller's back (it may not fit in memory)."""
    if is_sparse(X):
        raise TypeError(
            f"X must be dense for {type(penalty).__name__} (scipy.sparse input is for L1, L2 and ElasticNet); "
            "pass X.toarray() if it is small"
        )
    X, y, names = check_design(X, y)
    return np.asarray(X, dtype=float), y, names


def _fit_plugin(X, y, penalty, loss, fit_intercept, tol, max_iter, warm_start, solver, positive) -> FitResult:
    """WeightedL1, MCP or SCAD: the working-set proximal Newton solver with the penalty as a
    plug-in (``separable.as_plugin``), on the squared loss (MSE) or the log-loss."""
    if solver not in ("auto", "prox_newton"):
        raise ValueError(f"solver must be 'auto' or 'prox_newton' for {type(penalty).__name__}, got {solver!r}")
    if check_positive(positive):
        raise ValueError(f"positive=True is not available with {type(penalty).__name__}")
    if loss == "logistic":
        return _fit_logistic(
            X, y, penalty, solver=solver, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter, warm_start=warm_start
        )
    tol, max_iter = _positive_tol(tol), check_count(max_iter, "max_iter")
    X, y, names = _dense_design(X, y, penalty)
    n, p = X.shape
    plug = as_plugin(penalty)
    if getattr(penalty, "kind", "") == "weighted_l1" and np.size(plug.l1) != p:
        raise ValueError(f"the WeightedL1 weights have {np.size(plug.l1)} entries, X has {p} columns")
    if warm_start is not None and np.shape(warm_start) != (p,):
        raise ValueError(f"warm_start must have shape ({p},), got {np.shape(warm_start)}")
    datafit = Quadratic(y)
    w = np.zeros(p) if warm_start is None else np.array(warm_start, dtype=float)
    b = datafit.null_predictor() if fit_intercept else 0.0
    scale = max(1.0, float(np.abs(X.T @ datafit.residual(np.full(n, b))).max(initial=0.0)))
    w, b, n_iter, converged, residual = prox_newton(
        X, datafit, plug, w, b, fit_intercept=fit_intercept, goal=tol * scale, max_iter=max_iter
    )
    if not converged:
        warn_not_converged("prox_newton", max_iter, residual, tol * scale)
    objective = datafit.value(X @ w + b) + plug.value(w)
    return FitResult(w, b, n_iter, converged, objective, penalty, "prox_newton", names)


def _fit_group_lasso(X, y, penalty, loss, fit_intercept, tol, max_iter, warm_start, solver, positive) -> FitResult:
    """GroupLasso on the squared loss: FISTA with block soft-thresholding (``group``)."""
    if loss != "squared":
        raise ValueError("GroupLasso is solved for loss='squared' only")
    if solver not in ("auto", "fista"):
        raise ValueError(f"solver must be 'auto' or 'fista' for GroupLasso, got {solver!r}")
    if check_positive(positive):
        raise ValueError("positive=True is not available with GroupLasso")
    tol, max_iter = _positive_tol(tol), check_count(max_iter, "max_iter")
    X, y, names = _dense_design(X, y, penalty)
    n, p = X.shape
    if penalty.groups.size != p:
        raise ValueError(f"GroupLasso has {penalty.groups.size} group labels, X has {p} columns")
    if warm_start is not None and np.shape(warm_start) != (p,):
        raise ValueError(f"warm_start must have shape ({p},), got {np.shape(warm_start)}")
    x_mean, y_mean = (X.mean(axis=0), float(y.mean())) if fit_intercept else (np.zeros(p), 0.0)
    Xc, yc = X - x_mean, y - y_mean
    scale = max(2.0 * float(np.abs(Xc.T @ yc).max(initial=0.0)) / n, 1e-300)
    start = np.zeros(p) if warm_start is None else np.array(warm_start, dtype=float)
    w, n_iter, converged, residual = group_lasso_fista(Xc, yc, penalty, start, tol * scale, max_iter)
    if not converged:
        warn_not_converged("fista", max_iter, residual, tol * scale)
    b = y_mean - float(x_mean @ w)
    objective = float(np.mean((y - X @ w - b) ** 2)) + float(penalty(w))
    return FitResult(w, b, n_iter, converged, objective, penalty, "fista", names)


def mse(X, y, coef, intercept: float = 0.0) -> float:
    """The mean squared error (1/n)·Σ(yᵢ − xᵢ·w − b)²."""
    X, y, _ = check_design(X, y)
    return float(np.mean((y - _times(X, np.asarray(coef, dtype=float)) - intercept) ** 2))

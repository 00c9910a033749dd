"""Logistic regression under the course objective, solved from scratch.

    J(w, b) = (1/n)·Σᵢ ℓ(yᵢ, zᵢ) + l1·‖w‖₁ + l2·‖w‖²,    zᵢ = xᵢ·w + b,  yᵢ ∈ {0, 1},
    ℓ(y, z) = log(1 + eᶻ) − y·z      (the mean log-loss, PyTorch's ``BCEWithLogitsLoss``)

with the intercept b never penalized. The gradient of the mean loss is

    ∇_w = Xᵀ(σ(z) − y)/n,    ∂_b = mean(σ(z) − y),    σ(z) = 1/(1 + e⁻ᶻ),

and its Hessian X̃ᵀ·diag(σ(z)(1 − σ(z))/n)·X̃ (X̃ = X with a column of ones). Every solver stops
on the optimality (KKT) residual

    max( |∂_b|,  maxⱼ dist(−∇ⱼ − 2·l2·wⱼ, l1·∂|wⱼ|) )  ≤  tol · max(1, ‖Xᵀ(y − p₀)‖∞/n),

zero exactly at the minimizer (p₀ = ȳ with the intercept, ½ without). Solvers (``solver=``):

    "prox_newton"  (auto with an L1 part) working sets and proximal Newton steps (``prox_newton``)
    "newton"       (auto for L2 or none) Newton's method on every weight (``smooth_newton``)
    "fista"        the first solver of the course, proximal gradient with momentum (``logistic_fista``)

Without a penalty on separable data there is no minimizer (the weights grow without bound):
Newton's method sees the classes separated, and the fit is then left to FISTA, whose weights
grow with ``max_iter`` as the lecture shows; it says so with a ConvergenceWarning and returns
``converged=False``.

``lam_max_logistic`` is the smallest L1 strength with all weights zero, ‖Xᵀ(y − ȳ)‖∞/n (at w = 0
the best intercept is log(ȳ/(1 − ȳ)), where ∇_w = Xᵀ(ȳ − y)/n).
"""

from __future__ import annotations

import warnings

import numpy as np

from regcourse._arrays import check_count, check_nonnegative, check_xy
from regcourse.linear import compiled
from regcourse.linear.datafits import Logistic, check_labels, log_loss, sigmoid
from regcourse.linear.logistic_fista import fista_logistic
from regcourse.linear.problem import check_design, is_sparse
from regcourse.linear.prox_newton import ARMIJO, DAMPING, prox_newton
from regcourse.linear.results import ConvergenceWarning
from regcourse.linear.separable import L1L2, as_plugin
from regcourse.linear.smooth_newton import smooth_newton

__all__ = [
    "LOGISTIC_SOLVERS",
    "check_labels",
    "log_loss",
    "sigmoid",
    "lam_max_logistic",
    "fit_logistic",
    "solve_logistic",
    "kkt_residual_logistic",
    "check_logistic_design",
]

LOGISTIC_SOLVERS = ("auto", "prox_newton", "newton", "fista")


def check_logistic_design(X, y, fit_intercept):
    """(X, y, feature_names) for loss="logistic": dense X, labels 0/1, the intercept fitted;
    else an error naming the parameter."""
    if fit_intercept is not True:
        raise ValueError("fit_intercept must be True for loss='logistic' (the course always fits the intercept)")
    if is_sparse(X):
        raise TypeError(
            "X must be dense for loss='logistic' (scipy.sparse input is for the squared loss); "
            "pass X.toarray() if it is small"
        )
    X, y, names = check_design(X, y)
    check_labels(y)
    return X, y, names


def lam_max_logistic(X, y) -> float:
    """‖Xᵀ(y − ȳ)‖∞/n: from this L1 strength up, every weight is zero (the intercept is logit ȳ)."""
    X, y = check_xy(X, y)
    check_labels(y)
    return float(np.max(np.abs(X.T @ (y - y.mean()))) / X.shape[0])


def kkt_residual_logistic(X, y, w, b, pen, *, fit_intercept: bool = True) -> float:
    """How far (w, b) is from optimal: the largest distance between −∇ and the subdifferential."""
    residual = Logistic(y).residual(X @ w + b)
    dist = as_plugin(pen).subdiff_distance(np.asarray(w, dtype=float), X.T @ residual)
    return float(max(abs(float(residual.sum())) if fit_intercept else 0.0, dist.max(initial=0.0)))


def _goal(X, datafit, tol, fit_intercept) -> float:
    null = datafit.null_predictor() if fit_intercept else 0.0
    return tol * max(1.0, float(np.abs(X.T @ datafit.residual(np.full(datafit.n, null))).max(initial=0.0)))


def _warn(max_iter, residual, goal):
    warnings.warn(
        f"logistic regression did not converge in max_iter={max_iter} iterations (KKT residual "
        f"{residual:.2e} > {goal:.2e}); with no or a tiny penalty on separable classes no minimizer "
        f"exists and the weights keep growing",
        ConvergenceWarning,
        stacklevel=3,
    )


def solve_logistic(X, y, pen, *, solver, fit_intercept, tol, max_iter, coef_init, intercept_init, previous_l1=None):
    """Minimize the mean log-loss + pen(w) on checked X, y: (w, b, n_iter, converged, solver used).

    ``pen`` is a course penalty or a separable plug-in (``separable``); "fista" needs a course
    penalty (l1·‖w‖₁ + l2·‖w‖²)."""
    if solver not in LOGISTIC_SOLVERS:
        raise ValueError(
            f"solver must be one of {', '.join(map(repr, LOGISTIC_SOLVERS))} for loss='logistic', got {solver!r}"
        )
    check_nonnegative(tol, "tol")
    if tol == 0:
        raise ValueError("tol must be positive")
    max_iter = check_count(max_iter, "max_iter")
    n, p = X.shape
    datafit = Logistic(y)
    plug = as_plugin(pen)
    if coef_init is not None and np.shape(coef_init) != (p,):
        raise ValueError(f"coef_init must have shape ({p},), got {np.shape(coef_init)}")
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=float)
    b = datafit.null_predictor() if intercept_init is None else float(intercept_init)
    b = b if fit_intercept else 0.0
    goal = _goal(X, datafit, tol, fit_intercept)
    if solver == "auto":
        solver = "newton" if plug.smooth else "prox_newton"
    if solver == "newton" and not plug.smooth:
        raise ValueError(f"solver 'newton' needs a penalty without an L1 part, got {pen!r}; use 'prox_newton'")
    if solver == "newton":
        w, b, n_iter, status, residual = smooth_newton(
            X, datafit, plug.l2, w, b, fit_intercept=fit_intercept, goal=goal, max_iter=max_iter
        )
        converged = status == "converged"
        if status == "unbounded":  # no minimizer: the first-order method's growing weights, as taught
            solver = "fista"
            w, b = np.zeros(p), (datafit.null_predictor() if fit_intercept else 0.0)
    elif solver == "prox_newton" and (small := _small_prox_newton(X, y, plug, w, b, fit_intercept, goal, max_iter)):
        w, b, n_iter, converged, residual = small
    elif solver == "prox_newton":
        w, b, n_iter, converged, residual = prox_newton(
            X, datafit, plug, w, b, fit_intercept=fit_intercept, goal=goal, max_iter=max_iter, previous_l1=previous_l1
        )
    if solver == "fista":

        def kkt(w_, b_):
            return kkt_residual_logistic(X, y, w_, b_, plug, fit_intercept=fit_intercept)

        w, b, n_iter, converged, residual = fista_logistic(
            X, y, plug.l1, plug.l2, w, b, fit_intercept=fit_intercept, goal=goal, max_iter=max_iter, kkt=kkt
        )
    if not converged:
        _warn(max_iter, residual, goal)
    return w, b, n_iter, converged, solver


# The compiled whole-problem step builds the (p+1)² Hessian in scalar loops, n·(p+1)²/2 flops a
# step: below about 2e5 of them it costs less than prox_newton's NumPy calls (80×8: 7× faster;
# breast cancer 569×30 and digits 357×64 were slower compiled, so they stay with prox_newton).
SMALL_MAX_WORK = 200_000


def _small_prox_newton(X, y, plug, w, b, fit_intercept, goal, max_iter):
    """(w, b, n_iter, True, residual) from the compiled proximal Newton loop (``_logistic_loop``)
    on a small dense problem with a course penalty (one L1 strength), or None: no numba, another
    shape or penalty, or the loop stopped short (the NumPy solver then starts again from (w, b))."""
    n, p = X.shape
    if not isinstance(plug, L1L2) or np.ndim(plug.l1) or not fit_intercept or n * (p + 1) ** 2 > SMALL_MAX_WORK:
        return None
    loop = compiled.logistic_loop()
    if loop is None:
        return None
    u = np.append(w, b)
    scratch = (np.empty(n), np.empty(n), np.empty(p + 1), np.empty((p + 1, p + 1)), np.empty(p + 1))
    X = np.ascontiguousarray(X, dtype=float)
    scratch += (np.empty(n), np.empty(p + 1))
    outcome = compiled.run(
        "logistic", loop, X, y, float(plug.l1), plug.l2, u, goal, max_iter, ARMIJO, DAMPING, *scratch
    )
    if outcome is None:
        return None
    steps, status = outcome
    if status != 0:
        return None
    w, b = u[:p], float(u[p])
    return w, b, max(int(steps), 1), True, kkt_residual_logistic(X, y, w, b, plug)


@compiled.timed_call
def fit_logistic(
    X,
    y,
    pen,
    *,
    tol: float = 1e-8,
    max_iter: int = 100_000,
    coef_init=None,
    intercept_init=None,
    solver: str = "auto",
    fit_intercept: bool = True,
):
    """Minimize the mean log-loss + pen(w) over (w, b); returns (coef, intercept, n_iter, converged).

    ``coef_init``/``intercept_init`` warm-start the solver (a path passes the previous solution).
    ``solver`` is "auto", "prox_newton", "newton" or "fista" (see the module's docstring);
    ``fit_intercept=False`` fixes b = 0.
    """
    X, y = check_xy(X, y)
    check_labels(y)
    w, b, n_iter, converged, _ = solve_logistic(
        X,
        y,
        pen,
        solver=solver,
        fit_intercept=bool(fit_intercept),
        tol=tol,
        max_iter=max_iter,
        coef_init=coef_init,
        intercept_init=intercept_init,
    )
    return w, b, n_iter, converged

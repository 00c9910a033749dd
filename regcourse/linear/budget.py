"""The budget form: min MSE subject to R(w) ≤ radius, and the maps radius ↔ λ."""

from __future__ import annotations

import math

import numpy as np

from regcourse._arrays import check_count, check_nonnegative
from regcourse.linear import compiled
from regcourse.linear.fitting import fit
from regcourse.linear.paths import l1_share
from regcourse.linear.problem import Problem, check_kind, check_penalty
from regcourse.linear.results import ConstrainedResult, warn_not_converged
from regcourse.linear.solvers import DEFAULT_TOL
from regcourse.penalties import Penalty, project_l1_ball, project_l2_ball

__all__ = ["fit_constrained", "lam_for_radius", "radius_for_lam"]


def _budget(w: np.ndarray, rho: float) -> float:
    """R(w) = ρ·Σ|wⱼ| + (1 − ρ)·Σwⱼ², the penalty shape of ``Penalty.budget``."""
    return rho * float(np.abs(w).sum()) + (1.0 - rho) * float(w @ w)


def _project(w: np.ndarray, rho: float, radius: float) -> np.ndarray:
    """Euclidean projection onto {z : R(z) ≤ radius}."""
    if rho == 1.0:
        return project_l1_ball(w, radius)
    if rho == 0.0:
        return project_l2_ball(w, math.sqrt(radius))
    if _budget(w, rho) <= radius:
        return w.copy()
    # The projection is the prox of μ·R, S(w, μρ)/(1 + 2μ(1 − ρ)) (``ElasticNet.prox`` written out,
    # since it runs in a tight loop), for the μ ≥ 0 that lands on the boundary; R(prox) falls as μ grows.
    size, signs = np.abs(w), np.sign(w)

    def prox(mu):
        return signs * np.maximum(size - mu * rho, 0.0) / (1.0 + 2.0 * mu * (1.0 - rho))

    low, high = 0.0, 1.0
    while _budget(prox(high), rho) > radius:
        high *= 2.0
    for _ in range(60):  # 2⁻⁶⁰ of the bracket: below rounding
        middle = 0.5 * (low + high)
        if _budget(prox(middle), rho) > radius:
            low = middle
        else:
            high = middle
    return prox(high)


def _matching_lam(prob: Problem, w: np.ndarray, rho: float, radius: float) -> float:
    """The λ whose penalized solution is w, from the KKT conditions of the budget problem.

    −∇MSE(w) = μ·∂R(w), and since ⟨∂R(w), w⟩ = ρ‖w‖₁ + 2(1−ρ)‖w‖² (R is a sum of 1- and
    2-homogeneous terms), μ = ⟨−∇MSE(w), w⟩ / (ρ‖w‖₁ + 2(1−ρ)‖w‖²). The penalty λ·R has the
    same solution at λ = μ; λ = 0 when the budget is not binding.
    """
    if _budget(w, rho) < radius * (1.0 - 1e-9):
        return 0.0
    gradient = 2.0 * (prob.gram_matvec(w) - prob.c)
    denominator = rho * float(np.abs(w).sum()) + 2.0 * (1.0 - rho) * float(w @ w)
    return max(float(-gradient @ w) / denominator, 0.0) if denominator > 0 else 0.0


@compiled.timed_call
def fit_constrained(
    X,
    y,
    kind: str,
    radius: float,
    *,
    l1_ratio: float = 0.5,
    fit_intercept: bool = True,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100_000,
) -> ConstrainedResult:
    """Minimize the MSE subject to R(w) ≤ radius, by accelerated projected gradient.

    R(w) = ρ·Σ|wⱼ| + (1 − ρ)·Σwⱼ² (ρ = 1 for "l1", 0 for "l2", ``l1_ratio`` for the elastic
    net): the same R as ``Penalty.budget`` and ``Penalty.ball``, so the L2 budget bounds Σw².
    The result carries ``lam``, the λ at which the penalized problem has the same solution.
    """
    check_kind(kind)
    rho = l1_share(kind, l1_ratio)
    radius = check_nonnegative(radius, "radius")
    if radius == 0.0:
        raise ValueError("radius must be > 0 (a zero budget forces w = 0)")
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = Problem(X, y, fit_intercept)
    L = prob.lipschitz()
    goal = tol * prob.scale
    w = np.zeros(prob.p)
    v, t, residual, converged, k = w.copy(), 1.0, math.inf, False, 0
    for k in range(1, max_iter + 1):  # noqa: B007 (k, the iterations done, is returned)
        new = _project(v - (2.0 / L) * (prob.gram_matvec(v) - prob.c), rho, radius)
        residual = float(np.abs(new - v).max()) * L
        if (v - new) @ (new - w) > 0:
            t = 1.0
        t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
        v = new + ((t - 1.0) / t_next) * (new - w)
        w, t = new, t_next
        if residual <= goal:
            converged = True
            break
    if not converged:
        warn_not_converged("projected gradient", max_iter, residual, goal)
    lam = _matching_lam(prob, w, rho, radius)
    return ConstrainedResult(kind, radius, w, prob.intercept(w), k, converged, prob.mse(w), lam, rho)


def lam_for_radius(X, y, kind: str, radius: float, *, l1_ratio: float = 0.5, fit_intercept: bool = True) -> float:
    """The λ whose penalized solution satisfies R(w) = radius (0 if the budget is not binding)."""
    return fit_constrained(X, y, kind, radius, l1_ratio=l1_ratio, fit_intercept=fit_intercept).lam


def radius_for_lam(X, y, penalty: Penalty, *, fit_intercept: bool = True) -> float:
    """The budget R(ŵ) used by the penalized solution ŵ: the radius with the same solution."""
    pen = check_penalty(penalty)
    return pen.budget(fit(X, y, pen, fit_intercept=fit_intercept).coef)

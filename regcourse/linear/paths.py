"""Whole grids of λ: ``path`` (warm starts), ``lam_max``, ``default_lams``, ``penalty_for``."""

from __future__ import annotations

import math

import numpy as np

from regcourse._arrays import check_count, check_fraction, check_nonnegative
from regcourse.linear import compiled
from regcourse.linear.enet_cd import enet_cd_path
from regcourse.linear.factor import Factor
from regcourse.linear.homotopy import homotopy_gram, lasso_homotopy
from regcourse.linear.logistic import check_logistic_design, solve_logistic
from regcourse.linear.problem import Problem, check_kind
from regcourse.linear.results import PathResult
from regcourse.linear.solvers import DEFAULT_TOL, working_set
from regcourse.penalties import L1, L2, ElasticNet, Penalty

__all__ = ["penalty_for", "lam_max", "default_lams", "path"]


def penalty_for(kind: str, lam: float, l1_ratio: float = 0.5) -> Penalty:
    """The penalty of strength λ: L1(λ), L2(λ), or ElasticNet(l1=ρλ, l2=(1−ρ)λ) with ρ = l1_ratio.

    ρ is the share of λ that goes to the L1 term (``Penalty.mix``). It is not scikit-learn's
    l1_ratio, which weighs a ½‖w‖² term; ``regcourse.conventions`` converts between them.
    """
    check_kind(kind)
    lam = check_nonnegative(lam, "lam")
    if kind == "l1":
        return L1(lam)
    if kind == "l2":
        return L2(lam)
    rho = check_fraction(l1_ratio, "l1_ratio")
    return ElasticNet(l1=rho * lam, l2=(1.0 - rho) * lam)


def l1_share(kind: str, l1_ratio) -> float:
    """ρ, the share of λ on the L1 term: 1 for "l1", 0 for "l2", ``l1_ratio`` for "elastic_net"."""
    if kind == "l1":
        return 1.0
    if kind == "l2":
        return 0.0
    return check_fraction(l1_ratio, "l1_ratio")


def lam_max(X, y, kind: str = "l1", *, l1_ratio: float = 0.5, fit_intercept: bool = True) -> float:
    """The smallest λ at which every coefficient is exactly 0: λ_max = 2·max|Xcᵀyc/n| / ρ.

    At w = 0 the MSE's gradient is −2c; it is cancelled by the L1 subgradient ρλ·[−1, 1]
    exactly when ρλ ≥ 2·max|cⱼ|. For ridge (ρ = 0) no finite λ gives exact zeros: infinity.
    """
    check_kind(kind)
    rho = l1_share(kind, l1_ratio)
    prob = Problem(X, y, fit_intercept, gram=False)
    return math.inf if rho == 0.0 else 2.0 * float(np.abs(prob.c).max()) / rho


def _default_lams(prob: Problem, rho: float, n_lams: int, eps: float) -> np.ndarray:
    if rho > 0.0:
        top, bottom_factor = 2.0 * float(np.abs(prob.c).max()) / rho, eps
    else:  # ridge: from where every coefficient is shrunk below 0.1% of its least-squares size,
        # down twice as many decades, to where the largest directions are barely shrunk
        top, bottom_factor = 1e3 * prob.largest_eigenvalue(), eps**2
    if top == 0.0:
        raise ValueError("y is constant (after removing its mean): every λ gives w = 0")
    return np.geomspace(top, top * bottom_factor, n_lams)


def _check_grid_options(n_lams, eps) -> tuple[int, float]:
    n_lams = check_count(n_lams, "n_lams")
    eps = check_nonnegative(eps, "eps")
    if not 0.0 < eps < 1.0:
        raise ValueError(f"eps must lie strictly between 0 and 1, got {eps}")
    return n_lams, eps


def default_lams(
    X, y, kind: str = "l1", *, l1_ratio: float = 0.5, n_lams: int = 100, eps: float = 1e-3, fit_intercept: bool = True
) -> np.ndarray:
    """``n_lams`` values log-spaced from λ_max down to eps·λ_max (see ``lam_max``).

    For ridge, which has no λ_max, the grid runs from 10³·λ_max(XcᵀXc/n), where every
    coefficient is below 0.1% of its least-squares value, down to eps² times that.
    """
    check_kind(kind)
    n_lams, eps = _check_grid_options(n_lams, eps)
    rho = l1_share(kind, l1_ratio)
    return _default_lams(Problem(X, y, fit_intercept, gram=None if rho == 0.0 else False), rho, n_lams, eps)


def _ridge_path(prob: Problem, lams: np.ndarray) -> np.ndarray:
    """All ridge solutions at once from one eigendecomposition.

    Gram form: w(λ) = V·diag(1/(d + λ))·Vᵀc with G = V·diag(d)·Vᵀ. Otherwise (p > n) through
    the n×n kernel K = XcXcᵀ/n = U·diag(d)·Uᵀ: w(λ) = Xcᵀ·U·diag(1/(d + λ))·Uᵀyc/n.
    """
    if prob.G is not None:
        d, V = np.linalg.eigh(prob.G)
        projected = V.T @ prob.c
    else:
        d, U = np.linalg.eigh(prob.kernel())
        projected = U.T @ prob.yc / prob.n
    d = np.maximum(d, 0.0)
    denominators = d[None, :] + lams[:, None]
    # λ = 0 with a singular G: the minimum-norm least-squares solution (zero on the null space).
    safe = np.where(denominators > 1e-12 * max(d.max(), 1e-300), denominators, np.inf)
    if prob.G is not None:
        return (projected[None, :] / safe) @ V.T
    dual = (projected[None, :] / safe) @ U.T  # one row of n dual weights per λ
    return np.vstack([prob.rmatvec(row) for row in dual])


@compiled.timed_call
def path(
    X,
    y,
    kind: str,
    lams=None,
    *,
    l1_ratio: float = 0.5,
    n_lams: int = 100,
    eps: float = 1e-3,
    fit_intercept: bool = True,
    tol: float = DEFAULT_TOL,
    max_iter: int = 10_000,
    loss: str = "squared",
    positive: bool = False,
) -> PathResult:
    """Solutions for a grid of λ, each warm-started from the previous (larger) λ.

    ``kind`` is "l1", "l2" or "elastic_net" (penalty ρλ·Σ|w| + (1−ρ)λ·Σw², ρ = ``l1_ratio``).
    Without ``lams``, the grid is ``default_lams``: log-spaced down from λ_max. Results come
    back in the order of ``lams``. Ridge paths are computed exactly from one eigendecomposition;
    the lasso path of a small dense problem (p ≤ 64, p ≤ n) by homotopy, from kink to kink
    (``homotopy``); other lasso and elastic-net paths by the working-set solver, screened by the
    strong rule.
    X may be a NumPy array, a scipy.sparse matrix or a pandas DataFrame.

    ``loss="logistic"`` (labels 0/1, dense X) solves the mean log-loss + penalty instead, each λ
    warm-started (``linear.logistic``: proximal Newton on working sets, Newton for ridge); its
    default grid starts at ‖Xᵀ(y − ȳ)‖∞/(nρ), where every weight is 0 (for ridge, at 10³ times
    the largest eigenvalue of XcᵀXc/(4n), the bound on the log-loss's curvature).
    ``predict`` then gives the scores x·w + b, not probabilities.

    ``positive=True`` keeps every weight ≥ 0 (see ``fit``); the grid is the same as without it
    (from 2·max|c|/ρ, where all weights are 0 in either case), and a ridge path is then solved
    λ by λ by the working set instead of from one eigendecomposition.

    On duplicated or collinear columns the lasso's coefficients need not be unique (J and the
    fitted values are): see ``fit``.
    """
    check_kind(kind)
    from regcourse.linear.fitting import check_loss, check_positive

    positive = check_positive(positive)
    if check_loss(loss) == "logistic":
        if positive:
            raise ValueError("positive=True is for loss='squared' only")
        return _logistic_path(
            X,
            y,
            kind,
            lams,
            l1_ratio=l1_ratio,
            n_lams=n_lams,
            eps=eps,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
        )
    rho = l1_share(kind, l1_ratio)
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = Problem(X, y, fit_intercept)
    if lams is None:
        lams = _default_lams(prob, rho, *_check_grid_options(n_lams, eps))
    lams = _check_lams(lams)
    coefs = np.zeros((lams.size, prob.p))
    n_iters = np.ones(lams.size, dtype=int)
    converged = True
    if rho == 0.0 and not positive:
        coefs[:] = _ridge_path(prob, lams)
    else:
        w, previous, factor = np.zeros(prob.p), None, None
        order = np.argsort(-lams, kind="stable")  # largest λ first: warm starts move little
        gram = None if positive or rho == 0.0 else homotopy_gram(prob, "path" if rho == 1.0 else "enet")
        if gram is not None:  # a small problem: one compiled or kink-to-kink route for the whole grid;
            # the rest of the grid (if any) below, from where it stopped
            halves, solved = 0.5 * rho * lams[order], None
            if rho == 1.0:
                solved = lasso_homotopy(gram, prob.c, prob.diag, halves, tol * prob.scale, max_iter)
            else:
                l2s = (1.0 - rho) * lams[order]
                solved = enet_cd_path(gram, prob.c, prob.diag, halves, l2s, tol * prob.scale, max_iter)
            if solved is not None:
                solutions, done, counts = solved
                coefs[order[:done]], n_iters[order[:done]] = solutions[:done], counts[:done]
                if done:
                    w, previous = solutions[done - 1].copy(), float(halves[done - 1])
                order = order[done:]
        for i in order:
            pen = penalty_for(kind, lams[i], l1_ratio)
            if factor is None or not factor.serves(pen.l2_coef):  # one factor along the path (Factor.serves)
                factor = Factor(prob, pen.l2_coef)
            w, n_iters[i], ok = working_set(
                prob, pen, w, tol, max_iter, previous_half_l1=previous, factor=factor, positive=positive
            )
            previous = 0.5 * pen.l1_coef
            coefs[i] = w
            converged &= ok
    intercepts = prob.y_mean - coefs @ prob.x_mean
    return PathResult(kind, rho, lams, coefs, intercepts, n_iters, converged, prob.feature_names)


def _check_lams(lams) -> np.ndarray:
    lams = np.asarray(lams, dtype=float).reshape(-1)
    if lams.size == 0:
        raise ValueError("lams must contain at least one value")
    if not (np.isfinite(lams).all() and (lams >= 0).all()):  # one pass; the loop names the bad value
        for value in lams:
            check_nonnegative(value, "lams")
    return lams


def _logistic_path(X, y, kind, lams, *, l1_ratio, n_lams, eps, fit_intercept, tol, max_iter) -> PathResult:
    """``path(..., loss="logistic")``: one warm-started logistic fit per λ, largest λ first."""
    X, y, names = check_logistic_design(X, y, fit_intercept)
    rho = l1_share(kind, l1_ratio)
    n = X.shape[0]
    if lams is None:
        n_lams, eps = _check_grid_options(n_lams, eps)
        if rho > 0.0:
            top, bottom_factor = float(np.abs(X.T @ (y - y.mean())).max()) / (n * rho), eps
        else:
            Xc = X - X.mean(axis=0)
            top, bottom_factor = 1e3 * float(np.linalg.eigvalsh(Xc.T @ Xc / n)[-1]) / 4.0, eps**2
        if top == 0.0:
            raise ValueError("X does not vary with the labels: every λ gives w = 0")
        lams = np.geomspace(top, top * bottom_factor, n_lams)
    lams = _check_lams(lams)
    coefs = np.zeros((lams.size, X.shape[1]))
    intercepts = np.zeros(lams.size)
    n_iters = np.zeros(lams.size, dtype=int)
    converged = True
    w = b = previous = None
    for i in np.argsort(-lams, kind="stable"):
        pen = penalty_for(kind, lams[i], l1_ratio)
        w, b, n_iters[i], ok, _ = solve_logistic(
            X,
            y,
            pen,
            solver="auto",
            fit_intercept=True,
            tol=tol,
            max_iter=max_iter,
            coef_init=w,
            intercept_init=b,
            previous_l1=previous,
        )
        previous = pen.l1_coef
        coefs[i], intercepts[i] = w, b
        converged &= ok
    return PathResult(kind, rho, lams, coefs, intercepts, n_iters, converged, names)

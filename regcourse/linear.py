"""Linear regression under the course objective, solved from scratch.

    J(w, b) = (1/n)·Σᵢ(yᵢ − xᵢ·w − b)² + penalty(w)

with the intercept b never penalized. With the data centred (x̄ and ȳ subtracted), the best
b is ȳ − x̄·w and the problem in w reads, with G = XcᵀXc/n and c = Xcᵀyc/n,

    J(w) = wᵀGw − 2cᵀw + const + l1·‖w‖₁ + l2·‖w‖²,     ∇ of the smooth part = 2(Gw − c).

Solvers (``fit(..., solver=...)``):
    closed_form   ridge only: (G + λI)w = c, or the n×n dual system when p > n
    gd            gradient descent, for differentiable penalties (ridge), for teaching
    cd            coordinate descent: wⱼ ← S(cⱼ − (Gw)ⱼ + Gⱼⱼwⱼ, l1/2) / (Gⱼⱼ + l2), S = soft-threshold
    ista, fista   proximal gradient: w ← prox(w − ∇/L, 1/L) with L = 2·λ_max(G); FISTA adds momentum
``path`` solves a whole grid of λ with warm starts; ``fit_constrained`` solves the budget form
min MSE subject to R(w) ≤ radius and recovers the λ that gives the same solution.

Every solver stops when the optimality residual — how far one exact coordinate (or proximal)
step would still move the weights, in gradient units — is below ``tol`` times the size of c.
A solver that runs out of iterations says so: a ConvergenceWarning and ``converged=False``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from regcourse._arrays import check_count, check_fraction, check_nonnegative, check_xy
from regcourse.penalties import L1, L2, ElasticNet, Penalty, project_l1_ball, project_l2_ball

__all__ = [
    "ConvergenceWarning",
    "FitResult",
    "PathResult",
    "ConstrainedResult",
    "fit",
    "path",
    "lam_max",
    "default_lams",
    "penalty_for",
    "fit_constrained",
    "lam_for_radius",
    "radius_for_lam",
    "mse",
]

SOLVERS = ("auto", "closed_form", "gd", "cd", "ista", "fista")
KINDS = ("l1", "l2", "elastic_net")
DEFAULT_TOL = 1e-10


class ConvergenceWarning(UserWarning):
    """A solver stopped at max_iter before reaching the requested tolerance."""


@dataclass(frozen=True)
class FitResult:
    """A fitted linear model: prediction = X @ coef + intercept."""

    coef: np.ndarray
    intercept: float
    n_iter: int
    converged: bool
    objective: float  # MSE + penalty at the solution, on the data it was fitted to
    penalty: Penalty
    solver: str

    def predict(self, X) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef + self.intercept


@dataclass(frozen=True)
class PathResult:
    """Solutions along a grid of λ: ``coefs[i]`` and ``intercepts[i]`` belong to ``lams[i]``."""

    kind: str
    l1_ratio: float
    lams: np.ndarray
    coefs: np.ndarray  # shape (len(lams), p)
    intercepts: np.ndarray
    n_iters: np.ndarray
    converged: bool

    def penalty(self, i: int) -> Penalty:
        """The penalty solved at ``lams[i]``."""
        return penalty_for(self.kind, self.lams[i], self.l1_ratio)

    def predict(self, X) -> np.ndarray:
        """Predictions of every model on the path, shape (len(lams), n)."""
        return self.coefs @ np.asarray(X, dtype=float).T + self.intercepts[:, None]


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


# --- input checking and the centred problem -------------------------------------------


def check_kind(kind) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    return kind


@dataclass
class _Problem:
    """The centred data and the quantities every solver uses."""

    X: np.ndarray
    y: np.ndarray
    x_mean: np.ndarray
    y_mean: float
    G: np.ndarray  # XcᵀXc / n
    c: np.ndarray  # Xcᵀyc / n
    yy: float  # ycᵀyc / n, so that MSE(w) = wᵀGw − 2cᵀw + yy

    @classmethod
    def build(cls, X, y, fit_intercept: bool) -> "_Problem":
        X, y = check_xy(X, y)
        n = X.shape[0]
        x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        y_mean = float(y.mean()) if fit_intercept else 0.0
        Xc, yc = X - x_mean, y - y_mean
        return cls(X, y, x_mean, y_mean, Xc.T @ Xc / n, Xc.T @ yc / n, float(yc @ yc) / n)

    @property
    def scale(self) -> float:
        """The size of the gradient at w = 0, the yardstick for the tolerance."""
        return max(float(np.abs(self.c).max()), 1e-300)

    def lipschitz(self) -> float:
        """L = 2·λ_max(G), the Lipschitz constant of the MSE's gradient."""
        return 2.0 * max(float(np.linalg.eigvalsh(self.G)[-1]), 1e-300)

    def mse(self, w: np.ndarray) -> float:
        return max(float(w @ (self.G @ w) - 2.0 * self.c @ w + self.yy), 0.0)

    def intercept(self, w: np.ndarray) -> float:
        return self.y_mean - float(self.x_mean @ w)

    def result(self, w, pen: Penalty, n_iter: int, converged: bool, solver: str) -> FitResult:
        return FitResult(w, self.intercept(w), n_iter, converged, self.mse(w) + float(pen(w)), pen, solver)


def _warn(solver: str, max_iter: int, residual: float, goal: float) -> None:
    warnings.warn(
        f"solver {solver!r} stopped after max_iter={max_iter} iterations with optimality residual "
        f"{residual:.2e} > {goal:.2e}; increase max_iter or tol, or standardize X",
        ConvergenceWarning,
        stacklevel=3,
    )


# --- the solvers -------------------------------------------------------------------------


def _closed_form(prob: _Problem, pen: Penalty) -> np.ndarray:
    """Ridge: solve (G + λI)w = c, or the n×n dual system when p > n; least squares when λ = 0."""
    lam = pen.l2_coef
    Xc, yc = prob.X - prob.x_mean, prob.y - prob.y_mean
    n, p = Xc.shape
    if lam == 0.0:
        return np.linalg.lstsq(Xc, yc, rcond=None)[0]  # the minimum-norm solution if not unique
    if p <= n:
        return np.linalg.solve(prob.G + lam * np.eye(p), prob.c)
    # w = Xcᵀα with (XcXcᵀ + nλI)α = yc: the same solution through an n×n system.
    return Xc.T @ np.linalg.solve(Xc @ Xc.T + n * lam * np.eye(n), yc)


def _gradient_descent(prob: _Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
    """w ← w − (1/L)·(2(Gw − c) + 2λw), with L = 2(λ_max(G) + λ)."""
    lam = pen.l2_coef
    step = 1.0 / (prob.lipschitz() + 2.0 * lam)
    goal = tol * prob.scale
    residual = math.inf
    for k in range(1, max_iter + 1):
        gradient = 2.0 * (prob.G @ w - prob.c) + 2.0 * lam * w
        w = w - step * gradient
        residual = float(np.abs(gradient).max())
        if residual <= goal:
            return w, k, True
    _warn("gd", max_iter, residual, goal)
    return w, max_iter, False


def _coordinate_descent(prob: _Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
    """Coordinate descent, sped up by exact solves on the current support.

    One coordinate: with q = c − Gw, wⱼ ← S(qⱼ + Gⱼⱼwⱼ, l1/2) / (Gⱼⱼ + l2), S = soft-threshold.

    Between sweeps, the support A of w and its signs s are used for an exact step: on the
    face {sign(w_A) = s, w elsewhere 0} the objective is a smooth quadratic, minimized by
    w_A = (G_AA + l2·I)⁻¹(c_A − ½·l1·s). The step is taken when it keeps the signs and lowers
    the objective. Then one vectorized check over every coordinate either confirms optimality or
    names the coordinates that must move; one sweep over those and the support follows. Along a
    warm-started path the support rarely changes, so most λ need a single solve. ``n_iter``
    counts rounds (solve + check + sweep).
    """
    G, c, half_l1, l2 = prob.G, prob.c, 0.5 * pen.l1_coef, pen.l2_coef
    diag = np.diag(G).copy()
    denominators = diag + l2
    usable = denominators > 0  # a constant (all-zero) feature with l2 = 0 stays at 0
    safe_denominators = np.where(usable, denominators, 1.0)
    w = w.copy()
    q = c - G @ w
    goal = tol * prob.scale
    residual = math.inf

    def objective(v):
        return float(v @ (G @ v)) - 2.0 * float(c @ v) + 2.0 * half_l1 * float(np.abs(v).sum()) + l2 * float(v @ v)

    for rounds in range(1, max_iter + 1):
        support = np.flatnonzero(w)
        if support.size:
            signs = np.sign(w[support])
            block = G[np.ix_(support, support)] + l2 * np.eye(support.size)
            try:
                solved = np.linalg.solve(block, c[support] - half_l1 * signs)
            except np.linalg.LinAlgError:
                solved = None
            if solved is not None and np.all(np.sign(solved) == signs):
                candidate = np.zeros_like(w)
                candidate[support] = solved
                if objective(candidate) <= objective(w):
                    w = candidate
                    q = c - G[:, support] @ solved
        z = q + diag * w
        best = np.where(usable, np.sign(z) * np.maximum(np.abs(z) - half_l1, 0.0) / safe_denominators, 0.0)
        violation = np.abs(best - w) * denominators
        residual = float(violation.max())
        if residual <= goal:
            return w, rounds, True
        for j in np.union1d(support, np.flatnonzero(violation > goal)):
            z_j = q[j] + diag[j] * w[j]
            new = math.copysign(max(abs(z_j) - half_l1, 0.0), z_j) / safe_denominators[j] if usable[j] else 0.0
            delta = new - w[j]
            if delta != 0.0:
                q -= delta * G[j]
                w[j] = new
    _warn("cd", max_iter, residual, goal)
    return w, max_iter, False


def _proximal_gradient(prob: _Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int, accelerated: bool):
    """ISTA: w ← prox(w − ∇f(w)/L, 1/L). FISTA: the same step from an extrapolated point, with
    the momentum restarted whenever it points uphill (O'Donoghue & Candès, 2015)."""
    L = prob.lipschitz()
    step = 1.0 / L
    goal = tol * prob.scale
    v, t = w.copy(), 1.0
    residual = math.inf
    for k in range(1, max_iter + 1):
        gradient = 2.0 * (prob.G @ v - prob.c)
        new = pen.prox(v - step * gradient, step)
        residual = float(np.abs(new - v).max()) * L  # the proximal-gradient mapping, in gradient units
        if accelerated:
            if (v - new) @ (new - w) > 0:  # momentum works against the step: restart
                t = 1.0
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            v = new + ((t - 1.0) / t_next) * (new - w)
            t = t_next
        else:
            v = new
        w = new
        if residual <= goal:
            return w, k, True
    _warn("fista" if accelerated else "ista", max_iter, residual, goal)
    return w, max_iter, False


def _solve(prob: _Problem, pen: Penalty, solver: str, w0, tol: float, max_iter: int):
    p = prob.G.shape[0]
    w = np.zeros(p) if w0 is None else np.asarray(w0, dtype=float).copy()
    if solver == "closed_form":
        return _closed_form(prob, pen), 1, True
    if solver == "gd":
        return _gradient_descent(prob, pen, w, tol, max_iter)
    if solver == "cd":
        return _coordinate_descent(prob, pen, w, tol, max_iter)
    return _proximal_gradient(prob, pen, w, tol, max_iter, accelerated=solver == "fista")


def _choose_solver(solver, pen: Penalty) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {solver!r}")
    if solver == "auto":
        return "closed_form" if pen.l1_coef == 0.0 else "cd"
    if solver in ("closed_form", "gd") and pen.l1_coef > 0.0:
        raise ValueError(
            f"solver {solver!r} needs a differentiable penalty (no L1 part), got {pen!r}; use 'cd', 'ista' or 'fista'"
        )
    return solver


def _check_penalty(penalty) -> Penalty:
    if not isinstance(penalty, Penalty):
        raise TypeError(f"penalty must be L1(...), L2(...) or ElasticNet(...), got {type(penalty).__name__}")
    return penalty


def fit(X, y, penalty: Penalty, *, solver: str = "auto", fit_intercept: bool = True,
        tol: float = DEFAULT_TOL, max_iter: int = 10_000, warm_start=None) -> FitResult:
    """Minimize (1/n)·Σ(yᵢ − xᵢ·w − b)² + penalty(w) over w and an unpenalized intercept b.

    ``penalty`` is L1(λ), L2(λ) or ElasticNet(l1=λ₁, l2=λ₂). ``solver`` is "auto" (closed
    form for ridge, coordinate descent otherwise), "closed_form", "gd", "cd", "ista" or
    "fista". ``tol`` is relative to max|Xcᵀyc/n|; ``max_iter`` counts sweeps (cd) or steps.
    """
    pen = _check_penalty(penalty)
    chosen = _choose_solver(solver, pen)
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = _Problem.build(X, y, fit_intercept)
    if warm_start is not None and np.shape(warm_start) != (prob.G.shape[0],):
        raise ValueError(f"warm_start must have shape ({prob.G.shape[0]},), got {np.shape(warm_start)}")
    w, n_iter, converged = _solve(prob, pen, chosen, warm_start, tol, max_iter)
    return prob.result(w, pen, n_iter, converged, chosen)


def mse(X, y, coef, intercept: float = 0.0) -> float:
    """The mean squared error (1/n)·Σ(yᵢ − xᵢ·w − b)²."""
    X, y = check_xy(X, y)
    return float(np.mean((y - X @ np.asarray(coef, dtype=float) - intercept) ** 2))


# --- paths -----------------------------------------------------------------------------------


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


def _l1_share(kind: str, l1_ratio) -> float:
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
    rho = _l1_share(kind, l1_ratio)
    prob = _Problem.build(X, y, fit_intercept)
    return math.inf if rho == 0.0 else 2.0 * float(np.abs(prob.c).max()) / rho


def _default_lams(prob: _Problem, rho: float, n_lams: int, eps: float) -> np.ndarray:
    if rho > 0.0:
        top, bottom_factor = 2.0 * float(np.abs(prob.c).max()) / rho, eps
    else:  # ridge: from where every coefficient is shrunk below 0.1% of its least-squares size,
        # down twice as many decades, to where the largest directions are barely shrunk
        top, bottom_factor = 1e3 * max(float(np.linalg.eigvalsh(prob.G)[-1]), 1e-300), eps**2
    if top == 0.0:
        raise ValueError("y is constant (after removing its mean): every λ gives w = 0")
    return np.geomspace(top, top * bottom_factor, n_lams)


def default_lams(X, y, kind: str = "l1", *, l1_ratio: float = 0.5, n_lams: int = 100, eps: float = 1e-3,
                 fit_intercept: bool = True) -> np.ndarray:
    """``n_lams`` values log-spaced from λ_max down to eps·λ_max (see ``lam_max``).

    For ridge, which has no λ_max, the grid runs from 10³·λ_max(XcᵀXc/n), where every
    coefficient is below 0.1% of its least-squares value, down to eps² times that.
    """
    check_kind(kind)
    n_lams = check_count(n_lams, "n_lams")
    eps = check_nonnegative(eps, "eps")
    if not 0.0 < eps < 1.0:
        raise ValueError(f"eps must lie strictly between 0 and 1, got {eps}")
    return _default_lams(_Problem.build(X, y, fit_intercept), _l1_share(kind, l1_ratio), n_lams, eps)


def _ridge_path(prob: _Problem, lams: np.ndarray) -> np.ndarray:
    """All ridge solutions at once: w(λ) = V·diag(1/(d + λ))·Vᵀc, with G = V·diag(d)·Vᵀ."""
    d, V = np.linalg.eigh(prob.G)
    d = np.maximum(d, 0.0)
    projected = V.T @ prob.c
    denominators = d[None, :] + lams[:, None]
    # λ = 0 with a singular G: the minimum-norm least-squares solution (zero on the null space).
    safe = np.where(denominators > 1e-12 * max(d.max(), 1e-300), denominators, np.inf)
    return (projected[None, :] / safe) @ V.T


def path(X, y, kind: str, lams=None, *, l1_ratio: float = 0.5, n_lams: int = 100, eps: float = 1e-3,
         fit_intercept: bool = True, tol: float = DEFAULT_TOL, max_iter: int = 10_000) -> PathResult:
    """Solutions for a grid of λ, each warm-started from the previous (larger) λ.

    ``kind`` is "l1", "l2" or "elastic_net" (penalty ρλ·Σ|w| + (1−ρ)λ·Σw², ρ = ``l1_ratio``).
    Without ``lams``, the grid is ``default_lams``: log-spaced down from λ_max. Results come
    back in the order of ``lams``. Ridge paths are computed exactly from one eigendecomposition.
    """
    check_kind(kind)
    rho = _l1_share(kind, l1_ratio)
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = _Problem.build(X, y, fit_intercept)
    if lams is None:
        lams = default_lams(X, y, kind, l1_ratio=l1_ratio, n_lams=n_lams, eps=eps, fit_intercept=fit_intercept)
    lams = np.asarray(lams, dtype=float).reshape(-1)
    if lams.size == 0:
        raise ValueError("lams must contain at least one value")
    for value in lams:
        check_nonnegative(value, "lams")
    p = prob.G.shape[0]
    coefs = np.zeros((lams.size, p))
    n_iters = np.ones(lams.size, dtype=int)
    converged = True
    if rho == 0.0:
        coefs[:] = _ridge_path(prob, lams)
    else:
        w = np.zeros(p)
        for i in np.argsort(-lams, kind="stable"):  # largest λ first: warm starts move little
            pen = penalty_for(kind, lams[i], l1_ratio)
            w, n_iters[i], ok = _coordinate_descent(prob, pen, w, tol, max_iter)
            coefs[i] = w
            converged &= ok
    intercepts = prob.y_mean - coefs @ prob.x_mean
    return PathResult(kind, rho, lams, coefs, intercepts, n_iters, converged)


# --- the budget form -----------------------------------------------------------------------


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


def _matching_lam(prob: _Problem, w: np.ndarray, rho: float, radius: float, tol: float) -> float:
    """The λ whose penalized solution is w, from the KKT conditions of the budget problem.

    −∇MSE(w) = μ·∂R(w), and since ⟨∂R(w), w⟩ = ρ‖w‖₁ + 2(1−ρ)‖w‖² (R is a sum of 1- and
    2-homogeneous terms), μ = ⟨−∇MSE(w), w⟩ / (ρ‖w‖₁ + 2(1−ρ)‖w‖²). The penalty λ·R has the
    same solution at λ = μ; λ = 0 when the budget is not binding.
    """
    if _budget(w, rho) < radius * (1.0 - 1e-9):
        return 0.0
    gradient = 2.0 * (prob.G @ w - prob.c)
    denominator = rho * float(np.abs(w).sum()) + 2.0 * (1.0 - rho) * float(w @ w)
    return max(float(-gradient @ w) / denominator, 0.0) if denominator > 0 else 0.0


def fit_constrained(X, y, kind: str, radius: float, *, l1_ratio: float = 0.5, fit_intercept: bool = True,
                    tol: float = DEFAULT_TOL, max_iter: int = 100_000) -> ConstrainedResult:
    """Minimize the MSE subject to R(w) ≤ radius, by accelerated projected gradient.

    R(w) = ρ·Σ|wⱼ| + (1 − ρ)·Σwⱼ² (ρ = 1 for "l1", 0 for "l2", ``l1_ratio`` for the elastic
    net): the same R as ``Penalty.budget`` and ``Penalty.ball``, so the L2 budget bounds Σw².
    The result carries ``lam``, the λ at which the penalized problem has the same solution.
    """
    check_kind(kind)
    rho = _l1_share(kind, l1_ratio)
    radius = check_nonnegative(radius, "radius")
    if radius == 0.0:
        raise ValueError("radius must be > 0 (a zero budget forces w = 0)")
    tol = check_nonnegative(tol, "tol")
    max_iter = check_count(max_iter, "max_iter")
    prob = _Problem.build(X, y, fit_intercept)
    L = prob.lipschitz()
    goal = tol * prob.scale
    w = np.zeros(prob.G.shape[0])
    v, t, residual, converged, k = w.copy(), 1.0, math.inf, False, 0
    for k in range(1, max_iter + 1):
        new = _project(v - (2.0 / L) * (prob.G @ v - prob.c), rho, radius)
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
        _warn("projected gradient", max_iter, residual, goal)
    lam = _matching_lam(prob, w, rho, radius, tol)
    return ConstrainedResult(kind, radius, w, prob.intercept(w), k, converged, prob.mse(w), lam, rho)


def lam_for_radius(X, y, kind: str, radius: float, *, l1_ratio: float = 0.5, fit_intercept: bool = True) -> float:
    """The λ whose penalized solution satisfies R(w) = radius (0 if the budget is not binding)."""
    return fit_constrained(X, y, kind, radius, l1_ratio=l1_ratio, fit_intercept=fit_intercept).lam


def radius_for_lam(X, y, penalty: Penalty, *, fit_intercept: bool = True) -> float:
    """The budget R(ŵ) used by the penalized solution ŵ: the radius with the same solution."""
    pen = _check_penalty(penalty)
    return pen.budget(fit(X, y, pen, fit_intercept=fit_intercept).coef)

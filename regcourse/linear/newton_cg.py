"""Newton steps on a sign pattern with a matrix-free inner solve, for sparse X with a large
working set (used by ``working_set.working_set``).

The working-set solver's exact Newton step needs the Cholesky factor of G_AA + l2·I. Its cost
has a floor of |A|³/3 flops along a path and |A|² memory traffic per step (3·10¹⁰ flops and
160 MB a step at |A| = 4500), while a sparse X restricted to the working set, X_W, is small
(1% non-zero: 4500 columns of a 10⁴-row X are 450,000 numbers, a few MB). Here the step

    (G_AA + l2·I)·d = r_A − ½·l1·θ_A,     r = c − (G + l2·I)·w,

is solved by conjugate gradients preconditioned by the diagonal (Jacobi), each product
(G_AA + l2·I)·v = Xc_Aᵀ(Xc_A·v)/n + l2·v costing two passes over the non-zeros of X_W. It is an
inexact (truncated) Newton method: while the sign pattern still changes, a step is solved only
to relative residual ``FORCING``; once a step kept the pattern, the next solve aims straight at
the target, 10⁻³ of the tolerance (so the certificate ends as far below the tolerance as the
exact step's does; the gradient is recomputed from the data at every step). Every CG iterate
started at 0, or at the best multiple of a guess, is a descent direction (it minimizes the
quadratic model over a Krylov space, so gᵀd ≥ ½·dᵀHd > 0). Zeros that violate enter at every
step, with the sign of their pull. The full step projected on the orthant θ (all weights that
would change sign stop at 0 at once) is kept when it lowers the objective; otherwise the exact
line search over the kinks (``_line_minimum``) runs, which stops one weight at 0 per step.

Near interpolation (|A| close to n) G_AA is nearly singular. The direction is then long along
its near-null directions, the line search stops it at a kink after a sliver of its length
(t ≈ 10⁻⁶), and the steps crawl: on the sparse 20000×50000 path at λ 94 of 100 (support 19300)
the KKT residual stayed at 2.0·10⁻⁷ for 300 steps. So the step is damped (Levenberg–Marquardt):

    (G_AA + l2·I + μ·D)·d = r_A − ½·l1·θ_A,     D = diag(G_AA + l2·I),

with μ = 0 at first; a step cut to less than ``SHORT_STEP`` of its length multiplies μ by
``DAMPING_FACTOR`` (from ``DAMPING_MIN``); the full projected step, or a line search that goes at
least half the length, divides it back, to 0 below ``DAMPING_MIN``, so the last steps are
undamped Newton steps. The damped direction is shorter
along the near-null directions, still a descent direction (the matrix is positive definite), and
its conjugate gradients converge faster. That λ: 29 steps, 2.4 s; the whole path, 83–96 s; a
sparse 1000×3000 (0.5%) path of 30 λ, 40 s unconverged → 4.3 s.
"""

from __future__ import annotations

import numpy as np

from regcourse.linear.kkt import kkt_violation
from regcourse.linear.newton_block import _line_minimum
from regcourse.linear.problem import Problem

__all__ = ["CG_MIN_WORKING_SET", "FORCING", "SparseFace", "newton_cg"]

CG_MIN_WORKING_SET = 1000  # below this, the factor-based Newton step is cheaper
FORCING = 0.1  # each inner solve reduces the face's residual by this factor
CG_MAX_ITER = 200
SHORT_STEP = 0.01  # a line search stopping the step before this share of its length raises the damping μ
DAMPING_FACTOR = 10.0  # μ's factor up (a short step) and down (a full one)
DAMPING_MIN = 1e-4  # μ's first value; below it μ falls back to 0


def _relaxed(damping: float) -> float:
    """μ after a step that went (nearly) its full length: divided by ``DAMPING_FACTOR``, and 0
    once it is at or below ``DAMPING_MIN``."""
    return damping / DAMPING_FACTOR if damping > DAMPING_MIN else 0.0


class SparseFace:
    """Products with Xc_W = X[:, W] − 1·x̄_Wᵀ for a working set W of a sparse problem."""

    def __init__(self, prob: Problem, W: np.ndarray):
        self.X = prob.X[:, W]  # CSC: a copy of the columns' non-zeros only
        self.XT = self.X.T.tocsr()
        self.mean = prob.x_mean[W]
        self.centred = bool(np.any(self.mean))
        self.n = prob.n

    def times(self, v: np.ndarray) -> np.ndarray:
        """Xc_W·v."""
        out = self.X @ v
        return out - float(self.mean @ v) if self.centred else out

    def t_times(self, u: np.ndarray) -> np.ndarray:
        """Xc_Wᵀ·u."""
        out = self.XT @ u
        return out - self.mean * float(u.sum()) if self.centred else out


def _pcg(
    product, b: np.ndarray, preconditioner: np.ndarray, rtol: float, max_iter: int, guess: np.ndarray | None = None
) -> np.ndarray:
    """Conjugate gradients for H·x = b with M⁻¹ = 1/preconditioner, stopped when
    ‖b − Hx‖ ≤ rtol·‖b‖. From x = 0, or from the best multiple α·u of a ``guess`` u
    (α = uᵀb / uᵀHu, the minimizer of ½xᵀHx − bᵀx on that line): either way every iterate
    has ½xᵀHx − bᵀx ≤ 0, so bᵀx > 0 and x is a descent direction."""
    x = np.zeros_like(b)
    r = b.copy()
    if guess is not None and np.any(guess):
        Hu = product(guess)
        curvature = float(guess @ Hu)
        if curvature > 0.0:
            alpha = float(guess @ b) / curvature
            x, r = alpha * guess, b - alpha * Hu
    z = r / preconditioner
    p = z.copy()
    rz = float(r @ z)
    goal = rtol * float(np.linalg.norm(b))
    for _ in range(max_iter):
        Hp = product(p)
        curvature = float(p @ Hp)
        if curvature <= 0.0:
            break
        alpha = rz / curvature
        x += alpha * p
        r -= alpha * Hp
        if float(np.linalg.norm(r)) <= goal:
            break
        z = r / preconditioner
        rz_next = float(r @ z)
        p = z + (rz_next / rz) * p
        rz = rz_next
    return x


def newton_cg(
    prob: Problem,
    W: np.ndarray,
    w: np.ndarray,
    half_l1: float,
    l2: float,
    goal: float,
    max_steps: int,
    *,
    first_round: bool = False,
    positive: bool = False,
):
    """Minimize the objective over the weights W (the others held at 0) by inexact Newton steps.

    ``w`` holds the weights of W. Returns (w, steps, status): status is "converged" when every
    weight of W meets the KKT condition to ``goal``, "stalled" when no step descends (rounding
    at a degenerate point: the caller falls back to the exact factor-based step), otherwise
    "steps" (``max_steps`` used up). With ``positive`` the weights stay ≥ 0: only zeros pulled
    upwards enter, and the projection onto the orthant θ = +1 is the clip at 0.

    As in the exact block solver, zeros enter with the sign of their pull; if the step with every
    violating zero does not descend (the inexact direction moves one of them against its sign),
    the step is retried with only the strongest one entering, then with none (the current face).

    Along a path, the first step at a new λ is nearly a multiple of the first step at the
    previous λ (on a fixed sign pattern the solution moves along −(G_AA + l2·I)⁻¹θ_A as l1
    falls), so that step, kept on the Problem (``newton_slope``) when ``first_round``, starts
    the conjugate gradients of the next λ's first step.
    """
    face = SparseFace(prob, W)
    diag = prob.diag[W]
    usable = diag + l2 > 0
    n = prob.n
    w = w.copy()
    target = 0.001 * goal  # below the tolerance, as the exact step's overshoot gives (benchmarks compare KKT residuals)
    residual = prob.yc - face.times(w)

    def objective(v, res):
        return float(res @ res) / n + 2.0 * half_l1 * float(np.abs(v).sum()) + l2 * float(v @ v)

    previous_active = None
    damping = 0.0
    entering_max = None  # how many zeros may enter this step: all; after a step that did not descend, 1, then 0
    for steps in range(max_steps + 1):
        q = face.t_times(residual) / n
        violation = kkt_violation(q, w, diag, half_l1, l2, positive)
        if violation.max() <= target:
            return w, steps, "converged"
        if steps == max_steps:
            return w, steps, "steps"
        theta = np.sign(w)
        entering = (theta == 0.0) & ((q if positive else np.abs(q)) > half_l1) & usable
        if entering_max is not None:
            pulls = np.flatnonzero(entering)
            entering[pulls[np.argsort(-np.abs(q[pulls]), kind="stable")[entering_max:]]] = False
        theta[entering] = np.sign(q[entering])
        active = np.flatnonzero(theta)
        r = q - l2 * w
        rhs = r[active] - half_l1 * theta[active]
        scatter = np.zeros(W.size)

        shift = l2 + damping * (diag[active] + l2)

        def product(v, active=active, scatter=scatter, shift=shift):
            scatter[active] = v
            return face.t_times(face.times(scatter))[active] / n + shift * v

        # While the sign pattern changes, rough steps find it; once a step kept it, one solve
        # aims straight at the target.
        settled = (
            previous_active is not None
            and np.array_equal(active, previous_active)
            and np.array_equal(theta[active], np.sign(w[active]))
        )
        rtol = min(FORCING, target / float(violation.max())) if settled else FORCING
        previous_active = active
        slope = prob.newton_slope if steps == 0 and first_round else None
        d = _pcg(
            product,
            rhs,
            (1.0 + damping) * (diag[active] + l2),
            rtol,
            CG_MAX_ITER,
            guess=None if slope is None else slope[W[active]],
        )
        if steps == 0 and first_round:
            prob.newton_slope = np.zeros(prob.p)
            prob.newton_slope[W[active]] = d
        # First the full step projected on the orthant θ (weights that would change sign stop
        # at 0, all at once), kept if it lowers the objective; else the exact line search.
        projected = w.copy()
        projected[active] += d
        projected[active[np.sign(projected[active]) != theta[active]]] = 0.0
        projected_residual = prob.yc - face.times(projected)
        if objective(projected, projected_residual) < objective(w, residual):
            w, residual, entering_max = projected, projected_residual, None
            damping = _relaxed(damping)
            continue
        if positive:  # no component may push a zero weight below 0
            d = np.where((w[active] == 0.0) & (d < 0.0), 0.0, d)
        scatter[:] = 0.0
        scatter[active] = d
        moved = face.times(scatter)
        curvature = float(moved @ moved) / n + l2 * float(d @ d)
        t, landing = _line_minimum(w[active], d, r[active], curvature, half_l1, positive)
        if t <= 0.0:
            if violation.max() <= goal:
                return w, steps, "converged"
            if entering.any():  # a zero entering against its pull's sign blocks the step: fewer enter
                entering_max = 1 if entering_max is None else 0
                continue
            return w, steps, "stalled"
        entering_max = None
        if t < SHORT_STEP:
            damping = max(damping * DAMPING_FACTOR, DAMPING_MIN)
        elif t >= 0.5:
            damping = _relaxed(damping)
        w = w.copy()
        w[active] += t * d
        if landing >= 0:
            w[active[landing]] = 0.0
        residual = prob.yc - face.times(w)  # recomputed from the data: no drift between steps
    return w, max_steps, "steps"

"""The lasso / elastic net on a small dense Gram matrix, with no working-set bookkeeping.

For p ≤ ``SMALL_MAX_FEATURES`` features in the Gram form, the course's usual size (a notebook,
a cross-validation fold, an explorer: thousands of calls), the cost of one fit is its Python
overhead, not its flops. So the whole problem

    J(w) = wᵀGw − 2cᵀw + l1·‖w‖₁ + l2·‖w‖²

is solved here by Newton steps on sign patterns over all p features at once, each a fresh
Cholesky factor of the |A|×|A| block (LAPACK's potrf/potrs called directly, no wrapper checks):

    A = the non-zero weights (while one of them violates its optimality condition), else the
        non-zero weights plus every violating zero, signed θ by its pull sign(qⱼ), q = c − Gw;
    (G_AA + l2·I)·d = r_A − ½·l1·θ_A,     r = q − l2·w;
    the full step w_A + d when it keeps the signs θ (it is then the minimizer of J on that
    face, a descent); else that step projected on the face (every weight that would cross 0
    stops at 0, so many leave at once) when it lowers J; else the exact line search over the
    kinks (``newton_block._line_minimum``), which stops one weight at 0.

The certificate is the same as every solver's (``kkt_violation``). The route gives up — and the
caller hands the current w, never worse than the start, to the working-set solver — when a block
is numerically singular (duplicated or collinear columns with l2 = 0: that solver's factor
keeps such a column out and swaps it in by exchange steps), when no step descends, or after
``max_steps``.
"""

from __future__ import annotations

import numpy as np

from regcourse.linear.newton_block import _line_minimum

__all__ = ["SMALL_MAX_FEATURES", "SMALL_MAX_ACTIVE", "SPAN_TOL", "solve_small"]

SMALL_MAX_FEATURES = 1000  # the KKT pass over all p features per step stays cheap (p² flops at most)
SMALL_MAX_ACTIVE = 256  # up to here a fresh |A|×|A| factor per step costs less than the bookkeeping
SPAN_TOL = 1e-6  # a Cholesky pivot ≤ this·√(Gⱼⱼ + l2): singular block, give up (as ``Factor.SPAN_TOL``)


def solve_small(G, c, diag, w, half_l1: float, l2: float, goal: float, max_steps: int, max_active: int):
    """Minimize J on all features by Newton steps on sign patterns (see the module docstring).

    ``w`` is the start (not changed). Returns (w, steps, status): status "converged" when the
    KKT residual is ≤ ``goal``, else "handover" (the caller continues from w with the general
    solver), also as soon as a step would need more than ``max_active`` active features.
    """
    from scipy.linalg.lapack import dpotrf, dpotrs

    w = w.copy()
    denominators = diag + l2
    usable = denominators > 0  # a constant feature with l2 = 0 stays at 0
    q = _neg_half_gradient(G, c, w)
    for steps in range(max_steps + 1):
        z = q + diag * w
        violation = np.abs(np.sign(z) * np.maximum(np.abs(z) - half_l1, 0.0) - denominators * w)
        violation *= usable
        violating = violation > goal
        if not violating.any():
            return w, steps, "converged"
        if steps == max_steps:
            break
        nonzero = w != 0.0
        if (violating & nonzero).any():  # first the optimum on the current face
            choices = (np.flatnonzero(nonzero),)
        else:
            entering = violating.copy()
            worst = np.zeros_like(entering)
            worst[int(np.argmax(violation))] = True
            choices = (np.flatnonzero(nonzero | entering), np.flatnonzero(nonzero | worst))
            if np.count_nonzero(entering) == 1:
                choices = choices[:1]
        t = 0.0
        if choices[-1].size > max_active:
            return w, steps, "handover"
        for active in choices:
            w_A = w[active]
            theta = np.sign(w_A)
            new = theta == 0.0
            theta[new] = np.sign(q[active[new]])
            r_A = q[active] - l2 * w_A
            rhs = r_A - half_l1 * theta
            H = G[np.ix_(active, active)]
            if l2:
                H.flat[:: active.size + 1] += l2
            R, info = dpotrf(H, lower=0, clean=0, overwrite_a=1)
            if info != 0 or np.any(np.abs(R.diagonal()) <= SPAN_TOL * np.sqrt(denominators[active])):
                return w, steps, "handover"
            d, info = dpotrs(R, rhs, lower=0)
            if info != 0:
                return w, steps, "handover"
            stepped = w_A + d
            kept = stepped * theta > 0.0
            if kept.all():  # the face's minimizer lies on the face: the whole step
                w[active] = stepped
                q = _neg_half_gradient(G, c, w)  # afresh: no drift from incremental updates
                t = 1.0
                break
            candidate = w.copy()  # the step projected on the face: every weight that crosses stops at 0
            candidate[active] = np.where(kept, stepped, 0.0)
            q_candidate = _neg_half_gradient(G, c, candidate)
            if _objective(candidate, c, q_candidate, half_l1, l2) < _objective(w, c, q, half_l1, l2):
                w, q, t = candidate, q_candidate, 1.0
                break
            t, landing = _line_minimum(w_A, d, r_A, float(d @ rhs), half_l1)
            if t <= 0.0:
                continue
            stepped = w_A + t * d
            if landing >= 0:
                stepped[landing] = 0.0
            w[active] = stepped
            q = _neg_half_gradient(G, c, w)
            break
        if t <= 0.0:
            return w, steps, "handover"
    return w, max_steps, "handover"


def _objective(w, c, q, half_l1: float, l2: float) -> float:
    """J(w) − const = wᵀGw − 2cᵀw + l1‖w‖₁ + l2‖w‖², written with q = c − Gw: −wᵀ(c + q) + …"""
    return -float(w @ (c + q)) + 2.0 * half_l1 * float(np.abs(w).sum()) + l2 * float(w @ w)


def _neg_half_gradient(G, c, w):
    """q = c − Gw, from the columns of the support when it is small."""
    support = np.flatnonzero(w)
    if 4 * support.size > w.size:
        return c - G @ w
    return c - G[:, support] @ w[support]

"""The lasso / elastic net on a small dense Gram matrix, with no working-set bookkeeping.

For p ≤ ``SMALL_MAX_FEATURES`` features in the Gram form and at most ``SMALL_MAX_ACTIVE`` active
ones — the course's usual sizes (a notebook, a cross-validation fold, an explorer: thousands of
calls) — the cost of one fit is its Python overhead, not its flops. So the whole problem

    J(w) = wᵀGw − 2cᵀw + l1·‖w‖₁ + l2·‖w‖²

is solved here by Newton steps on sign patterns over all p features at once, with the Cholesky
factor of the |A|×|A| block (LAPACK's potrf/potrs called directly, no wrapper checks; kept along
a path and extended by the features that enter, ``_factor``):

    A = the non-zero weights (while one of them violates its optimality condition), else the
        non-zero weights plus every violating zero, signed θ by its pull sign(qⱼ), q = c − Gw;
    (G_AA + l2·I)·d = r_A − ½·l1·θ_A,     r = q − l2·w;
    the full step w_A + d when it keeps the signs θ (it is then the minimizer of J on that
    face, a descent); else that step projected on the face (every weight that would cross 0
    stops at 0, so many leave at once) when it lowers J; else the exact line search over the
    kinks (``newton_block._line_minimum``), which stops one weight at 0.

The certificate is the same as every solver's (``kkt_violation``'s formula, inlined). The route gives up — and the
caller hands the current w, never worse than the start, to the working-set solver — when a block
is numerically singular (duplicated or collinear columns with l2 = 0: that solver's factor
keeps such a column out and swaps it in by exchange steps), when the active set would pass
``max_active``, when no step descends, or after ``max_steps``.
"""

from __future__ import annotations

import numpy as np

from regcourse.linear.newton_block import _line_minimum

__all__ = ["SMALL_MAX_FEATURES", "SMALL_MAX_ACTIVE", "SPAN_TOL", "solve_small"]

SMALL_MAX_FEATURES = 1000  # the KKT pass over all p features per step stays cheap (p² flops at most)
SMALL_MAX_ACTIVE = 256  # up to here a fresh |A|×|A| factor per step costs less than the bookkeeping
SPAN_TOL = 1e-6  # a Cholesky pivot ≤ this·√(Gⱼⱼ + l2): singular block, give up (as ``Factor.SPAN_TOL``)


def solve_small(
    G, c, diag, w, half_l1: float, l2: float, goal: float, max_steps: int, max_active: int, cache: dict | None = None
):
    """Minimize J on all features by Newton steps on sign patterns (see the module docstring).

    ``w`` is the start (not changed). Returns (w, steps, status): status "converged" when the
    KKT residual is ≤ ``goal``, else "handover" (the caller continues from w with the general
    solver), also as soon as a step would need more than ``max_active`` active features.
    ``cache`` (a dict, kept by the caller along a path) holds the last Cholesky factor (``_factor``).
    """
    from scipy.linalg.lapack import dpotrs

    w = w.copy()
    denominators = diag + l2
    usable = denominators > 0  # a constant feature with l2 = 0 stays at 0
    usable_all = bool(usable.all())
    q = _neg_half_gradient(G, c, w)
    for steps in range(max_steps + 1):
        z = q + diag * w
        shrunk = np.abs(z)
        shrunk -= half_l1
        np.maximum(shrunk, 0.0, out=shrunk)
        violation = np.copysign(shrunk, z, out=shrunk)
        violation -= denominators * w
        np.abs(violation, out=violation)
        if not usable_all:
            violation *= usable
        violating = violation > goal
        if not violating.any():
            return w, steps, "converged"
        if steps == max_steps:
            break
        nonzero = w != 0.0
        if (violating & nonzero).any():  # first the optimum on the current face
            choices = [nonzero.nonzero()[0]]
        else:  # every violator enters; if that gives no descent, the worst one alone
            choices = [(nonzero | violating).nonzero()[0]]
            if violating.sum() > 1:
                choices.append(None)
        t = 0.0
        if choices[0].size > max_active:
            return w, steps, "handover"
        for active in choices:
            if active is None:
                nonzero[int(np.argmax(violation))] = True
                active = nonzero.nonzero()[0]
            factored = _factor(G, denominators, l2, active, cache)
            if factored is None:  # singular: try the worst violator alone, else hand over
                continue
            active, R = factored  # the same features, in the factor's order
            w_A = w[active]
            theta = np.sign(w_A)
            new = theta == 0.0
            theta[new] = np.sign(q[active[new]])
            r_A = q[active] - l2 * w_A
            rhs = r_A - half_l1 * theta
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


def _factor(G, denominators, l2: float, active: np.ndarray, cache: dict | None):
    """(order, R): the features of ``active`` in some order and the upper Cholesky factor R of
    (G + l2·I) on them in that order, RᵀR = G_oo + l2·I; None if a pivot is ≤ ``SPAN_TOL``·√(Gⱼⱼ + l2)
    (the block is numerically singular).

    With a ``cache`` holding the last factor (same l2), its leading features that are all still
    active keep their rows of R and only the rest is appended: B = R⁻ᵀG_on, then the factor of
    G_nn + l2·I − BᵀB — O(|A|²k) for k new features instead of |A|³/3 (a path's support changes
    by a few features per λ).
    """
    from scipy.linalg.lapack import dpotrf, dtrtrs

    order, R = active[:0], None
    if cache is not None and cache.get("l2") == l2 and active.size > 16:
        member = np.zeros(denominators.size, dtype=bool)
        member[active] = True
        previous = cache["order"]
        still = member[previous]
        keep = previous.size if still.all() else int(np.argmin(still))
        if keep:
            order, R = previous[:keep], cache["R"][:keep, :keep]
            member[order] = False
            new = np.flatnonzero(member)
        else:
            new = active
    else:
        new = active
    if new.size:
        corner = G[np.ix_(new, new)]
        if l2:
            corner.flat[:: new.size + 1] += l2
        if order.size:
            B, info = dtrtrs(R, G[np.ix_(order, new)], lower=0, trans=1)
            if info != 0:
                return None
            corner -= B.T @ B
        R22, info = dpotrf(corner, lower=0, clean=1, overwrite_a=1)
        if info != 0 or np.any(np.abs(R22.diagonal()) <= SPAN_TOL * np.sqrt(denominators[new])):
            return None
        if order.size:
            m, k = order.size, new.size
            full = np.zeros((m + k, m + k))
            full[:m, :m], full[:m, m:], full[m:, m:] = R, B, R22
            order, R = np.concatenate([order, new]), full
        else:
            order, R = new, R22
    if cache is not None:
        cache.update(l2=l2, order=order, R=R)
    return order, R


def _objective(w, c, q, half_l1: float, l2: float) -> float:
    """J(w) − const = wᵀGw − 2cᵀw + l1‖w‖₁ + l2‖w‖², written with q = c − Gw: −wᵀ(c + q) + …"""
    return -float(w @ (c + q)) + 2.0 * half_l1 * float(np.abs(w).sum()) + l2 * float(w @ w)


def _neg_half_gradient(G, c, w):
    """q = c − Gw, from the columns of the support when it is small."""
    support = w.nonzero()[0]
    if 4 * support.size > w.size:
        return c - G @ w
    return c - G[:, support] @ w[support]

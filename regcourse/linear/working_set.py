"""The working-set solver ("active_set", the default for L1 and the elastic net): the outer loop
(KKT pass over every feature, strong rule, working set growth) around the exact block solve
(``newton_block``) or, for sparse X with a large working set, the matrix-free Newton steps
(``newton_cg``); and ``continuation``, the short path a cold start goes down.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from regcourse.linear.factor import Factor
from regcourse.linear.homotopy import homotopy_gram, lasso_homotopy
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.newton_block import _newton_on_block
from regcourse.linear.newton_cg import CG_MIN_WORKING_SET, newton_cg
from regcourse.linear.problem import Problem
from regcourse.linear.results import ConvergenceWarning, warn_not_converged
from regcourse.linear.screened import screened_fit
from regcourse.linear.small_p import SMALL_MAX_ACTIVE, SMALL_MAX_FEATURES, solve_small
from regcourse.penalties import ElasticNet, Penalty

__all__ = ["working_set", "continuation", "DIRECT_MAX_FEATURES"]

STAGES_PER_DECADE = 3.0  # continuation: L1 weights 10^(1/3) apart
BLOCK_MAX_COLUMNS = 3000  # the exact block route's Gram block, |W|² floats (72 MB), after CG stalls
DIRECT_MAX_FEATURES = 64  # a cold start this small goes straight to its λ (beyond, the stages pay off)


def working_set(
    prob: Problem,
    pen: Penalty,
    w: np.ndarray,
    tol: float,
    max_iter: int,
    *,
    previous_half_l1: float | None = None,
    factor: Factor | None = None,
    positive: bool = False,
):
    """L1 and elastic net by a working set (as in celer and skglm), solved by Newton steps.

    1. One pass over every feature: q = c − Gw (a Gram product in the Gram form, else one
       Xcᵀ·residual) and the KKT violation of each weight. All below tol·max|c|: done — the
       certificate covers every feature, not only the working set.
    2. The working set W: the support plus at least as many of the zeros, chosen by how hard
       they pull (|qⱼ|). On a path, the sequential strong rule (glmnet) picks them:
       |qⱼ| ≥ l1 − l1_previous/2 in half-gradient units. Features outside W stay at 0.
    3. The problem restricted to W is solved exactly (``_newton_on_block``) on the |W|×|W| Gram
       block, which is cheap because W is small; back to 1.
    With a small dense Gram matrix (p ≤ ``SMALL_MAX_FEATURES``), ``small_p.solve_small`` first
    solves the whole problem without this bookkeeping; the loop above runs only if it hands over.
    ``n_iter`` counts Newton steps; ``max_iter`` bounds them. Along a path, pass the same
    ``factor`` (a ``Factor``) to every λ: the Cholesky factor of the active set carries over
    (for the elastic net, whose l2 changes with λ, while ``Factor.serves`` the new l2: its Newton
    steps are then solved by CG preconditioned with the factor).

    Duplicated or collinear columns: the lasso's solution is then not unique. J, the fitted
    values Xw and (for copies of one column) the sum of the weights over the copies are; how the
    sum is split is not. The factor admits no column in the span of the active ones
    (``Factor.append``), so from 0 or along a path one copy — the first to enter, usually the
    lowest index — carries the whole weight and the others stay at 0 (scikit-learn may split
    it); a column that is a combination of active ones is swapped in by an exchange step when it
    fits as well for less L1 norm (``_exchange``). Compare J and Xw, not the coefficients. With
    l2 > 0 the solution is unique and G_AA + l2·I is never singular.
    """
    half_l1, l2 = 0.5 * pen.l1_coef, pen.l2_coef
    goal = tol * prob.scale
    steps = 0
    if prob.G is not None and prob.p <= SMALL_MAX_FEATURES and not positive:  # no bookkeeping (``small_p``)
        limit = prob.p if prob.p <= SMALL_MAX_ACTIVE else SMALL_MAX_ACTIVE
        w, steps, status = solve_small(
            prob.G, prob.c, prob.diag, w, half_l1, l2, goal, max_iter, limit, cache=prob.small_factor
        )
        if status == "converged":
            return w, max(steps, 1), True
    if factor is None or not factor.serves(l2):
        factor = Factor(prob, l2)
    diag = prob.diag
    max_active = prob.p if l2 > 0 else prob.rank_bound
    w = w.copy()
    residual, size = math.inf, 0
    while True:
        q = prob.neg_half_gradient(w)
        violation = kkt_violation(q, w, diag, half_l1, l2, positive)
        residual = float(violation.max())
        if residual <= goal:
            return w, max(steps, 1), True
        if steps >= max_iter:
            warn_not_converged("active_set", max_iter, residual, goal)
            return w, steps, False
        support = np.flatnonzero(w)
        pull = q.copy() if positive else np.abs(q)  # with w ≥ 0 only a positive pull can move a zero
        pull[support] = -1.0
        if previous_half_l1 is not None:
            threshold = min(2.0 * half_l1 - previous_half_l1, half_l1)
            previous_half_l1 = None  # the strong rule is for the first round only
            first_round = True
        else:
            threshold, first_round = half_l1, False
        candidates = np.flatnonzero((pull > threshold) & (diag + l2 > 0))
        size = max(10, support.size, 2 * size)
        if candidates.size > size:
            candidates = candidates[np.argpartition(-pull[candidates], size - 1)[:size]]
        W = np.union1d(support, candidates)
        if W.size == support.size and residual > goal:  # the violations are all on the support
            W = np.union1d(support, np.flatnonzero(violation > goal))
        if prob.sparse and W.size >= CG_MIN_WORKING_SET:
            if 2 * W.size >= prob.p:  # over half the features: take them all, no second round
                W = np.flatnonzero(diag + l2 > 0)
            solved, taken, status = newton_cg(
                prob, W, w[W], half_l1, l2, goal, max_iter - steps, first_round=first_round, positive=positive
            )
            steps += max(taken, 1)
            w = np.zeros_like(w)
            w[W] = solved
            if status != "stalled":
                continue
            q = prob.neg_half_gradient(w)
            if np.count_nonzero(w) > BLOCK_MAX_COLUMNS:  # no dense block can hold it: stop, and say so
                residual = float(kkt_violation(q, w, diag, half_l1, l2, positive).max())
                warnings.warn(
                    f"the sparse Newton-CG step stalled with {np.count_nonzero(w)} non-zero weights, more than "
                    f"the exact route's {BLOCK_MAX_COLUMNS}; stopped at optimality residual {residual:.2e} > "
                    f"{goal:.2e}. Increase tol or λ.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
                return w, max(steps, 1), False
            W = _bounded_block(W, w, q, BLOCK_MAX_COLUMNS)
        block = prob.gram_block(W)
        solved, taken, _ = _newton_on_block(
            W, block, prob.c[W], diag[W], w[W], q[W], half_l1, l2, goal, max_iter - steps, max_active, factor, positive
        )
        steps += max(taken, 1)
        w = np.zeros_like(w)
        w[W] = solved


def _bounded_block(W: np.ndarray, w: np.ndarray, q: np.ndarray, limit: int) -> np.ndarray:
    """After the matrix-free route stalls on a large working set, the exact block route takes
    over on at most ``limit`` features of it (its Gram block is dense): the support (the caller
    has made sure it fits), then the zeros that pull hardest."""
    if W.size <= limit:
        return W
    support = W[w[W] != 0.0]
    zeros = W[w[W] == 0.0]
    room = max(limit - support.size, 0)
    strongest = zeros[np.argsort(-np.abs(q[zeros]), kind="stable")[:room]]
    return np.union1d(support, strongest)


def continuation(prob: Problem, pen: Penalty, tol: float, max_iter: int, positive: bool = False):
    """A cold start far below λ_max goes down a short path (as glmnet does): the L1 weight
    from max|c|·2 (where w = 0) down to l1 in steps of 10^(1/3), each warm-starting the next,
    so features enter a few at a time with the right signs. The L2 weight stays fixed, so one
    Cholesky factor serves every step. ``n_iter`` counts the Newton steps of all of them."""
    direct = prob.G is not None and prob.p <= DIRECT_MAX_FEATURES and not positive
    gram = None if positive else homotopy_gram(prob, "fit")
    if gram is not None:  # compiled, the homotopy is the cheapest way down from 0
        solved = _homotopy_fit(prob, gram, pen, tol, max_iter)
        if solved is not None:
            return solved
    elif not positive and not direct:
        solved = screened_fit(prob, pen, tol, max_iter)
        if solved is not None:
            return solved
    top = 2.0 * float(np.abs(prob.c).max())
    steps_down = math.ceil(STAGES_PER_DECADE * math.log10(top / pen.l1_coef)) if 0.0 < pen.l1_coef < top else 0
    if direct:
        steps_down = 0  # ``solve_small`` goes straight to the target: fewer steps than the stages'
    factor = None if direct else Factor(prob, pen.l2_coef)  # ``solve_small`` keeps its own
    w, total, previous = np.zeros(prob.p), 0, None
    stages = list(np.geomspace(top, pen.l1_coef, steps_down + 1)[1:-1]) if steps_down else []
    for l1 in stages + [pen.l1_coef]:
        stage = ElasticNet(l1=l1, l2=pen.l2_coef) if l1 != pen.l1_coef else pen
        last = stage is pen
        with warnings.catch_warnings():
            if not last:
                warnings.simplefilter("ignore")  # only the final fit's convergence is reported
            w, taken, converged = working_set(
                prob,
                stage,
                w,
                tol,
                max(max_iter - total, 1),
                previous_half_l1=previous,
                factor=factor,
                positive=positive,
            )
        total += taken
        previous = 0.5 * l1
    return w, total, converged


def _homotopy_fit(prob: Problem, G: np.ndarray, pen: Penalty, tol: float, max_iter: int):
    """(w, kinks, True) for a small dense problem from 0 by the homotopy (``homotopy``) on its
    Gram matrix G, the elastic net as the lasso on G + l2·I; None when it stops short (a
    singular block, or out of kinks), and the caller solves the problem its usual way."""
    diag = prob.diag
    if pen.l2_coef:
        G, diag = G + pen.l2_coef * np.eye(prob.p), diag + pen.l2_coef
    solved, done, kinks = lasso_homotopy(G, prob.c, diag, np.array([0.5 * pen.l1_coef]), tol * prob.scale, max_iter)
    if done < 1 or int(kinks[0]) > max_iter:
        return None
    return solved[0], int(kinks[0]), True

"""A single cold fit by the homotopy on a screened working set: the lasso (or elastic net) at one
λ for a dense problem too wide for the whole Gram matrix to pay (p above the compiled homotopy's
limit; an elastic net with n < p ≤ 1000 goes to coordinate descent instead,
``working_set._wide_enet_fit``).

Forming G = XcᵀXc/n costs n·p² flops, far more than a fit at one λ needs when few features are
active there. Instead:

1. W: the features that pull hardest at w = 0 (largest |cⱼ|), ``FIRST_SIZE`` of them.
2. The problem restricted to W is solved exactly, by the homotopy from λ_max(W) down to λ on
   the |W|×|W| block G_WW (n·|W|² flops; ``Problem.gram_block`` caches it as W grows).
3. One pass over every feature, q = Xcᵀ(yc − Xc·w)/n, certifies w for the whole problem
   (``kkt_violation`` ≤ tol·max|c|): done. Otherwise the features outside W that pull hardest
   (|qⱼ|; every violator among them, at least |W|/2 and at most |W| features) join W; back to 2.

A feature outside W is 0 and satisfies its condition |qⱼ| ≤ l1/2 when the pass says so, so the
answer is the whole problem's solution, certified like every solver's. The route hands over
(returns None) when W would outgrow ``COMPILED_WIDE_MAX_FEATURES``, when a block is singular,
or when a block's homotopy solution misses the goal after ``POLISH_STEPS`` Newton steps of
polish (near interpolation, |A| close to n: the continuation is then cheaper).
"""

from __future__ import annotations

import numpy as np

from regcourse.linear import compiled, homotopy
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.problem import is_sparse

__all__ = ["screened_fit", "gram_too_costly", "FIRST_SIZE", "POLISH_STEPS"]

POLISH_STEPS = 20  # Newton steps allowed to polish a block's homotopy solution before handing over
FIRST_SIZE = 32  # the first working set; each round adds the violators, at least |W|/2 and at most |W| features


def gram_too_costly(X) -> bool:
    """True when one cold fit on X should not form G = XcᵀXc/n: X dense with more than
    ``COMPILED_MAX_FEATURES`` columns. Measured (CONTRIBUTING, *Solver benchmark*): on 1000×1000
    forming G took 25 of a fit's 28 ms; the fit in the residual form took 3 ms with the compiled
    homotopy and 9 ms without it (a path, which reuses G at every λ, keeps it)."""
    shape = getattr(X, "shape", None)
    return shape is not None and len(shape) == 2 and shape[1] > homotopy.COMPILED_MAX_FEATURES and not is_sparse(X)


def screened_fit(prob, pen, tol: float, max_iter: int):
    """(w, kinks, True) for a dense ``Problem`` at the L1/L2 weights of ``pen``; None when the
    compiled homotopy is not at hand, the working set outgrows ``COMPILED_WIDE_MAX_FEATURES``,
    or a block is singular — the caller then solves the problem its usual way."""
    if prob.sparse or compiled.homotopy_loop() is None:
        return None
    half_l1, l2 = 0.5 * pen.l1_coef, pen.l2_coef
    goal = tol * prob.scale
    eligible = prob.diag + l2 > 0
    pull = np.where(eligible, np.abs(prob.c), -1.0)
    size = min(FIRST_SIZE, int(eligible.sum()))
    if size == 0:  # every column constant: nothing to fit, the usual route says so
        return None
    W = np.sort(np.argpartition(-pull, size - 1)[:size]) if size < prob.p else np.arange(prob.p)
    total = 0
    while W.size <= homotopy.COMPILED_WIDE_MAX_FEATURES:
        block = prob.gram_block(W)
        diag = prob.diag[W]
        if l2:
            block, diag = block + l2 * np.eye(W.size), diag + l2
        # A short polish only: on a block too ill-conditioned for the homotopy's own accuracy (|A|
        # near n, a tiny l2) NumPy's Newton steps over all of W cost more than handing over.
        halves = np.array([half_l1])
        solved, done, kinks = homotopy.lasso_homotopy(
            block, prob.c[W], diag, halves, goal, max_iter - total, POLISH_STEPS
        )
        if done < 1:
            return None
        total += int(kinks[0])
        w = np.zeros(prob.p)
        w[W] = solved[0]
        q = prob.neg_half_gradient(w)
        violation = kkt_violation(q, w, prob.diag, half_l1, l2)
        if float(violation.max()) <= goal:
            return w, max(total, 1), True
        if total >= max_iter:
            return None
        violation[W] = -1.0
        missing = int(np.count_nonzero(violation > goal))
        if missing == 0:  # the misses are inside W (rounding): let the usual route polish
            return None
        grow = min(max(missing, W.size // 2), W.size, int(np.count_nonzero(eligible)) - W.size)
        pull = np.where(eligible, np.abs(q), -1.0)
        pull[W] = -1.0
        W = np.union1d(W, np.argpartition(-pull, grow - 1)[:grow])
    return None

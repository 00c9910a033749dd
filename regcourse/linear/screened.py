"""A single cold fit on a screened working set: the lasso or the elastic net at one λ for a dense
problem too wide for the whole Gram matrix to pay (p above the compiled homotopy's limit).

Forming G = XcᵀXc/n costs n·p² flops, far more than a fit at one λ needs when few features are
active there. Instead:

1. W: the features that pull hardest at w = 0 (largest |cⱼ|), ``FIRST_SIZE`` of them.
2. The problem restricted to W is solved (the block solvers below).
3. One pass over every feature, q = Xcᵀ(yc − Xc·w)/n, certifies w for the whole problem
   (``kkt_violation`` ≤ tol·max|c|): done. Otherwise the features outside W that pull hardest
   (|qⱼ|) join W, back to 2: every violator among them, and more — twice as many features as
   violators when that is at most ``WARM_MAX``·|W|, else at least |W|/2 — but at most |W|, and
   no more than the limit leaves room for.

A feature outside W is 0 and satisfies its condition |qⱼ| ≤ l1/2 when the pass says so, so the
answer is the whole problem's solution, certified like every solver's.

The block solvers (all compiled; W grows by appending, and ``Problem.gram_block`` caches G_WW in
that order, so a round pays n·|W|·(new columns) flops for its block, not n·|W|²):

- **The lasso's homotopy** on G_WW, exact. It starts from 0 (from λ_max(W) down) after a large
  growth, and from the last round's w when at most ``WARM_MAX``·|W| features joined: then only
  the newcomers' thresholds fall (``homotopy.lasso_homotopy_from``) and the path passes only the
  kinks they cause. A warm path runs at the final support size from its first kink, so after a
  large growth the cold one, whose early kinks are cheap, is faster (300×1000 at λ_max/1000:
  61 ms against 100 ms for always warm or always cold).
- **Sweeps** (coordinate descent from the last w, to ``INNER_SHARE`` of the largest violation
  outside W while W grows, then to the goal, as celer's inner solves): always for the elastic
  net, whose support can exceed n, where the homotopy's kinks multiply; for the lasso once a
  round's homotopy would cost more than ``HOMOTOPY_ROUND_FLOPS`` (|A|²·|W|, A the last round's
  support; 1000×1000 at λ_max/1000, support 714: 129 → 91 ms when the limit went from 1e8 to
  1e7), unless A has more than ``NEAR_RANK``·n features: near interpolation the sweeps crawl and
  the homotopy stays (300×1000 at λ_max/1000, support 282: 52 ms, against 88–109 ms swept). A
  homotopy round after a swept one starts cold (the swept w is loose). The sweeps run on G_WW
  (``enet_cd``, which lands small supports with a Newton step) while forming it costs at most
  ``GRAM_BLOCK_FLOPS`` and W is at most ``RESIDUAL_WIDER``·n features, else in the
  residual form (``_residual_loop``: 2n flops a step, no block; make_regression 5000×2000, and
  wide blocks, whose rows of G would be longer than X's columns: Toeplitz .8 500×5000 elastic
  net at λ_max/100, 96 → 57 ms). The residual form reads Xc's columns in place when Xc is
  column-major (``fit`` stores a tall X's that way: make_regression at λ_max/100, 0.20 → 0.18 s,
  no 46 MB gathered copy), else it gathers W's columns (``_Columns``). Both forms extrapolate
  their sweeps (Anderson, ``enet_cd.ANDERSON_DEPTH``): 300×1000 elastic net at λ_max/100,
  150 → 77 sweeps.

The route hands over (returns None) when W fills its limit (``COMPILED_WIDE_MAX_FEATURES`` for the
homotopy, ``SWEPT_MAX_FEATURES`` for the sweeps) and still misses, when a block is singular, when
a block's homotopy solution misses the goal after ``POLISH_STEPS`` Newton steps of polish, or
when the sweeps need more than ``max_iter`` (both near interpolation, |A| close to n: the
continuation is then cheaper).
"""

from __future__ import annotations

import numpy as np

from regcourse.linear import compiled, homotopy
from regcourse.linear.enet_cd import ANDERSON_DEPTH, enet_cd_path
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.problem import is_sparse

__all__ = ["screened_fit", "gram_too_costly", "FIRST_SIZE", "POLISH_STEPS"]

POLISH_STEPS = 20  # Newton steps allowed to polish a block's homotopy solution before handing over
FIRST_SIZE = 32  # the first working set; each round adds the violators, at least |W|/2 and at most |W| features
WARM_MAX = 0.25  # a round that added at most this share of W starts from the last w
HOMOTOPY_ROUND_FLOPS = 1e7  # the lasso: a round whose homotopy would cost more (|A|²·|W|) is swept instead,
NEAR_RANK = 0.75  # ... unless its support (the last round's) has more than this share of n features
INNER_SHARE = 0.1  # while W grows, a block is swept to this share of the largest violation outside it
SWEPT_MAX_FEATURES = 3000  # W's limit for the sweeps (a Gram block of |W|² floats, 72 MB)
GATHER_ROWS = 256
RESERVED_BYTES = 2**28  # the gathered columns' first buffer: up to W's limit, within this many bytes
GRAM_BLOCK_FLOPS = 1e9  # a block whose Gram matrix costs more (n·|W|² flops) is swept in the residual form
RESIDUAL_WIDER = 1.0  # ... and so is a block wider than this many times n (a row of G costs more than a column of X)


def gram_too_costly(X) -> bool:
    """True when one cold fit on X should not form G = XcᵀXc/n: X dense with more than
    ``COMPILED_MAX_FEATURES`` columns. Measured (CONTRIBUTING, *Solver benchmark*): on 1000×1000
    forming G took 25 of a fit's 28 ms; the fit in the residual form took 3 ms with the compiled
    homotopy and 9 ms without it (a path, which reuses G at every λ, keeps it)."""
    shape = getattr(X, "shape", None)
    return shape is not None and len(shape) == 2 and shape[1] > homotopy.COMPILED_MAX_FEATURES and not is_sparse(X)


def screened_fit(prob, pen, tol: float, max_iter: int):
    """(w, kinks or sweeps, True) for a dense ``Problem`` at the L1/L2 weights of ``pen``; None
    when the compiled loops are not at hand, or W reaches its limit and still misses, or a block
    is singular, its polish falls short or its sweeps run out — the caller then solves the problem
    its usual way."""
    if prob.sparse or compiled.homotopy_loop() is None or compiled.enet_loop() is None:
        return None
    half_l1, l2 = 0.5 * pen.l1_coef, pen.l2_coef
    goal = tol * prob.scale
    eligible = prob.diag + l2 > 0
    pull = np.where(eligible, np.abs(prob.c), -1.0)
    size = min(FIRST_SIZE, int(eligible.sum()))
    if size == 0:  # every column constant: nothing to fit, the usual route says so
        return None
    W = np.argpartition(-pull, size - 1)[:size] if size < prob.p else np.arange(prob.p)
    moving = np.ones(W.size, dtype=bool)
    w = np.zeros(prob.p)
    total = 0
    gathered, swept = None, False
    outside = prob.scale  # the largest violation outside W, for the sweeps' looser early goals
    while True:
        was_swept, support = swept, np.count_nonzero(w)
        # the lasso: sweeps once the homotopy would cost too much, except near interpolation
        # (a support near n), where coordinate descent crawls and the homotopy stays exact
        swept = l2 > 0 or (support**2 * W.size > HOMOTOPY_ROUND_FLOPS and support < NEAR_RANK * prob.n)
        if swept:
            inner = max(goal, INNER_SHARE * outside)
            # The residual form where the Gram block would cost too much, or where a row of G would
            # be longer than a column of X (a wide block: n < |W|)
            if prob.n * W.size**2 > GRAM_BLOCK_FLOPS or W.size > RESIDUAL_WIDER * prob.n:
                if prob.X.flags.f_contiguous:  # Xc is column-major already: its columns are swept in place
                    block, at = prob.X, W
                else:
                    if gathered is None:
                        gathered = _Columns(prob, min(prob.p, SWEPT_MAX_FEATURES))
                    block, at = gathered.of(W), np.arange(W.size)
                solved = _block_by_residual(prob, block, at, w[W], prob.diag[W], half_l1, l2, inner, max_iter - total)
            else:
                solved = _block_by_sweeps(prob, W, w, half_l1, l2, inner, max_iter - total)
        else:
            if was_swept or np.count_nonzero(moving) > WARM_MAX * W.size:  # a cold start: all move from 0
                # (after a swept round w is loose, not the block's exact solution a warm start needs)
                moving = np.ones(W.size, dtype=bool)
            start = np.where(moving, 0.0, w[W])
            # A short polish only: on a block too ill-conditioned for the homotopy's own accuracy
            # (|A| near n) NumPy's Newton steps over all of W cost more than handing over.
            solved = homotopy.lasso_homotopy_from(
                prob.gram_block(W),
                prob.c[W],
                prob.diag[W],
                half_l1,
                start,
                moving,
                goal,
                max_iter - total,
                POLISH_STEPS,
            )
        if solved is None:
            return None
        total += solved[1]
        w = np.zeros(prob.p)
        w[W] = solved[0]
        residual = solved[2] if len(solved) > 2 else None  # the residual form's r = yc − Xc·w
        q = prob.neg_half_gradient(w) if residual is None else prob.rmatvec(residual) / prob.n
        violation = kkt_violation(q, w, prob.diag, half_l1, l2)
        if float(violation.max()) <= goal:
            return w, max(total, 1), True
        if total >= max_iter:
            return None
        violation[W] = -1.0
        outside = float(violation.max())
        missing = int(np.count_nonzero(violation > goal))
        if missing == 0:
            if swept and inner > goal:
                continue  # W is right: solve it to the goal
            return None  # the misses are inside W (rounding): let the usual route polish
        room = (SWEPT_MAX_FEATURES if swept else homotopy.COMPILED_WIDE_MAX_FEATURES) - W.size
        if room <= 0:
            return None
        wanted = 2 * missing if 2 * missing <= WARM_MAX * W.size else max(missing, W.size // 2)
        # A tall problem headed for the residual form takes every violator at once: its sweeps
        # over all of them cost less than the certificate passes of more rounds (make_regression
        # 5000×2000 at λ_max/100: one round of 1148 features instead of five); elsewhere that
        # overshoots (200×5000 elastic net at λ_max/100: 4× slower).
        tall = prob.n >= prob.p and prob.n * (W.size + missing) ** 2 > GRAM_BLOCK_FLOPS
        cap = prob.p if swept and tall else W.size
        grow = min(wanted, cap, room, int(np.count_nonzero(eligible)) - W.size)
        pull = np.where(eligible, np.abs(q), -1.0)
        pull[W] = -1.0
        # The new features join at the end (the cached Gram block keeps that order: no copy); if
        # they are few, the next homotopy starts from w and only they move.
        W = np.concatenate([W, np.argpartition(-pull, grow - 1)[:grow]])
        moving = np.zeros(W.size, dtype=bool)
        moving[-grow:] = True
    return None


def _block_by_sweeps(prob, W, w, half_l1, l2, goal, max_sweeps):
    """The elastic net (or a swept lasso round, l2 = 0) on block W by compiled coordinate descent
    on its Gram block (``enet_cd``) from w[W]: the sweeps warm-start for free. (w_W, sweeps) or
    None (no numba, or ``max_sweeps`` reached)."""
    halves, l2s = np.array([half_l1]), np.array([l2])
    solved = enet_cd_path(
        prob.gram_block(W), prob.c[W], prob.diag[W], halves, l2s, goal, max_sweeps, per_point=max_sweeps, start=w[W]
    )
    if solved is None or solved[1] < 1:
        return None
    return solved[0][0], int(solved[2][0])


class _Columns:
    """Xc[:, W] column-major, gathered as W grows by appending. A buffer of ``limit`` columns
    (W's own limit) is reserved at the start when it fits in ``RESERVED_BYTES``, and filled in
    place: only the pages written are ever faulted in, and no round copies the columns it already
    had (on a VM that hands freed memory back, fresh memory cost 1.5 ms a MB after an idle spell:
    0.2 s of a 0.2 s fit). A taller problem reserves what fits (at least 2·|W|) and doubles
    the buffer when W outgrows it, so that a kernel under an address-space limit is never asked
    for limit·n floats at once (n = 10⁵: 2.4 GB). The new columns are gathered a band of
    ``GATHER_ROWS`` rows at a time and transposed in cache: column by column, every element is a
    cache miss (5000×1276 from a 5000×2000 X: 123 against 25 ms)."""

    def __init__(self, prob, limit: int):
        self.prob, self.count, self.limit = prob, 0, limit
        self.transposed = np.empty((min(limit, max(RESERVED_BYTES // (8 * prob.n), 1)), prob.n))  # rows: columns

    def of(self, W: np.ndarray) -> np.ndarray:
        if W.size > self.transposed.shape[0]:
            grown = np.empty((min(self.limit, max(2 * self.transposed.shape[0], 2 * W.size)), self.prob.n))
            grown[: self.count] = self.transposed[: self.count]
            self.transposed = grown
        new = W[self.count :]
        if new.size:
            X, rows = self.prob.X, self.transposed[self.count : W.size]
            for start in range(0, self.prob.n, GATHER_ROWS):
                rows[:, start : start + GATHER_ROWS] = X[start : start + GATHER_ROWS, new].T
            self.count = W.size
        return self.transposed[: W.size].T


def _block_by_residual(prob, X, columns, start, diag, half_l1, l2, goal, max_sweeps):
    """The elastic net (or a swept lasso round) on the block X[:, columns] (X column-major) by
    compiled coordinate descent in the residual form (``_residual_loop``) from ``start``:
    (w_W, sweeps, r = yc − Xc·w) or None (no numba, or out of sweeps)."""
    loop = compiled.residual_loop()
    if loop is None:
        return None
    w, residual = np.array(start, dtype=float), np.empty(prob.n)
    depth = ANDERSON_DEPTH
    history = (np.empty((depth + 1, w.size)), np.empty((depth + 1, prob.n)), np.empty((depth, depth + 1)))
    sweeps = compiled.run(
        "residual", loop, X, columns, prob.yc, w, residual, diag, half_l1, l2, goal, max_sweeps, *history
    )
    if sweeps is None or sweeps < 0:
        return None
    return w, max(int(sweeps), 1), residual

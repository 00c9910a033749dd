"""The whole lasso path of a small dense problem at once, by homotopy (LARS with drops): the
solution is piecewise linear in λ, so it is followed from kink to kink instead of solved at every
grid point.

With h = l1/2 and the active set A with signs θ fixed, the optimality conditions on A,
G_AA·w_A = c_A − h·θ_A, give

    w_A(h) = a − h·b,    a = G_AA⁻¹c_A,  b = G_AA⁻¹θ_A,
    q(h) = c − G_{:A}·w_A(h) = u + h·v,    u = c − G_{:A}a,  v = G_{:A}b,

valid as h falls until the next kink: a weight of A reaches 0 (h = aⱼ/bⱼ; it leaves A) or an
inactive feature's pull reaches the threshold, |uⱼ + h·vⱼ| = h (it enters with the sign of its
pull). Only a root approached as h falls counts — a weight moving towards 0 (θⱼbⱼ < 0), a pull
moving towards ±h (vⱼ < 1, vⱼ > −1): the other root lies above the current h, and only rounding
can put it a hair below (then a feature that has just left re-enters with the wrong sign).
Every grid point between two kinks is then w_A(h) exactly — a few vectorized operations for all
of them. Between kinks one |A|×|A| factor (LAPACK potrf/potrs, |A| ≤ p small).

The route certifies what it returns with every solver's residual (``kkt_violation``), all grid
points at once; a grid point that misses the tolerance (a tie of kinks, rounding) is polished by
``small_p.solve_small``, and the route stops at a singular block (duplicated or collinear columns)
and leaves the rest of the grid to the caller.
"""

from __future__ import annotations

import numpy as np

from regcourse.linear import compiled
from regcourse.linear.small_p import SPAN_TOL, solve_small

__all__ = [
    "HOMOTOPY_MAX_FEATURES",
    "COMPILED_MAX_FEATURES",
    "COMPILED_WIDE_MAX_FEATURES",
    "COMPILED_ENET_MAX_FEATURES",
    "homotopy_gram",
    "lasso_homotopy",
    "lasso_homotopy_from",
]

HOMOTOPY_MAX_FEATURES = 64  # kinks ~ p to 2p: beyond this the per-λ route's work is comparable
# Compiled, a kink costs O(p·|A|) flops and no call overhead: measured (benchmarks/linear.py and
# the table in CONTRIBUTING) faster than the per-λ routes up to about 300 features, and on wide
# (p > n) lasso paths up to about 1000; beyond, the working set's fewer, larger steps win.
COMPILED_MAX_FEATURES = 320
COMPILED_WIDE_MAX_FEATURES = 1000
COMPILED_ENET_MAX_FEATURES = 128  # p > n elastic net: G is formed for coordinate descent up to this size
EXTRA_ROWS = 8  # the compiled loop's scratch is (p + EXTRA_ROWS)×p: L, then a, b, u, v, z (two rows), two spare
FLAT_PULL, FLAT_SLOPE = 1e-11, 1e-9  # |uⱼ| ≤ FLAT_PULL·max|c| and ||vⱼ| − 1| ≤ FLAT_SLOPE: a pull of ±h for every h


def homotopy_gram(prob, route: str = "path"):
    """G = XcᵀXc/n when a compiled or kink-to-kink route is the fastest for this ``Problem``,
    else None. ``route`` is "path" (the lasso homotopy), "fit" (the homotopy from 0 to one λ)
    or "enet" (``enet_cd``'s coordinate descent along an elastic-net path).

    p ≤ ``HOMOTOPY_MAX_FEATURES`` in the Gram form: always (the NumPy homotopy). With the
    compiled loops (``compiled``): any dense problem with p ≤ ``COMPILED_MAX_FEATURES``, and a
    lasso path with n < p ≤ ``COMPILED_WIDE_MAX_FEATURES``; for "enet", any problem in the Gram
    form (n ≥ p, G already formed), or a dense one with p ≤ ``COMPILED_ENET_MAX_FEATURES``.
    For p > n, G is formed here (p×p, singular; the homotopy only ever factors G_AA for an
    active set of at most rank(Xc) features); forming it (n·p² flops) is what a single wide fit
    cannot repay, a path can.
    """
    if route == "path" and prob.G is not None and prob.p <= HOMOTOPY_MAX_FEATURES:
        return prob.G
    if route == "enet":
        if prob.G is None and (prob.sparse or prob.p > COMPILED_ENET_MAX_FEATURES):
            return None
        if compiled.enet_loop() is None:
            return None
        return prob.gram()
    if prob.p > COMPILED_WIDE_MAX_FEATURES or (prob.G is None and prob.sparse):
        return None
    small = prob.p <= COMPILED_MAX_FEATURES
    if not (small or (route == "path" and prob.p > prob.n)):
        return None
    loop = compiled.homotopy_loop()
    if loop is None:
        return None
    return prob.gram()


def lasso_homotopy(G, c, diag, halves: np.ndarray, goal: float, max_kinks: int, polish_steps: int = 10_000):
    """Lasso solutions at the thresholds ``halves`` (h = l1/2, in decreasing order) by homotopy.

    Returns (W, done, kinks): W[i] the solution at halves[i] for i < done (certified to ``goal``,
    after polishing), ``done`` how many grid points were solved (all unless a block was singular
    or ``max_kinks`` ran out), and per grid point the number of kinks passed on the way (≥ 1).
    A grid point that misses ``goal`` is polished by at most ``polish_steps`` Newton steps
    (``small_p.solve_small``); if they do not reach it, ``done`` stops there.
    """
    p, m = c.size, halves.size
    W = np.zeros((m, p))
    kinks = np.ones(m, dtype=int)
    top = float(np.abs(c).max())
    i = int(np.searchsorted(-halves, -top, side="right"))  # grid points at or above max|c|: w = 0
    if i == m or top == 0.0:
        return W, m, kinks
    start = int(np.argmax(np.abs(c)))
    active = np.array([start])
    theta = np.array([np.sign(c[start])])
    done, worst = _follow_fastest(G, c, diag, halves, W, kinks, i, active, theta, top, max_kinks)
    if done and worst is None:  # the certificate, every grid point at once (compiled: already done)
        Q = c[:, None] - G @ W[:done].T
        Z = Q + diag[:, None] * W[:done].T
        shrunk = np.sign(Z) * np.maximum(np.abs(Z) - halves[None, :done], 0.0)
        violation = np.abs(shrunk - diag[:, None] * W[:done].T) * (diag > 0)[:, None]
        worst = violation.max(axis=0)
    if done:  # polish any grid point that misses it
        for k in np.flatnonzero(worst[:done] > goal):
            W[k], steps, status = solve_small(G, c, diag, W[k], float(halves[k]), 0.0, goal, polish_steps, p)
            kinks[k] += steps
            if status != "converged":
                return W, int(k), kinks
    return W, done, kinks


def lasso_homotopy_from(
    G, c, diag, h: float, w0: np.ndarray, moving: np.ndarray, goal: float, max_kinks: int, polish_steps: int
):
    """The lasso solution at threshold h (= l1/2) by homotopy from a warm start, compiled only.

    ``w0`` solves the problem in which the features with ``moving`` False are held to threshold
    h and the others (at 0 in w0) to a threshold large enough to keep them there, τ₀ = the
    largest of their pulls |cⱼ − (G·w0)ⱼ|. The path lowers τ from τ₀ to h (``follow_kinks`` with
    those two kinds of threshold), so it passes only the kinks the moving features cause, not the
    whole path from λ_max again. With w0 = 0 and every feature moving it is ``lasso_homotopy``'s
    path. Returns (w, kinks), w certified to ``goal`` (after at most ``polish_steps`` Newton
    steps of polish), or None: no compiled loop, a singular block, ``max_kinks`` run out, or the
    polish fell short.
    """
    loop = compiled.homotopy_loop()
    if loop is None:
        return None
    p = c.size
    q = c - G @ w0
    pulls = np.where(moving, np.abs(q), -1.0)
    start = int(np.argmax(pulls))
    top = float(pulls[start])
    if top <= h:  # nothing moving pulls hard enough to enter: w0 is the answer if it certifies
        return _polished(G, c, diag, h, w0.copy(), goal, polish_steps, 0)
    members = np.zeros(p, dtype=np.int64)
    signs = np.zeros(p)
    support = np.flatnonzero(w0)
    k = support.size
    members[:k], signs[:k] = support, np.sign(w0[support])
    members[k], signs[k] = start, np.sign(q[start])
    is_active = np.zeros(p, dtype=np.bool_)
    is_active[members[: k + 1]] = True
    work = np.empty((p + EXTRA_ROWS, p))
    if not _factor_into(G, diag, members[: k + 1], work):
        return None
    halves = np.array([h])
    W, kinks, worst = np.zeros((1, p)), np.ones(1, dtype=np.int64), np.zeros(1)
    args = (np.ascontiguousarray(G), c, diag, halves, W, kinks, 0, members, signs, k + 1, top, max_kinks)
    scratch = (SPAN_TOL, FLAT_PULL, FLAT_SLOPE, work, is_active, worst)
    done = compiled.run("homotopy", loop, *args, *scratch, moving.astype(float), float(h), True)
    if not done:
        return None
    w = W[0]
    if worst[0] <= goal:
        return w, int(kinks[0])
    return _polished(G, c, diag, h, w, goal, polish_steps, int(kinks[0]))


def _factor_into(G, diag, active, work) -> bool:
    """L (lower, LLᵀ = G_AA) into work[:|A|, :|A|] by LAPACK; False when G_AA is singular by the
    loops' test (a pivot ≤ ``SPAN_TOL``·√Gⱼⱼ)."""
    from scipy.linalg.lapack import dpotrf

    size = active.size
    L, info = dpotrf(G[np.ix_(active, active)], lower=1, clean=1)
    if info != 0 or np.any(L.diagonal() <= SPAN_TOL * np.sqrt(diag[active])):
        return False
    work[:size, :size] = L
    return True


def _polished(G, c, diag, h, w, goal, polish_steps, kinks):
    w, steps, status = solve_small(G, c, diag, w, float(h), 0.0, goal, polish_steps, c.size)
    return (w, kinks + steps) if status == "converged" else None


def _follow_fastest(G, c, diag, halves, W, kinks, i, active, theta, h0, max_kinks):
    """``_follow``, by its compiled twin (``compiled.homotopy_loop``) when numba is at hand:
    (grid points solved, their certificates — None from the NumPy loop)."""
    loop = compiled.homotopy_loop()
    if loop is not None:
        p = c.size
        members, signs = np.zeros(p, dtype=np.int64), np.zeros(p)
        members[: active.size], signs[: active.size] = active, theta
        is_active = np.zeros(p, dtype=np.bool_)
        is_active[active] = True
        args = (np.ascontiguousarray(G), c, diag, halves, W, kinks, i, members, signs, active.size, h0, max_kinks)
        worst = np.zeros(halves.size)
        done = compiled.run(
            "homotopy",
            loop,
            *args,
            SPAN_TOL,
            FLAT_PULL,
            FLAT_SLOPE,
            np.empty((p + EXTRA_ROWS, p)),
            is_active,
            worst,
            np.ones(p),
            0.0,
            False,
        )
        if done is not None:
            return int(done), worst
    errors = np.seterr(divide="ignore", invalid="ignore")  # the kink ratios below divide by 0 at will
    try:
        return _follow(G, c, diag, halves, W, kinks, i, active, theta, h0, max_kinks), None
    finally:
        np.seterr(**errors)


def _follow(G, c, diag, halves, W, kinks, i, active, theta, h0, max_kinks) -> int:
    """The kink-to-kink loop of ``lasso_homotopy`` from threshold h0 with the active set and signs
    given; fills W and kinks from grid point i on, and returns how many grid points are solved.

    Written for few NumPy calls per kink (a 50×10 path passes 10–20 kinks, and the per-call cost
    is what the course's small problems pay): the active set lives in a preallocated index array,
    and both right-hand sides and both products with G's columns go through one call each."""
    from scipy.linalg.lapack import dpotrf, dpotrs

    m, p = halves.size, c.size
    top = h0  # max|c|: the scale of every pull
    members = np.empty(p, dtype=np.intp)  # the active features are members[:k], their signs signs[:k]
    signs = np.empty(p)
    k = active.size
    members[:k], signs[:k] = active, theta
    is_active = np.zeros(p, dtype=bool)
    is_active[members[:k]] = True
    rhs = np.empty((p, 2))
    rhs[:, 0] = c  # column 0 of each right-hand side is c_A; column 1 the signs θ_A
    bounds = np.sqrt(diag) * SPAN_TOL
    passed = 0
    for _ in range(max_kinks):
        A = members[:k]
        R, info = dpotrf(G[np.ix_(A, A)], lower=0, clean=0, overwrite_a=1)
        if info != 0 or np.any(np.abs(R.diagonal()) <= bounds[A]):
            break  # a singular block: the caller takes over from here
        block = rhs[A]
        block[:, 1] = signs[:k]
        ab, info = dpotrs(R, block, lower=0, overwrite_b=1)
        if info != 0:
            break
        a, b = ab[:, 0], ab[:, 1]
        uv = G[:, A] @ ab  # G_{:A}·[a, b]
        u, v = c - uv[:, 0], uv[:, 1]
        ceiling = h0 * (1.0 - 1e-12)
        leave = a / b  # where a weight of A reaches 0, if it moves towards 0 as h falls (θ·b < 0)
        leave[~((leave > 0.0) & (leave < ceiling) & (signs[:k] * b < 0.0))] = 0.0
        up, down = u / (1.0 - v), -u / (1.0 + v)  # where uⱼ + h·vⱼ reaches +h, or −h
        # only where the pull moves towards ±h as h falls (the other root is rounding's: above h0)
        up[~((up > 0.0) & (up < ceiling) & (v < 1.0))] = 0.0
        down[~((down > 0.0) & (down < ceiling) & (v > -1.0))] = 0.0
        candidates = np.maximum(up, down, out=up)
        candidates[is_active] = 0.0
        # A column in the span of the active ones with pull ±h all along the segment (a copy of an
        # active column: uⱼ = 0, vⱼ = ±1) stays optimal at 0; its ratio is 0/0, rounding noise.
        candidates[(np.abs(u) <= FLAT_PULL * top) & (np.abs(np.abs(v) - 1.0) <= FLAT_SLOPE)] = 0.0
        j_leave, j_enter = int(leave.argmax()), int(candidates.argmax())
        leaving = leave[j_leave] >= candidates[j_enter]
        kink = float(leave[j_leave] if leaving else candidates[j_enter])
        stop = i + int(np.searchsorted(-halves[i:], -kink, side="left"))  # grid points with h > kink
        if stop > i:
            W[i:stop, A] = a - halves[i:stop, None] * b
            kinks[i] = passed + 1
            passed, i = 0, stop
        passed += 1
        if i == m:
            break
        if leaving:
            is_active[members[j_leave]] = False
            members[j_leave : k - 1] = members[j_leave + 1 : k].copy()
            signs[j_leave : k - 1] = signs[j_leave + 1 : k].copy()
            k -= 1
        else:
            members[k], signs[k] = j_enter, np.sign(u[j_enter] + kink * v[j_enter])
            is_active[j_enter] = True
            k += 1
        h0 = kink
        if k == 0:  # cannot happen on a lasso path below max|c|; stop rather than loop
            break
    return i

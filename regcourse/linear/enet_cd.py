"""The elastic-net path of a dense problem in the Gram form by compiled coordinate descent
(``_enet_loop``).

A lasso path is followed kink to kink (``homotopy``); an elastic-net path is not piecewise linear
(l2 = (1 − ρ)λ changes with λ). Solved λ by λ with NumPy calls, a small problem pays about 100 µs
a grid point in call overhead alone (50×10, 100 λ: 10 ms; glmnet 0.4 ms); a large one with a
large support pays Newton steps on it, each a conjugate-gradient solve over the |A|×|A| block
(make_regression 5000×2000, support ~1700: 3.7–4.1 s; scikit-learn's Gram-form coordinate
descent 1.8–2.4 s). Compiled, a sweep costs one row of G per weight that moves, and the path
takes a few sweeps a grid point when G is well conditioned.

When it is not — strongly correlated columns, where coordinate descent crawls (Toeplitz ρ = 0.95:
over 100 sweeps a grid point) — a grid point that needs more than ``SWEEPS_PER_POINT`` sweeps
stops the loop, and the working set's Newton steps take the rest of the path from there. On
supports of at most ``NEWTON_MAX_SUPPORT`` features the loop itself lands on the exact solution
with a Newton step once the signs settle. Without numba this route is not taken (``compiled``).
"""

from __future__ import annotations

import numpy as np

from regcourse.linear import compiled
from regcourse.linear.small_p import SPAN_TOL

__all__ = ["enet_cd_path", "ANDERSON_DEPTH", "NEWTON_MAX_SUPPORT", "SWEEPS_PER_POINT"]

ANDERSON_DEPTH = 4  # the sweeps are extrapolated (Anderson) from their last K + 1 iterates, every K + 1 sweeps
NEWTON_MAX_SUPPORT = 128  # the loop's Newton step factors G_AA + l2·I in scalar loops: |A|³/3 flops
SWEEPS_PER_POINT = 100  # beyond NEWTON_MAX_SUPPORT features: a grid point slower than this hands over


def enet_cd_path(
    G,
    c,
    diag,
    halves: np.ndarray,
    l2s: np.ndarray,
    goal: float,
    max_sweeps: int,
    per_point: int = SWEEPS_PER_POINT,
    start: np.ndarray | None = None,
):
    """(W, done, sweeps): the elastic-net solutions at the grid points (h = l1/2 and l2 per point,
    in the order to solve them, largest λ first), each warm-started from the one before; ``done``
    grid points are solved to ``goal``, the rest are the caller's (from W[done − 1]). None when
    the compiled loop is not available. A problem with more than ``NEWTON_MAX_SUPPORT`` features
    gives each grid point at most ``per_point`` sweeps (and ``max_sweeps``). The first grid point
    starts from ``start`` (default 0)."""
    loop = compiled.enet_loop()
    if loop is None:
        return None
    m, p = halves.size, c.size
    if p > NEWTON_MAX_SUPPORT:
        max_sweeps = min(max_sweeps, per_point)
    W, sweeps = np.zeros((m, p)), np.ones(m, dtype=np.int64)
    side = min(p, NEWTON_MAX_SUPPORT)
    first = np.zeros(p) if start is None else np.array(start, dtype=float)
    scratch = (first, np.zeros(p), np.zeros(p, dtype=np.int64), np.zeros((side, side)), np.zeros(p))
    scratch += (
        np.zeros((ANDERSON_DEPTH + 1, p)),
        np.zeros((ANDERSON_DEPTH + 1, p)),
        np.zeros((ANDERSON_DEPTH, ANDERSON_DEPTH + 1)),
    )
    args = (np.ascontiguousarray(G), c, diag, halves, l2s, W, sweeps, goal, max_sweeps, NEWTON_MAX_SUPPORT, SPAN_TOL)
    done = compiled.run("enet", loop, *args, *scratch)
    return None if done is None else (W, int(done), sweeps)

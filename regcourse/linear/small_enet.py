"""The elastic-net path of a small dense problem by compiled coordinate descent (``_enet_loop``).

A lasso path there is followed kink to kink (``homotopy``); an elastic-net path is not piecewise
linear (l2 = (1 − ρ)λ changes with λ), and solving it λ by λ with NumPy calls costs about 100 µs a
grid point in call overhead alone (50×10, 100 λ: 10 ms; glmnet 0.4 ms). Compiled, one grid point
of a small problem costs microseconds. Without numba this route is not taken (``compiled``).
"""

from __future__ import annotations

import numpy as np

from regcourse.linear import compiled
from regcourse.linear.small_p import SPAN_TOL

__all__ = ["enet_small_path"]


def enet_small_path(G, c, diag, halves: np.ndarray, l2s: np.ndarray, goal: float, max_sweeps: int):
    """(W, done, sweeps): the elastic-net solutions at the grid points (h = l1/2 and l2 per point,
    in the order to solve them, largest λ first), each warm-started from the one before; ``done``
    grid points are solved to ``goal``, the rest are the caller's (from W[done − 1]). None when
    the compiled loop is not available."""
    loop = compiled.enet_loop()
    if loop is None:
        return None
    m, p = halves.size, c.size
    W, sweeps = np.zeros((m, p)), np.ones(m, dtype=np.int64)
    scratch = (np.zeros(p), np.zeros(p), np.zeros(p, dtype=np.int64), np.zeros((p, p)), np.zeros(p))
    done = compiled.run("enet", loop, G, c, diag, halves, l2s, W, sweeps, goal, max_sweeps, SPAN_TOL, *scratch)
    return None if done is None else (W, int(done), sweeps)

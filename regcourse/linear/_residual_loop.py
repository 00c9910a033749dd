"""The elastic net (or lasso) on a block of columns by coordinate descent in the residual form,
written as loops over scalars for numba to compile (``compiled.residual_loop``; used by
``screened`` for blocks whose Gram matrix would cost more than the sweeps).

With the block's centred columns X_W (n×m, column-major: each column contiguous), the residual
r = yc − X_W·w_W (the features outside W are 0) and dⱼ = ‖xⱼ‖²/n, one exact coordinate step is

    gⱼ = xⱼᵀr/n,    wⱼ ← S(gⱼ + dⱼwⱼ, h)/(dⱼ + l2),    r ← r − xⱼ·(new − old),

2n flops a weight that moves, n one that does not, with no Gram matrix at all (n·m² flops to
form): the way scikit-learn's ``cd_fast`` sweeps, here on the working set only.

A step's size says how far wⱼ was from its own optimum: (dⱼ + l2)·|new − old| is exactly wⱼ's
optimality residual |S(gⱼ + dⱼwⱼ, h) − (dⱼ + l2)·wⱼ| (``kkt_violation``) before the step. When
every step of a sweep is below ``goal``, a pass without steps, from a freshly computed r (no drift
from the updates), confirms it on the final w; else the sweeps go on.

Without numba the functions run, slowly, as plain Python; the tests run them both ways.
"""

from __future__ import annotations

from regcourse.linear._loops_common import minus_rows, register_jitable, soft


def residual_sweeps(X, yc, w, r, diag, h, l2, goal, max_sweeps):
    """Sweep the block (X: n×m column-major, w: m, changed in place) until every weight meets its
    condition to ``goal``; return the sweeps taken, or −1 when ``max_sweeps`` ran out. ``r`` (n)
    is scratch: on return it holds yc − X·w."""
    n, m = X.shape
    minus_rows(X.T, yc, w, r)
    sweeps = 0
    while True:
        largest = 0.0
        for j in range(m):
            denominator = diag[j] + l2
            if denominator <= 0.0:
                continue  # a constant column with l2 = 0 stays at 0
            old = w[j]
            g = _dot(X, j, r, n) / n
            new = soft(g + diag[j] * old, h) / denominator
            if new != old:
                step = new - old
                for i in range(n):
                    r[i] -= X[i, j] * step
                w[j] = new
                if abs(step) * denominator > largest:
                    largest = abs(step) * denominator
        sweeps += 1
        if largest <= goal:
            minus_rows(X.T, yc, w, r)
            if _worst(X, w, r, diag, h, l2, n, m) <= goal:
                return sweeps
        if sweeps >= max_sweeps:
            return -1


@register_jitable
def _dot(X, j, r, n):
    """xⱼᵀr in four interleaved partial sums: one running sum waits on every addition (no SIMD
    without reordering it); four let the processor overlap them (measured 2–3× on the sweeps)."""
    s0, s1, s2, s3 = 0.0, 0.0, 0.0, 0.0
    stop = n - n % 4
    for i in range(0, stop, 4):
        s0 += X[i, j] * r[i]
        s1 += X[i + 1, j] * r[i + 1]
        s2 += X[i + 2, j] * r[i + 2]
        s3 += X[i + 3, j] * r[i + 3]
    for i in range(stop, n):
        s0 += X[i, j] * r[i]
    return (s0 + s1) + (s2 + s3)


@register_jitable
def _worst(X, w, r, diag, h, l2, n, m):
    """maxⱼ |S(gⱼ + dⱼwⱼ, h) − (dⱼ + l2)·wⱼ| at w (r = yc − X·w), the certificate."""
    largest = 0.0
    for j in range(m):
        denominator = diag[j] + l2
        if denominator <= 0.0:
            continue
        g = _dot(X, j, r, n) / n
        violation = abs(soft(g + diag[j] * w[j], h) - denominator * w[j])
        if violation > largest:
            largest = violation
    return largest

"""What the compiled loops (``_homotopy_loop``, ``_enet_loop``, ``_residual_loop``) share: a
Cholesky factor of a block of G, built column by column, the soft threshold, and the shim that
lets them run without numba.

``register_jitable`` marks a helper that a compiled loop calls; without numba it is the plain
function, and the loops run, slowly, as Python (the tests run them both ways).
"""

from __future__ import annotations

import math

try:
    from numba.extending import register_jitable
except Exception:  # no numba (or a broken one): plain functions

    def register_jitable(function):
        return function


__all__ = ["register_jitable", "cholesky_on", "solve_factored", "soft", "minus_rows"]


@register_jitable
def cholesky_on(G, diag, members, k, work, span_tol, shift):
    """R in work[:k, :k] with RᵀR = G_AA + shift·I (A = members[:k]); False when a pivot is
    ≤ 0 or ≤ span_tol·√(Gⱼⱼ + shift): a column numerically in the span of the others, as the
    NumPy routes' ``small_p.SPAN_TOL`` test."""
    for col in range(k):
        jc = members[col]
        for row in range(col):
            total = G[members[row], jc]
            for s in range(row):
                total -= work[s, row] * work[s, col]
            work[row, col] = total / work[row, row]
        total = G[jc, jc] + shift
        for s in range(col):
            total -= work[s, col] * work[s, col]
        if total <= 0.0:
            return False
        pivot = math.sqrt(total)
        if pivot <= span_tol * math.sqrt(diag[jc] + shift):
            return False
        work[col, col] = pivot
    return True


@register_jitable
def solve_factored(work, k, x):
    """x ← (RᵀR)⁻¹x in place, R the factor in work[:k, :k]: Rᵀ then R by substitution."""
    for row in range(k):
        total = x[row]
        for s in range(row):
            total -= work[s, row] * x[s]
        x[row] = total / work[row, row]
    for row in range(k - 1, -1, -1):
        total = x[row]
        for s in range(row + 1, k):
            total -= work[row, s] * x[s]
        x[row] = total / work[row, row]


@register_jitable
def soft(z, h):
    """S(z, h) = sign(z)·max(|z| − h, 0)."""
    if z > h:
        return z - h
    if z < -h:
        return z + h
    return 0.0


@register_jitable
def minus_rows(M, c, w, q):
    """q = c − Mᵀw, row by row of M over the non-zero wⱼ (rows are contiguous in a C-ordered M):
    q = c − Gw for a symmetric G, or r = yc − X·w with M = Xᵀ."""
    for i in range(c.shape[0]):
        q[i] = c[i]
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            wj = w[j]
            for i in range(c.shape[0]):
                q[i] -= M[j, i] * wj

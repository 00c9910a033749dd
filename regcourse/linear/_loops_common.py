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


__all__ = [
    "register_jitable",
    "cholesky_on",
    "solve_factored",
    "soft",
    "minus_rows",
    "anderson_weights",
    "combined",
]


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


ANDERSON_RIDGE = 1e-10


@register_jitable
def anderson_weights(history, small):
    """Anderson's extrapolation weights for the iterates in the rows of ``history`` (K + 1 of them,
    oldest first): with the differences uₖ = history[k+1] − history[k] (k < K), the weights
    z = M⁻¹1 / (1ᵀM⁻¹1), M = UᵀU (K×K), are those of the affine combination Σₖ zₖ·history[k+1] whose
    differences cancel best (the extrapolated limit of a linearly converging sequence, the
    acceleration skglm applies to coordinate descent). For a linear iteration xₖ₊₁ = A·xₖ + b in d
    dimensions and K ≥ d + 1, some combination of the differences vanishes and Σₖ zₖ·history[k+1]
    is the fixed point itself. M is solved with ``ANDERSON_RIDGE``·max Mₖₖ on its diagonal, which
    keeps that case (M singular) well posed. ``small`` (K × (K+1)) holds M and then z in its last
    column; False when the iterates have stopped moving or the weights are not finite."""
    K, p = history.shape[0] - 1, history.shape[1]
    for a in range(K):
        for b in range(a, K):
            total = 0.0
            for j in range(p):
                total += (history[a + 1, j] - history[a, j]) * (history[b + 1, j] - history[b, j])
            small[a, b] = total
            small[b, a] = total
        small[a, K] = 1.0
    scale = 0.0
    for a in range(K):
        scale = max(scale, small[a, a])
    if not scale > 0.0:
        return False
    for a in range(K):  # M + εI: when the differences are dependent (Uv = 0), z → v/(1ᵀv) as ε → 0
        small[a, a] += ANDERSON_RIDGE * scale
    for col in range(K):  # Gaussian elimination with partial pivoting on [M | 1]
        pivot = col
        for row in range(col + 1, K):
            if abs(small[row, col]) > abs(small[pivot, col]):
                pivot = row
        if abs(small[pivot, col]) <= 1e-13 * scale:
            return False
        if pivot != col:
            for k in range(K + 1):
                small[col, k], small[pivot, k] = small[pivot, k], small[col, k]
        for row in range(col + 1, K):
            factor = small[row, col] / small[col, col]
            for k in range(col, K + 1):
                small[row, k] -= factor * small[col, k]
    total = 0.0
    for row in range(K - 1, -1, -1):
        value = small[row, K]
        for k in range(row + 1, K):
            value -= small[row, k] * small[k, K]
        small[row, K] = value / small[row, row]
        total += small[row, K]
    if not abs(total) > 0.0 or total != total:
        return False
    for row in range(K):
        small[row, K] /= total
    return True


@register_jitable
def combined(history, small, j):
    """Σₖ zₖ·history[k+1, j]: entry j of the affine combination whose weights z ``anderson_weights``
    left in the last column of ``small``."""
    K = history.shape[0] - 1
    value = 0.0
    for k in range(K):
        value += small[k, K] * history[k + 1, j]
    return value

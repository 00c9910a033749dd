"""The homotopy's kink-to-kink loop written as loops over scalars, for numba to compile
(``compiled.homotopy_loop``). It is the same algorithm, decision for decision, as the NumPy loop
``homotopy._follow`` (that module has the formulas); it exists because a small path passes
10–100 kinks and the NumPy loop pays about 40 µs of call overhead at each, compiled loops about
1 µs.

Without numba the functions run, slowly, as plain Python; the tests run them both ways.
"""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear._loops_common import cholesky_on, register_jitable


def follow_kinks(
    G,
    c,
    diag,
    halves,
    W,
    kinks,
    i,
    members,
    signs,
    k,
    h0,
    max_kinks,
    span_tol,
    flat_pull,
    flat_slope,
    work,
    is_active,
    worst,
):
    """Fill W[i:] and kinks[i:] along the lasso path from threshold h0; return how many grid
    points are solved, and for each of them (W[:done], all of them) its optimality residual in
    ``worst``: maxⱼ |S(qⱼ + Gⱼⱼwⱼ, h) − Gⱼⱼwⱼ| with q = c − Gw (``homotopy``'s certificate).

    ``members[:k]`` and ``signs[:k]`` are the active features and their signs θ (arrays of
    length p, changed in place), ``is_active`` the same set as a mask; ``work`` is a (p + 4)×p
    scratch array: rows 0..p−1 hold R (the upper Cholesky factor of G_AA, RᵀR = G_AA), the
    last four a = G_AA⁻¹c_A, b = G_AA⁻¹θ_A, u = c − G_{:A}a and v = G_{:A}b. R is factored
    once and then updated as features enter (one triangular solve) and leave (Givens rotations),
    O(|A|²) a kink instead of |A|³/3.
    """
    m, p = halves.shape[0], c.shape[0]
    a, b, u, v = p, p + 1, p + 2, p + 3  # rows of ``work``
    top = h0
    passed = 0
    if not cholesky_on(G, diag, members, k, work, span_tol, 0.0):
        return i  # a singular block: the caller takes over from here
    for _ in range(max_kinks):
        for row in range(k):  # Rᵀx = rhs, for both right-hand sides
            ta, tb = c[members[row]], signs[row]
            for s in range(row):
                ta -= work[s, row] * work[a, s]
                tb -= work[s, row] * work[b, s]
            work[a, row] = ta / work[row, row]
            work[b, row] = tb / work[row, row]
        for row in range(k - 1, -1, -1):  # then R·x = that
            ta, tb = work[a, row], work[b, row]
            for s in range(row + 1, k):
                ta -= work[row, s] * work[a, s]
                tb -= work[row, s] * work[b, s]
            work[a, row] = ta / work[row, row]
            work[b, row] = tb / work[row, row]
        for j in range(p):
            work[u, j] = 0.0
            work[v, j] = 0.0
        for s in range(k):  # G_{:A}·[a, b] row by row (G is symmetric and C-ordered): contiguous
            row_s, as_, bs = members[s], work[a, s], work[b, s]
            for j in range(p):
                g = G[row_s, j]
                work[u, j] += g * as_
                work[v, j] += g * bs
        for j in range(p):  # u = c − G_{:A}a, subtracted once (as the NumPy loop rounds it)
            work[u, j] = c[j] - work[u, j]
        ceiling = h0 * (1.0 - 1e-12)
        j_leave, best_leave = 0, -1.0
        for s in range(k):  # where a weight of A reaches 0
            ratio = _in_range(work[a, s], work[b, s], ceiling)
            if ratio > best_leave:
                j_leave, best_leave = s, ratio
        j_enter, best_enter = 0, -1.0
        for j in range(p):  # where an inactive pull uⱼ + h·vⱼ reaches +h or −h
            ratio = 0.0
            if not is_active[j]:
                uj, vj = work[u, j], work[v, j]
                up = _in_range(uj, 1.0 - vj, ceiling)
                down = _in_range(-uj, 1.0 + vj, ceiling)
                ratio = up if up > down else down
                if abs(uj) <= flat_pull * top and abs(abs(vj) - 1.0) <= flat_slope:
                    ratio = 0.0  # a copy of an active column: optimal at 0 all along (``homotopy``)
            if ratio > best_enter:
                j_enter, best_enter = j, ratio
        leaving = best_leave >= best_enter
        kink = best_leave if leaving else best_enter
        stop = i
        while stop < m and halves[stop] > kink:
            stop += 1
        if stop > i:
            for g in range(i, stop):
                for s in range(k):
                    W[g, members[s]] = work[a, s] - halves[g] * work[b, s]
            kinks[i] = passed + 1
            passed, i = 0, stop
        passed += 1
        if i == m:
            break
        if leaving:
            is_active[members[j_leave]] = False
            for s in range(j_leave, k - 1):
                members[s] = members[s + 1]
                signs[s] = signs[s + 1]
            _delete_column(work, j_leave, k)
            k -= 1
        else:
            if not _append_column(G, diag, members, k, j_enter, work, span_tol):
                break  # the entering column is in the span of the active ones: the caller takes over
            pull = work[u, j_enter] + kink * work[v, j_enter]
            members[k] = j_enter
            signs[k] = 1.0 if pull > 0.0 else (-1.0 if pull < 0.0 else 0.0)
            is_active[j_enter] = True
            k += 1
        h0 = kink
        if k == 0:  # cannot happen on a lasso path below max|c|; stop rather than loop
            break
    support = np.empty(p, dtype=np.int64)
    for g in range(i):
        worst[g] = _residual(G, c, diag, halves[g], W, g, work[u], support)
    return i


@register_jitable
def _residual(G, c, diag, h, W, g, q, support):
    """The certificate of grid point g: maxⱼ |S(qⱼ + Gⱼⱼwⱼ, h) − Gⱼⱼwⱼ| over features with Gⱼⱼ > 0.
    ``q`` (length p) and ``support`` (length ≥ p) are scratch space."""
    p = c.shape[0]
    k = 0
    for s in range(p):
        if W[g, s] != 0.0:
            support[k] = s
            k += 1
    for j in range(p):
        q[j] = c[j]
    for t in range(k):  # q = c − G·w, row by row over the support
        s = support[t]
        weight = W[g, s]
        for j in range(p):
            q[j] -= G[s, j] * weight
    largest = 0.0
    for j in range(p):
        if diag[j] <= 0.0:
            continue
        z = q[j] + diag[j] * W[g, j]
        shrunk = abs(z) - h
        soft = (shrunk if z > 0.0 else -shrunk) if shrunk > 0.0 else 0.0
        violation = abs(soft - diag[j] * W[g, j])
        if violation > largest:
            largest = violation
    return largest


@register_jitable
def _in_range(numerator, denominator, ceiling):
    """numerator/denominator when it lies in (0, ceiling), else 0 (also for 0/0 and x/0)."""
    if denominator == 0.0:
        return 0.0
    ratio = numerator / denominator
    return ratio if 0.0 < ratio < ceiling else 0.0


@register_jitable
def _append_column(G, diag, members, k, j, work, span_tol):
    """Extend R by feature j (Rᵀt = G_Aj, pivot √(Gⱼⱼ − ‖t‖²)); False, R unchanged in its
    first k columns, when the pivot is ≤ 0 or ≤ span_tol·√Gⱼⱼ."""
    total_sq = 0.0
    for row in range(k):
        t = G[members[row], j]
        for s in range(row):
            t -= work[s, row] * work[s, k]
        t /= work[row, row]
        work[row, k] = t
        total_sq += t * t
    rest = G[j, j] - total_sq
    if rest <= 0.0 or math.sqrt(rest) <= span_tol * math.sqrt(diag[j]):
        return False
    work[k, k] = math.sqrt(rest)
    return True


@register_jitable
def _delete_column(work, j, k):
    """Remove column j from the k×k factor R and make it upper triangular again: the columns
    after j move left (R is then upper Hessenberg from j on) and a Givens rotation on rows
    (col, col + 1) clears each subdiagonal entry. RᵀR stays G_AA of the remaining features."""
    for col in range(j, k - 1):
        for row in range(col + 2):
            work[row, col] = work[row, col + 1]
    for col in range(j, k - 1):
        x, y = work[col, col], work[col + 1, col]
        r = math.hypot(x, y)
        cos, sin = x / r, y / r
        work[col, col], work[col + 1, col] = r, 0.0
        for other in range(col + 1, k - 1):
            top, bottom = work[col, other], work[col + 1, other]
            work[col, other] = cos * top + sin * bottom
            work[col + 1, other] = -sin * top + cos * bottom

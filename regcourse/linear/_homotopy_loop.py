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

# u = c − G_{:A}a is carried from kink to kink by continuity (one product of G a kink instead of
# two) and computed afresh every this many kinks, so rounding cannot build up.
REFRESH_KINKS = 32


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
    moving,
    h_fixed,
    factored,
):
    """Fill W[i:] and kinks[i:] along the lasso path from threshold h0; return how many grid
    points are solved, and for each of them (W[:done], all of them) its optimality residual in
    ``worst``: maxⱼ |S(qⱼ + Gⱼⱼwⱼ, h) − Gⱼⱼwⱼ| with q = c − Gw (``homotopy``'s certificate).

    ``members[:k]`` and ``signs[:k]`` are the active features and their signs θ (arrays of
    length p, changed in place), ``is_active`` the same set as a mask; ``work`` is a
    (p + ``homotopy.EXTRA_ROWS``)×p scratch array: rows 0..p−1 hold L (the lower Cholesky
    factor of G_AA, LLᵀ = G_AA), the next four a = G_AA⁻¹c_A, b = G_AA⁻¹θ_A, u = c − G_{:A}a
    and v = G_{:A}b, then z = L⁻¹[c_A, θ_A] (two rows) and two rows of scratch. L is factored
    once and then updated as features enter (one triangular solve) and leave (Givens
    rotations), and z with it (one entry a feature entering, the same rotations a feature
    leaving): O(|A|²) a kink instead of |A|³/3. Every loop over L reads it by rows (the factor
    is p×p: walking down a column misses the cache at every step).

    ``moving`` (length p, 1.0 or 0.0) and ``h_fixed`` generalize the path for a warm start
    (``screened``): feature j's threshold is the path's h when movingⱼ = 1 and stays ``h_fixed``
    when movingⱼ = 0. On A the conditions G_AA·w_A = c_A − θ_A∘h_A then give w_A = a − h·b with
    a = G_AA⁻¹(c_A − h_fixed·θ_A∘(1 − moving_A)), b = G_AA⁻¹(θ_A∘moving_A), and a fixed inactive
    feature enters where its pull uⱼ + h·vⱼ reaches ±h_fixed. All ones is the lasso path itself.
    ``factored``: work[:k, :k] already holds L (a warm start's large active set is factored by
    LAPACK, many times faster than these scalar loops).
    """
    m, p = halves.shape[0], c.shape[0]
    a, b, u, v, za, zb, fresh, spare = p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7  # rows of ``work``
    top = h0
    passed = 0
    if not factored:
        if not cholesky_on(G, diag, members, k, work, span_tol, 0.0):
            return i  # a singular block: the caller takes over from here
        for col in range(k):  # keep L = Rᵀ, lower, in rows: every update below then reads rows
            for row in range(col):
                work[col, row] = work[row, col]
    for row in range(k):  # z = L⁻¹·rhs, kept from kink to kink (a feature entering adds one entry)
        _rhs(c, members, signs, moving, h_fixed, row, work, za, zb)
        ta, tb = work[za, row], work[zb, row]
        for s in range(row):
            ta -= work[row, s] * work[za, s]
            tb -= work[row, s] * work[zb, s]
        work[za, row] = ta / work[row, row]
        work[zb, row] = tb / work[row, row]
    since_exact = REFRESH_KINKS  # u is computed from a at the first kink
    for _ in range(max_kinks):
        for row in range(k):  # Lᵀ·[a, b] = z, by rows of L (axpy form: contiguous)
            work[a, row] = work[za, row]
            work[b, row] = work[zb, row]
        for row in range(k - 1, -1, -1):
            ta = work[a, row] / work[row, row]
            tb = work[b, row] / work[row, row]
            work[a, row] = ta
            work[b, row] = tb
            for s in range(row):
                r = work[row, s]
                work[a, s] -= r * ta
                work[b, s] -= r * tb
        if since_exact >= REFRESH_KINKS:
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
            since_exact = 0
        else:
            # q(h) = u + h·v is continuous at the kink h0 just passed: only v = G_{:A}b is new,
            # and u follows from u + h0·v = u_old + h0·v_old (half the products of G).
            for j in range(p):
                work[fresh, j] = 0.0
            for s in range(k):
                row_s, bs = members[s], work[b, s]
                for j in range(p):
                    work[fresh, j] += G[row_s, j] * bs
            for j in range(p):
                work[u, j] += h0 * (work[v, j] - work[fresh, j])
                work[v, j] = work[fresh, j]
        since_exact += 1
        ceiling = h0 * (1.0 - 1e-12)
        j_leave, best_leave = 0, -1.0
        for s in range(k):  # where a weight of A reaches 0 (only if it moves towards 0 as h falls: θ·b < 0)
            ratio = _in_range(work[a, s], work[b, s], ceiling) if signs[s] * work[b, s] < 0.0 else 0.0
            if ratio > best_leave:
                j_leave, best_leave = s, ratio
        j_enter, best_enter = 0, -1.0
        for j in range(p):  # where an inactive pull uⱼ + h·vⱼ reaches +h or −h
            ratio = 0.0
            if not is_active[j]:
                uj, vj = work[u, j], work[v, j]
                # A crossing counts only where the pull moves towards the threshold as h falls:
                # the other root lies above h0 in exact arithmetic, and only rounding brings it
                # just below (a feature that has just left re-entering with the wrong sign).
                up, down = 0.0, 0.0
                if moving[j] != 0.0:
                    if 1.0 - vj > 0.0:
                        up = _in_range(uj, 1.0 - vj, ceiling)
                    if 1.0 + vj > 0.0:
                        down = _in_range(-uj, 1.0 + vj, ceiling)
                else:  # uⱼ + h·vⱼ = ±h_fixed
                    if vj < 0.0:
                        up = _in_range(h_fixed - uj, vj, ceiling)
                    if vj > 0.0:
                        down = _in_range(-h_fixed - uj, vj, ceiling)
                ratio = up if up > down else down
                # A copy of an active column: optimal at 0 all along (``homotopy``). Its pull is
                # ±h (uⱼ = 0, vⱼ = ±1) for a moving original, ±h_fixed (vⱼ = 0) for a fixed one.
                if abs(uj) <= flat_pull * top and abs(abs(vj) - 1.0) <= flat_slope:
                    ratio = 0.0
                if h_fixed > 0.0 and abs(abs(uj) - h_fixed) <= flat_pull * top and abs(vj) <= flat_slope:
                    ratio = 0.0
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
            _delete_row(work, j_leave, k, za, zb, fresh, spare)
            k -= 1
        else:
            if not _append_row(G, diag, members, k, j_enter, work, span_tol):
                break  # the entering column is in the span of the active ones: the caller takes over
            pull = work[u, j_enter] + kink * work[v, j_enter]
            members[k] = j_enter
            signs[k] = 1.0 if pull > 0.0 else (-1.0 if pull < 0.0 else 0.0)
            is_active[j_enter] = True
            _rhs(c, members, signs, moving, h_fixed, k, work, za, zb)
            ta, tb = work[za, k], work[zb, k]
            for s in range(k):  # the new last entry of z (the entries above are unchanged)
                ta -= work[k, s] * work[za, s]
                tb -= work[k, s] * work[zb, s]
            work[za, k] = ta / work[k, k]
            work[zb, k] = tb / work[k, k]
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
def _append_row(G, diag, members, k, j, work, span_tol):
    """Extend L by feature j (L·t = G_Aj as row k, pivot √(Gⱼⱼ − ‖t‖²)); False, L unchanged in
    its first k rows, when the pivot is ≤ 0 or ≤ span_tol·√Gⱼⱼ."""
    total_sq = 0.0
    for row in range(k):
        t = G[j, members[row]]
        for s in range(row):
            t -= work[row, s] * work[k, s]
        t /= work[row, row]
        work[k, row] = t
        total_sq += t * t
    rest = G[j, j] - total_sq
    if rest <= 0.0 or math.sqrt(rest) <= span_tol * math.sqrt(diag[j]):
        return False
    work[k, k] = math.sqrt(rest)
    return True


@register_jitable
def _delete_row(work, j, k, za, zb, cosines, sines):
    """Remove feature j from the k×k factor L (LLᵀ = G_AA) and make it lower triangular again.

    In terms of R = Lᵀ: column j goes, the columns after it move left (R is then upper
    Hessenberg from j on), and a Givens rotation on rows (col, col + 1) of R clears each
    subdiagonal entry, col = j, …, k − 2. Here that is: the rows of L after j move up, and the
    rotations act on columns (col, col + 1) of L, applied row by row (contiguous) — row r takes
    the rotations j … r − 1 already found, then defines rotation r (stored in work[cosines] and
    work[sines]). The same rotations carry z = L⁻¹·rhs (rows za and zb) over: with QR̃ = [R′; 0],
    R̃ᵀz = R′ᵀ(Qz)[:k − 1], so z′ is Qz without its last entry."""
    for r in range(j, k - 1):
        for col in range(r + 2):
            work[r, col] = work[r + 1, col]
        for col in range(j, r):
            cos, sin = work[cosines, col], work[sines, col]
            left, right = work[r, col], work[r, col + 1]
            work[r, col] = cos * left + sin * right
            work[r, col + 1] = -sin * left + cos * right
        x, y = work[r, r], work[r, r + 1]
        radius = math.hypot(x, y)
        cos, sin = x / radius, y / radius
        work[cosines, r], work[sines, r] = cos, sin
        work[r, r], work[r, r + 1] = radius, 0.0
        for z in (za, zb):
            upper, lower = work[z, r], work[z, r + 1]
            work[z, r] = cos * upper + sin * lower
            work[z, r + 1] = -sin * upper + cos * lower


@register_jitable
def _rhs(c, members, signs, moving, h_fixed, row, work, za, zb):
    """The right-hand sides of a and b for active position ``row``, into work[za] and work[zb]."""
    mover = moving[members[row]]
    work[za, row] = c[members[row]] - (1.0 - mover) * h_fixed * signs[row]
    work[zb, row] = mover * signs[row]

"""A dense elastic-net path by coordinate descent in the Gram form, with Newton polishing on small
supports, written as loops over scalars for numba to compile (``compiled.enet_loop``; used by
``enet_cd``).

At each grid point (halves h = l1/2 and l2, largest λ first, warm-started from the previous)

    J(w) = wᵀGw − 2cᵀw + 2h·‖w‖₁ + l2·‖w‖²

is minimized by sweeps of exact coordinate steps in the Gram form (glmnet's covariance updates:
q = c − Gw is kept up to date, a step on wⱼ costs one column of G)

    wⱼ ← S(qⱼ + Gⱼⱼwⱼ, h) / (Gⱼⱼ + l2),    S(z, h) = sign(z)·max(|z| − h, 0),

and, once no zero weight violates its condition and the support has at most ``max_newton``
features, by one Newton step on the support (the minimizer of J on that face,
(G_AA + l2·I)w_A = c_A − h·θ_A), kept when it keeps the signs θ: coordinate descent finds the
face, the Newton step lands on the exact point of it (its factor costs |A|³/3 in scalar loops,
so large supports are left to the sweeps). The stopping rule is every solver's certificate
(``kkt_violation``): |S(qⱼ + Gⱼⱼwⱼ, h) − (Gⱼⱼ + l2)·wⱼ| ≤ goal for every j, checked on the q
the sweeps keep up to date and confirmed on a freshly computed one (no rounding drift).

Every K + 1 sweeps (K = ``enet_cd.ANDERSON_DEPTH``) the last K + 1 iterates are extrapolated
(Anderson: the affine combination Σ zₖwₖ whose successive differences cancel best, as skglm
accelerates its coordinate descent), and the result is kept when it lowers J. Coordinate descent
converges linearly once the signs settle, and the combination jumps along the slow directions:
300×1000 at λ_max/100, 150 → 77 sweeps; the 1000×1000 path 398 → 141 ms.

G is symmetric and C-ordered: every product reads rows of it (contiguous), never columns.

Without numba the functions run, slowly, as plain Python; the tests run them both ways.
"""

from __future__ import annotations

from regcourse.linear._loops_common import (
    anderson_weights,
    cholesky_on,
    combined,
    minus_rows,
    register_jitable,
    soft,
    solve_factored,
)


def enet_path(
    G,
    c,
    diag,
    halves,
    l2s,
    W,
    sweeps,
    goal,
    max_sweeps,
    max_newton,
    span_tol,
    w,
    q,
    members,
    work,
    x,
    history_w,
    history_q,
    small,
):
    """Fill W[g] and sweeps[g] for the grid points in order; return how many are solved (the
    first grid point that takes more than ``max_sweeps`` stops the loop, its W row the last w).

    ``w`` is the start and is changed in place; q, members (int, p), work (at least
    max_newton × max_newton) and x (p) are scratch arrays. history_w and history_q (K + 1 rows of
    p) and small (K × (K + 1)) hold the last K + 1 sweeps' w and q for Anderson's extrapolation
    (``anderson_weights``), tried every K + 1 sweeps and kept when it lowers J; fewer than 3 rows
    turn it off.
    """
    m, p = halves.shape[0], c.shape[0]
    depth = history_w.shape[0] - 1 if history_w.shape[0] >= 3 else 0
    for g in range(m):
        h, l2 = halves[g], l2s[g]
        stored = 0  # sweeps remembered in the history since the last extrapolation or jump
        used = 0
        tried = False  # a Newton step was taken or refused on the current sign pattern
        fresh = True  # q was computed from w, not updated by sweeps
        minus_rows(G, c, w, q)
        while True:
            worst, zeros_quiet = 0.0, True
            for j in range(p):
                denominator = diag[j] + l2
                if denominator <= 0.0:
                    continue  # a constant feature with l2 = 0 stays at 0
                violation = abs(soft(q[j] + diag[j] * w[j], h) - denominator * w[j])
                if violation > worst:
                    worst = violation
                if w[j] == 0.0 and violation > goal:
                    zeros_quiet = False
            if worst <= goal:
                if fresh:
                    break
                minus_rows(G, c, w, q)  # confirm on a q without the sweeps' rounding drift
                fresh = True
                continue
            if used >= max_sweeps:
                for j in range(p):
                    W[g, j] = w[j]
                sweeps[g] = used
                return g
            if zeros_quiet and not tried and _support_size(w) <= max_newton:
                tried = True
                if _newton_on_support(G, c, diag, w, h, l2, span_tol, members, work, x):
                    minus_rows(G, c, w, q)
                    fresh = True
                    stored = 0
                    used += 1
                    continue
            if _sweep(G, diag, w, q, h, l2):
                tried = False  # the sign pattern changed: a new face to try
            fresh = False
            used += 1
            if depth > 0:
                for j in range(p):
                    history_w[stored, j] = w[j]
                    history_q[stored, j] = q[j]
                stored += 1
                if stored == depth + 1:
                    stored = 0
                    if _extrapolated(c, w, q, h, l2, history_w, history_q, small, x):
                        tried = False
        for j in range(p):
            W[g, j] = w[j]
        sweeps[g] = used if used > 0 else 1
    return m


@register_jitable
def _extrapolated(c, w, q, h, l2, history_w, history_q, small, x):
    """Move (w, q) to Anderson's extrapolation of the remembered sweeps when it lowers
    J(w) − const = −wᵀq − cᵀw + 2h‖w‖₁ + l2‖w‖² (wᵀGw = wᵀ(c − q)); q being affine in w, the
    extrapolated q is the same combination of the remembered ones. True when it moved."""
    if not anderson_weights(history_w, small):
        return False
    p = w.shape[0]
    before, after = 0.0, 0.0
    for j in range(p):
        if w[j] != 0.0:
            before += -w[j] * q[j] - c[j] * w[j] + 2.0 * h * abs(w[j]) + l2 * w[j] * w[j]
        value = combined(history_w, small, j)
        x[j] = value
        if value != 0.0:
            qj = combined(history_q, small, j)
            after += -value * qj - c[j] * value + 2.0 * h * abs(value) + l2 * value * value
    if not after < before:
        return False
    for j in range(p):
        q[j] = combined(history_q, small, j)
        w[j] = x[j]
    return True


@register_jitable
def _support_size(w):
    k = 0
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            k += 1
    return k


@register_jitable
def _sweep(G, diag, w, q, h, l2):
    """One pass of exact coordinate steps over every feature, q kept up to date; True when a
    weight changed sign or left or joined the support."""
    p = w.shape[0]
    changed = False
    for j in range(p):
        denominator = diag[j] + l2
        if denominator <= 0.0:
            continue
        old = w[j]
        new = soft(q[j] + diag[j] * old, h) / denominator
        if new != old:
            delta = new - old
            for i in range(p):
                q[i] -= G[j, i] * delta
            if (new > 0.0) != (old > 0.0) or (new < 0.0) != (old < 0.0):
                changed = True
            w[j] = new
    return changed


@register_jitable
def _newton_on_support(G, c, diag, w, h, l2, span_tol, members, work, x):
    """w_A ← (G_AA + l2·I)⁻¹(c_A − h·θ_A) on the support A with signs θ, when that keeps every
    sign; False (w unchanged) when it does not or the block is singular."""
    p = w.shape[0]
    k = 0
    for j in range(p):
        if w[j] != 0.0:
            members[k] = j
            k += 1
    if k == 0 or not cholesky_on(G, diag, members, k, work, span_tol, l2):
        return False
    for s in range(k):
        j = members[s]
        x[s] = c[j] - (h if w[j] > 0.0 else -h)
    solve_factored(work, k, x)
    for s in range(k):
        if (x[s] > 0.0) != (w[members[s]] > 0.0) or x[s] == 0.0:
            return False
    for s in range(k):
        w[members[s]] = x[s]
    return True

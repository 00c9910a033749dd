"""A working-set proximal Newton solver for any datafit and any separable penalty (``datafits``,
``separable``): the shape of glmnet's and skglm's logistic solvers.

It minimizes over w (and an unpenalized intercept b when ``fit_intercept``)

    J(w, b) = F(X·w + b) + P(w),

F a datafit (value, residual = ∂F/∂z, hessian_weights = ∂²F/∂z²), P a separable penalty.

Outer loop (working sets). The full gradient ∇_w = Xᵀ·residual gives each weight's KKT distance
dist(−∇ⱼ, ∂Pⱼ(wⱼ)); the solver stops when max(|∂_b|, maxⱼ dist) ≤ ``goal``. Otherwise the
working set W is the support, then the violators (worst first), then — on a path, in the first
round at a new λ — the sequential strong rule's survivors |∇ⱼ| ≥ 2λ − λ_prev, at most
|support| + max(10, |support|/4) weights: the model below costs n·|W|² to build, so W grows by
rounds (one O(np) gradient each) rather than by skglm's doubling.

Inner loop (proximal Newton on W). At the current z, with D = diag(hessian_weights) and
X̃ = [X_W, 1], the model of J around u = (w_W, b) is

    q(u + d) = J(u) + gᵀd + ½·dᵀ(X̃ᵀDX̃)d + P(u + d) − P(u),     g = X̃ᵀ·residual.

For a piecewise-quadratic P (L1, L2, elastic net, weighted L1: ``pieces``) the model is a small
lasso, ½vᵀAv − cᵀv + Σ aⱼ|vⱼ| (A = X̃ᵀDX̃ + 2·diag(l2), c = X̃ᵀDX̃·u − g), solved exactly by
Newton steps on sign patterns (``_lasso_model``) with one small linear solve each; any other
P by coordinate descent on the dense |W|×|W| matrix with P's one-dimensional prox. A backtracking
line search on the true J (Armijo on the predicted decrease gᵀd + P(u + d) − P(u)) takes the
step. Rounds end when W's own KKT residual is below max(goal/2, 0.3·the round's full residual),
or below the goal itself when W is every weight.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["prox_newton", "solve_spd"]

WS_START = 10
GROWTH = 0.25  # a round adds up to max(10, GROWTH·|support|) weights: the model costs n·|W|² to build
ARMIJO = 1e-4
DAMPING = 1e-12  # relative to the largest curvature: keeps the small Hessian invertible


def solve_spd(M: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """M⁻¹·rhs for a symmetric positive definite M (LAPACK's LU: for the small matrices here it
    is one call, cheaper than Cholesky's three); least squares if M is singular."""
    try:
        return np.linalg.solve(M, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(M, rhs, rcond=None)[0]


def _kinks(A, r, a, u, d):
    """The exact minimizer t ∈ [0, 1] of the convex piecewise quadratic φ(t) = q(u + t·d),
    q(v) = ½vᵀAv − cᵀv + Σ aⱼ|vⱼ| with r = Au − c; returns (t, weights that stop at 0 there,
    whether some weight crossed 0 before t).

    φ'(t) = t·dᵀAd + dᵀr + Σ aⱼdⱼ·sign(uⱼ + t·dⱼ) only jumps up, by 2aⱼ|dⱼ|, where a weight
    crosses 0 (tⱼ = −uⱼ/dⱼ); the minimum is where φ' changes sign."""
    curvature, slope = float(d @ (A @ d)), float(d @ r)
    moving = (d != 0) & (a > 0)
    start_sign = np.where(u != 0, np.sign(u), np.sign(d))
    slope += float(np.sum(a[moving] * d[moving] * start_sign[moving]))
    crossing = np.flatnonzero(moving & (u != 0) & (np.sign(u) != np.sign(d)))
    times = -u[crossing] / d[crossing]
    inside = times < 1.0
    crossing, times = crossing[inside], times[inside]
    order = np.argsort(times, kind="stable")
    crossing, times = crossing[order], times[order]
    jumps = np.concatenate([[0.0], np.cumsum(2.0 * a[crossing] * np.abs(d[crossing]))])
    left = np.concatenate([[0.0], times])
    right = np.concatenate([times, [1.0]])
    at_right = curvature * right + slope + jumps
    k = int(np.argmax(at_right >= 0)) if np.any(at_right >= 0) else right.size - 1
    if curvature > 0:
        t = min(max(-(slope + jumps[k]) / curvature, left[k]), right[k])
    else:
        t = left[k] if slope + jumps[k] >= 0 else right[k]
    if k == right.size - 1 and t >= 1.0 - 1e-9:
        t = 1.0  # the face's minimizer, up to rounding in −slope/curvature
    stops = crossing[times == t] if k > 0 and t == left[k] else crossing[:0]
    return t, stops, bool(np.any(times < t))


def _model(A, c, a, v) -> float:
    return float(0.5 * v @ (A @ v) - c @ v + a @ np.abs(v))


def _lasso_model(A: np.ndarray, c: np.ndarray, a: np.ndarray, u: np.ndarray, max_steps: int) -> np.ndarray:
    """argmin_v ½vᵀAv − cᵀv + Σ aⱼ|vⱼ| (A positive definite, a ≥ 0), started at u.

    Newton steps on sign patterns θ (feature-sign search): on the face {sign v = θ} the minimizer
    solves A_SS·v_S = c_S − a_S·θ_S. The whole step with the weights that would change sign set
    to 0 (a projection on the orthant θ) is taken if it lowers the model; otherwise the exact line
    search over the kinks (``_kinks``) keeps the step a descent and stops one weight at 0. Once a
    face is optimal, the zeros with |(Av − c)ⱼ| > aⱼ enter with the sign of their pull (all at
    once; the worst alone if that made no progress)."""
    free = a <= 0
    u = u.copy()
    face_optimal, single = False, False
    for _ in range(max_steps):
        r = A @ u - c
        theta = np.sign(u)
        if face_optimal:
            excess = np.abs(r) - a
            entering = (u == 0) & ~free & (excess > 1e-13 * a)
            if not entering.any():
                return u
            if single:
                entering = np.flatnonzero(entering)[[np.argmax(excess[entering])]]
            theta[entering] = -np.sign(r[entering])
        S = np.flatnonzero((theta != 0) | free)
        d = np.zeros_like(u)
        if S.size:
            d[S] = solve_spd(A[np.ix_(S, S)], c[S] - a[S] * theta[S]) - u[S]
        if not face_optimal and np.abs(d).max(initial=0.0) <= 1e-14 * max(1.0, np.abs(u).max(initial=0.0)):
            # already the minimizer on this face (up to rounding)
            face_optimal = True
            continue
        target = u + d
        flipped = (theta * target < 0) & ~free
        if not flipped.any():  # the face's minimizer keeps every sign: the model's minimizer on the face
            u, face_optimal = target, True
            continue
        target[flipped] = 0.0  # first try the whole step with every weight that would change sign at 0
        if _model(A, c, a, target) < _model(A, c, a, u):
            u, face_optimal = target, False  # a new face: Newton on it next
            continue
        t, stops, crossed = _kinks(A, r, a, u, d)
        if t <= 0.0:
            if face_optimal and not single:
                single = True
                continue
            return u
        u += t * d
        u[stops] = 0.0
        face_optimal = t == 1.0 and not crossed and stops.size == 0
    return u


def _cd_model(A, c, pen, W, u, n_penalized, sweeps: int = 50) -> np.ndarray:
    """The model by coordinate descent, for a penalty with ``prox1d`` only: each coordinate moves
    to prox_{Pⱼ/Aⱼⱼ}(vⱼ − (Av − c)ⱼ/Aⱼⱼ) (the intercept, unpenalized, to the plain minimizer)."""
    u = u.copy()
    r = A @ u - c
    for _ in range(sweeps):
        largest = 0.0
        for j in range(u.size):
            step = 1.0 / A[j, j]
            x = u[j] - step * r[j]
            new = pen.prox1d(x, step, W[j]) if j < n_penalized else x
            if new != u[j]:
                r += A[:, j] * (new - u[j])
                largest = max(largest, abs(new - u[j]))
                u[j] = new
        if largest <= 1e-15 * max(1.0, float(np.abs(u).max())):
            break
    return u


def _full_kkt(X, datafit, pen, w, z, fit_intercept):
    """(residual, ∇_w, ∂_b, per-weight KKT distances, the KKT residual)."""
    residual = datafit.residual(z)
    grad = X.T @ residual
    dist = pen.subdiff_distance(w, grad)
    slope_b = float(residual.sum())
    return residual, grad, slope_b, dist, max(float(dist.max(initial=0.0)), abs(slope_b) if fit_intercept else 0.0)


def _predictor(X, w, b):
    support = np.flatnonzero(w)
    return (X[:, support] @ w[support] if support.size else np.zeros(X.shape[0])) + b


def prox_newton(X, datafit, pen, w, b, *, fit_intercept, goal, max_iter, previous_l1=None):
    """Minimize datafit(X·w + b) + pen(w) from (w, b); returns (w, b, n_iter, converged, kkt).

    ``n_iter`` counts Newton steps (one model solve and line search each); ``previous_l1`` (a
    path's previous λ's L1 strength) turns on the strong rule for the first working set."""
    n, p = X.shape
    w = np.array(w, dtype=float)
    b = float(b) if fit_intercept else 0.0
    n_iter, first, stalled = 0, True, 0
    pieces = hasattr(pen, "pieces")
    z = _predictor(X, w, b)
    cache = (None, None)  # (W, X̃_W): kept while W does not change
    while True:
        residual, grad, slope_b, dist, kkt = _full_kkt(X, datafit, pen, w, z, fit_intercept)
        if kkt <= goal:
            return w, b, n_iter, True, kkt
        if n_iter >= max_iter or stalled >= 3 or not math.isfinite(kkt):
            return w, b, n_iter, False, kkt
        support = np.flatnonzero(w)
        threshold = pen.strong_threshold(previous_l1) if first and hasattr(pen, "strong_threshold") else None
        ws_size = min(p, support.size + max(WS_START, int(GROWTH * support.size)))
        # the support first, then the violators (worst first), then the strong rule's survivors
        level = np.where(w != 0, 3, np.where(dist > 0, 2, 0))
        if threshold is not None:
            level = np.where((level == 0) & (np.abs(grad) >= threshold), 1, level)
        order = np.lexsort((-np.where(dist > 0, dist, np.abs(grad)), -level))[:ws_size]
        chosen = np.zeros(p, dtype=bool)
        chosen[order[level[order] > 0]] = True
        first = False
        W = np.flatnonzero(chosen)
        # W is every weight: its own residual is the whole certificate, solve to the goal
        inner_goal = 0.9 * goal if W.size == p else max(0.5 * goal, 0.3 * kkt)
        first_slope = (residual, np.append(grad[W], slope_b) if fit_intercept else grad[W])
        # W of half the weights or more: the full KKT pass costs at most twice W's, so one step per
        # round (the round's pass is the step's check) instead of a second check on W alone
        budget = 1 if 2 * W.size >= p else max_iter - n_iter
        if cache[0] is None or not np.array_equal(cache[0], W):
            XW = X[:, W]
            cache = (W, np.hstack([XW, np.ones((n, 1))]) if fit_intercept else XW)
        w, b, z, taken = _solve_working_set(
            cache[1], datafit, pen, W, w, b, z, fit_intercept, inner_goal, budget, pieces, first_slope
        )
        n_iter += taken
        stalled = stalled + 1 if taken == 0 else 0


def _solve_working_set(XW, datafit, pen, W, w, b, z, fit_intercept, inner_goal, budget, pieces, first_slope):
    """Proximal Newton steps on the weights W (and b) from (w, b), z = X·w + b, whose residual and
    gradient on W (with ∂_b last) are ``first_slope``; XW = X̃_W = [X_W, 1] (or X_W without the
    intercept). Returns (w, b, z, steps taken)."""
    k = W.size
    u = np.append(w[W], b) if fit_intercept else w[W].copy()
    if pieces:
        a, l2 = pen.pieces(W)
        a = np.append(a, 0.0) if fit_intercept else a
        ridge = np.append(2.0 * l2, 0.0) if fit_intercept else 2.0 * l2
    w = w.copy()
    objective = datafit.value(z) + pen.value(w)
    taken = 0
    while taken < budget:
        if taken == 0:
            residual, g = first_slope
        else:
            residual = datafit.residual(z)
            g = XW.T @ residual
        inner = pen.subdiff_distance(u[:k], g[:k], W).max(initial=0.0)
        if max(inner, (abs(float(g[k])) if fit_intercept else 0.0)) <= inner_goal:
            break
        root = np.sqrt(datafit.hessian_weights(z))
        S = XW * root[:, None]
        H = S.T @ S
        H.flat[:: H.shape[0] + 1] += DAMPING * max(float(H.diagonal().max()), 1e-300)
        c = H @ u - g
        if pieces:
            A = H.copy()
            A.flat[:: A.shape[0] + 1] += ridge
            target = _lasso_model(A, c, a, u, 20 * u.size + 50)
        else:
            target = _cd_model(H, c, pen, W, u, k)
        d = target - u
        w_full = w.copy()
        w_full[W] = target[:k]
        decrease = float(g @ d) + pen.value(w_full) - pen.value(w)
        if decrease >= 0.0 and not np.any(d):
            break
        dz = XW @ d
        t = 1.0
        while True:
            w_trial = w.copy()
            w_trial[W] = u[:k] + t * d[:k]
            z_trial = z + t * dz
            trial = datafit.value(z_trial) + pen.value(w_trial)
            if trial <= objective + ARMIJO * t * decrease or (
                t == 1.0 and abs(decrease) <= 1e-15 * max(1.0, abs(objective)) and trial <= objective + 1e-15
            ):
                break
            t *= 0.5
            if t < 1e-10:
                return w, (float(u[k]) if fit_intercept else 0.0), z, taken
        u = u + t * d
        if t == 1.0:
            u[:k] = target[:k]  # exact zeros where the model put them
        w[W] = u[:k]
        z, objective = z_trial, trial
        taken += 1
    return w, (float(u[k]) if fit_intercept else 0.0), z, taken

"""Proximal Newton for a small dense L1 / elastic-net logistic regression, written as loops over
scalars for numba to compile (``compiled.logistic_loop``; used by ``logistic.solve_logistic``).

The same method as ``prox_newton`` (which it replaces on small problems, where that module's
~50 NumPy calls a step are the whole cost), on every weight at once and with the intercept u_p = b:

    F(w, b) = (1/n)·Σ[log(1 + e^zᵢ) − yᵢzᵢ] + l1·‖w‖₁ + l2·‖w‖²,    z = Xw + b;
    r = (σ(z) − y)/n,  g = X̃ᵀr,  H = X̃ᵀ·diag(σ(z)(1 − σ(z))/n)·X̃ + δ·I  (X̃ = [X, 1]);
    the model ½vᵀHv − (Hu − g)ᵀv + l1·‖v_w‖₁ + l2·‖v_w‖², minimized over v by coordinate descent;
    u ← u + t·(v − u), t from 1 halved until F falls by at least ARMIJO·t·(the model's decrease)
    (the full step when that decrease is below F's rounding and F does not rise by more).

It stops on the logistic solvers' certificate (``logistic.kkt_residual_logistic``):
max(|Σrᵢ|, maxⱼ dist(−gⱼ − 2·l2·wⱼ, l1·∂|wⱼ|)) ≤ goal.

Without numba the functions run, slowly, as plain Python; the tests run them both ways.
"""

from __future__ import annotations

import math

from regcourse.linear._loops_common import register_jitable


def logistic_prox_newton(X, y, l1, l2, u, goal, max_steps, armijo, damping, z, r, g, H, model, trial, Hv):
    """Minimize F from u = (w, b) (length p + 1, changed in place); return (steps, status) with
    status 0 converged, 1 out of steps, 2 no descent (the caller's NumPy solver takes over).

    z, r, trial (length n), g, model, Hv (length p + 1) and H ((p + 1)×(p + 1)) are scratch arrays."""
    n, p = X.shape
    _predict(X, u, z)
    objective = _objective(y, z, u, l1, l2, n, p)
    for steps in range(max_steps + 1):
        kkt = _gradient(X, y, u, z, r, g, l1, l2, n, p)
        if kkt <= goal:
            return steps, 0
        if steps == max_steps:
            return steps, 1
        _hessian(X, z, H, damping, n, p)
        inner_goal = max(0.5 * goal, 1e-3 * kkt)
        decrease = _model_step(H, g, u, model, Hv, l1, l2, inner_goal, 20 * (p + 1) + 50, p)
        if not decrease < 0.0:
            return steps, 2
        t = 1.0
        while True:
            for j in range(p + 1):
                Hv[j] = u[j] + t * (model[j] - u[j])  # Hv: the trial point, reused as scratch
            _predict(X, Hv, trial)
            value = _objective(y, trial, Hv, l1, l2, n, p)
            if value <= objective + armijo * t * decrease:
                break
            # a decrease below F's rounding (as ``prox_newton``): the full step, unless F rises
            if t == 1.0 and abs(decrease) <= 1e-15 * max(1.0, abs(objective)) and value <= objective + 1e-15:
                break
            t *= 0.5
            if t < 1e-10:
                return steps, 2
        for j in range(p + 1):
            u[j] = model[j] if t == 1.0 else Hv[j]  # exact zeros where the model put them
        for i in range(n):
            z[i] = trial[i]
        objective = value
    return max_steps, 1


@register_jitable
def _predict(X, u, z):
    n, p = X.shape
    for i in range(n):
        total = u[p]
        for j in range(p):
            total += X[i, j] * u[j]
        z[i] = total


@register_jitable
def _objective(y, z, u, l1, l2, n, p):
    total, lost = 0.0, 0.0  # Neumaier's compensated sum: the line search compares F to ~1e-15
    for i in range(n):
        zi = z[i]
        softplus = zi + math.log1p(math.exp(-zi)) if zi > 0.0 else math.log1p(math.exp(zi))
        term = softplus - y[i] * zi
        after = total + term
        lost += (total - after) + term if abs(total) >= abs(term) else (term - after) + total
        total = after
    total += lost
    penalty = 0.0
    for j in range(p):
        penalty += l1 * abs(u[j]) + l2 * u[j] * u[j]
    return total / n + penalty


@register_jitable
def _gradient(X, y, u, z, r, g, l1, l2, n, p):
    """r = (σ(z) − y)/n (as −σ(−z)/n where y = 1), g = X̃ᵀr; returns the KKT residual."""
    for i in range(n):
        zi = z[i]
        if zi >= 0.0:
            e = math.exp(-zi)
            sigma, rest = 1.0 / (1.0 + e), e / (1.0 + e)
        else:
            e = math.exp(zi)
            sigma, rest = e / (1.0 + e), 1.0 / (1.0 + e)
        r[i] = (-rest if y[i] == 1.0 else sigma) / n
    worst = 0.0
    total = 0.0
    for i in range(n):
        total += r[i]
    g[p] = total
    worst = abs(total)
    for j in range(p):
        gj = 0.0
        for i in range(n):
            gj += X[i, j] * r[i]
        g[j] = gj
        smooth = gj + 2.0 * l2 * u[j]
        if u[j] != 0.0:
            dist = abs(smooth + (l1 if u[j] > 0.0 else -l1))
        else:
            dist = abs(smooth) - l1
        if dist > worst:
            worst = dist
    return worst


@register_jitable
def _hessian(X, z, H, damping, n, p):
    """H = X̃ᵀ·diag(σ(1 − σ)/n)·X̃, plus damping·max Hⱼⱼ on the diagonal (as ``prox_newton``)."""
    for a in range(p + 1):
        for c in range(p + 1):
            H[a, c] = 0.0
    for i in range(n):
        zi = z[i]
        e = math.exp(-abs(zi))
        weight = e / ((1.0 + e) * (1.0 + e)) / n
        for a in range(p):
            xa = X[i, a] * weight
            for c in range(a, p):
                H[a, c] += xa * X[i, c]
            H[a, p] += xa
        H[p, p] += weight
    top = 0.0
    for a in range(p + 1):
        for c in range(a):
            H[a, c] = H[c, a]
        if H[a, a] > top:
            top = H[a, a]
    bump = damping * (top if top > 1e-300 else 1e-300)
    for a in range(p + 1):
        H[a, a] += bump


@register_jitable
def _model_step(H, g, u, model, Hv, l1, l2, inner_goal, max_sweeps, p):
    """Coordinate descent on the model from v = u; leaves v in ``model`` and returns the model's
    predicted decrease gᵀ(v − u) + P(v) − P(u) (negative for a descent direction)."""
    for j in range(p + 1):
        model[j] = u[j]
        Hv[j] = 0.0  # H·(v − u), kept up to date
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(p + 1):
            curvature = H[j, j] + (2.0 * l2 if j < p else 0.0)
            # the model's partial derivative in vⱼ, without its own penalty: gⱼ + (H(v − u))ⱼ
            slope = g[j] + Hv[j]
            if j < p:
                target = model[j] * H[j, j] - slope
                shrunk = abs(target) - l1
                new = (math.copysign(shrunk, target) if shrunk > 0.0 else 0.0) / curvature
            else:
                new = model[j] - slope / curvature
            delta = new - model[j]
            if delta != 0.0:
                for a in range(p + 1):
                    Hv[a] += H[a, j] * delta
                model[j] = new
                change = abs(delta) * curvature
                if change > largest:
                    largest = change
        if largest <= inner_goal:
            break
    decrease = 0.0
    for j in range(p + 1):
        decrease += g[j] * (model[j] - u[j])
    for j in range(p):
        decrease += l1 * (abs(model[j]) - abs(u[j])) + l2 * (model[j] * model[j] - u[j] * u[j])
    return decrease

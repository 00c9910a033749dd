"""Newton's method for a datafit plus a ridge penalty (or none): every weight is free, so no
working set and no proximal step.

It minimizes J(w, b) = F(X·w + b) + l2·‖w‖² (b unpenalized, present when ``fit_intercept``):

    ∇J = (Xᵀr + 2·l2·w, Σr),     ∇²J = X̃ᵀ·D·X̃ + diag(2·l2, …, 2·l2, 0),

with r = residual(z), D = diag(hessian_weights(z)), X̃ = [X, 1]. The Newton direction solves
∇²J·d = −∇J: by a direct solve (LAPACK) of the (p+1)×(p+1) Hessian when p + 1 ≤ ``DENSE_MAX``,
otherwise by conjugate gradients on Hessian-vector products X̃ᵀ(D·(X̃v)) (two passes over X),
preconditioned by the Hessian's diagonal, the products in single precision (an inexact Newton
direction needs no more; the gradient, z and the objective stay in double precision), stopped
at relative residual min(½, √(‖∇J‖/‖∇J₀‖)) (a truncated Newton method: superlinear near the
solution), or once the residual is below a quarter of ``goal`` in every entry. A backtracking (Armijo) line search
on J takes the step. It stops when max|∇J| ≤ ``goal`` — the same KKT certificate as the other
solvers, as there is no L1 part.

Without a penalty a minimizer need not exist: when the datafit reports ``unbounded`` (for the
logistic loss: every sample on its side of z = 0, the classes separated) the solver says so.
"""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.prox_newton import solve_spd

__all__ = ["smooth_newton", "DENSE_MAX"]

DENSE_MAX = 1500
ARMIJO = 1e-4
CG_MAX_ITER = 1000


def _cg(forward, backward, weights, ridge, g, precond, rtol, enough):
    """Approximately solve H·d = −g, H = X̃ᵀ·diag(weights)·X̃ + diag(ridge), by preconditioned
    conjugate gradients started at 0 (``forward``: v ↦ X̃v, ``backward``: r ↦ X̃ᵀr). It stops at
    relative residual ``rtol`` or once every entry of the residual is below ``enough`` (the
    gradient after the step is about that residual: smaller is not needed to pass the KKT test)."""
    d = np.zeros_like(g)
    res = -g.copy()
    s = res / precond
    direction = s.copy()
    rs = float(res @ s)
    stop = rtol * float(np.linalg.norm(g))
    for _ in range(CG_MAX_ITER):
        Hp = backward(weights * forward(direction)) + ridge * direction
        curvature = float(direction @ Hp)
        if curvature <= 0.0:
            break
        step = rs / curvature
        d += step * direction
        res -= step * Hp
        if float(np.linalg.norm(res)) <= stop or float(np.abs(res).max()) <= enough:
            break
        s = res / precond
        rs_new = float(res @ s)
        direction = s + (rs_new / rs) * direction
        rs = rs_new
    return d if np.any(d) else -g / precond


def smooth_newton(X, datafit, l2, w, b, *, fit_intercept, goal, max_iter):
    """Minimize datafit(X·w + b) + l2·‖w‖² from (w, b).

    Returns (w, b, n_iter, status, kkt) with status "converged", "max_iter" or "unbounded" (no
    penalty and ``datafit.unbounded``: no minimizer exists)."""
    n, p = X.shape
    w = np.array(w, dtype=float)
    b = float(b) if fit_intercept else 0.0
    dense = p + fit_intercept <= DENSE_MAX
    if dense:
        X1 = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    else:  # CG's Hessian-vector products in single precision: half the memory traffic
        single = float(np.abs(X).max(initial=0.0)) < 1e15  # else squares overflow float32: stay double
        X32 = X.astype(np.float32 if single else float)
        squares = X32 * X32

    def forward(v):
        return (X32 @ v[:p].astype(X32.dtype)).astype(float) + (v[p] if fit_intercept else 0.0)

    def backward(r):
        product = (X32.T @ r.astype(X32.dtype)).astype(float)
        return np.append(product, r.sum()) if fit_intercept else product

    ridge = np.full(p + fit_intercept, 2.0 * l2)
    if fit_intercept:
        ridge[-1] = 0.0
    z = X @ w + b
    objective = datafit.value(z) + l2 * float(w @ w)
    first_norm, n_iter = None, 0
    while True:
        residual = datafit.residual(z)
        g = X.T @ residual + 2.0 * l2 * w
        if fit_intercept:
            g = np.append(g, residual.sum())
        kkt = float(np.abs(g).max(initial=0.0))
        if kkt <= goal:
            return w, b, n_iter, "converged", kkt
        if l2 == 0.0 and datafit.unbounded(z):
            return w, b, n_iter, "unbounded", kkt
        if n_iter >= max_iter or not math.isfinite(kkt):
            return w, b, n_iter, "max_iter", kkt
        weights = datafit.hessian_weights(z)
        if dense:
            S = X1 * np.sqrt(weights)[:, None]
            H = S.T @ S
            H[np.diag_indices_from(H)] += ridge + 1e-12 * max(float(H.diagonal().max()), 1e-300)
            d = -solve_spd(H, g)
            dz = X1 @ d
        else:
            norm = float(np.linalg.norm(g))
            first_norm = first_norm or norm
            precond = (squares.T @ weights.astype(X32.dtype)).astype(float) + ridge[:p]
            if fit_intercept:
                precond = np.append(precond, weights.sum())
            precond = np.maximum(precond, 1e-12 * max(float(precond.max()), 1e-300))

            d = _cg(forward, backward, weights, ridge, g, precond, min(0.5, math.sqrt(norm / first_norm)), 0.25 * goal)
            dz = X @ d[:p] + (d[p] if fit_intercept else 0.0)  # z = X·w + b stays exact (double precision)
        slope = float(g @ d)
        t = 1.0
        while True:
            w_trial = w + t * d[:p]
            z_trial = z + t * dz
            trial = datafit.value(z_trial) + l2 * float(w_trial @ w_trial)
            if trial <= objective + ARMIJO * t * slope or (
                t == 1.0 and abs(slope) <= 1e-15 * max(1.0, abs(objective)) and trial <= objective + 1e-15
            ):
                break
            t *= 0.5
            if t < 1e-10:
                return w, b, n_iter, "max_iter", kkt
        w, z, objective = w_trial, z_trial, trial
        if fit_intercept:
            b += t * float(d[p])
        n_iter += 1

"""Coordinate descent (solver "cd"): the textbook method, kept for teaching and cross-checks."""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.kkt import kkt_violation
from regcourse.linear.problem import Problem
from regcourse.linear.results import warn_not_converged
from regcourse.penalties import Penalty

__all__ = ["coordinate_descent"]


def coordinate_descent(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
    """Coordinate descent, sped up by exact solves on the current support.

    One coordinate: with q = c − Gw, wⱼ ← S(qⱼ + Gⱼⱼwⱼ, l1/2) / (Gⱼⱼ + l2), S = soft-threshold.

    Between sweeps, the support A of w and its signs s are used for an exact step:
    w_A = (G_AA + l2·I)⁻¹(c_A − ½·l1·s), taken when it keeps the signs and lowers the objective.
    Then one check over every coordinate either confirms optimality or names the coordinates
    that must move; one sweep over those. ``n_iter`` counts rounds (solve + check + sweep).
    The textbook method, kept for teaching and cross-checks: ``active_set`` is faster.
    """
    c, half_l1, l2 = prob.c, 0.5 * pen.l1_coef, pen.l2_coef
    diag = prob.diag
    denominators = diag + l2
    usable = denominators > 0  # a constant (all-zero) feature with l2 = 0 stays at 0
    safe_denominators = np.where(usable, denominators, 1.0)
    w = w.copy()
    q = prob.neg_half_gradient(w)
    goal = tol * prob.scale
    residual = math.inf

    def objective(v):
        return (
            float(v @ prob.gram_matvec(v))
            - 2.0 * float(c @ v)
            + 2.0 * half_l1 * float(np.abs(v).sum())
            + l2 * float(v @ v)
        )

    for rounds in range(1, max_iter + 1):
        support = np.flatnonzero(w)
        if support.size:
            signs = np.sign(w[support])
            block = prob.gram_block(support) + l2 * np.eye(support.size)
            try:
                solved = np.linalg.solve(block, c[support] - half_l1 * signs)
            except np.linalg.LinAlgError:
                solved = None
            if solved is not None and np.all(np.sign(solved) == signs):
                candidate = np.zeros_like(w)
                candidate[support] = solved
                if objective(candidate) <= objective(w):
                    w = candidate
                    q = prob.neg_half_gradient(w)
        violation = kkt_violation(q, w, diag, half_l1, l2)
        residual = float(violation.max())
        if residual <= goal:
            return w, rounds, True
        sweep = np.union1d(support, np.flatnonzero(violation > goal))
        columns = prob.gram_columns(sweep)
        for k, j in enumerate(sweep):
            z_j = q[j] + diag[j] * w[j]
            new = math.copysign(max(abs(z_j) - half_l1, 0.0), z_j) / safe_denominators[j] if usable[j] else 0.0
            delta = new - w[j]
            if delta != 0.0:
                q -= delta * columns[:, k]
                w[j] = new
    warn_not_converged("cd", max_iter, residual, goal)
    return w, max_iter, False

"""The solvers of the penalized least-squares problem, on a ``Problem``:

    J(w) = wᵀGw − 2cᵀw + yy + l1·‖w‖₁ + l2·‖w‖²,    G = XcᵀXc/n,  c = Xcᵀyc/n.

    closed_form   ridge only: (G + λI)w = c, or the n×n dual system when p > n
    gd            gradient descent, for differentiable penalties (ridge), for teaching
    cd            coordinate descent (the textbook method, with exact solves on the support)
    ista, fista   proximal gradient: w ← prox(w − ∇/L, 1/L) with L = 2·λ_max(G); FISTA adds momentum
    active_set    the default for L1 and elastic net: a working set, solved by Newton steps on the
                  sign pattern (see ``working_set`` and ``newton_block``)

This module chooses and dispatches; the methods live in ``first_order``, ``coordinate`` and
``working_set``, the certificate in ``kkt``.

Every solver stops on the same certificate: the optimality residual — how far one exact
coordinate step would still move each weight, in gradient units (``kkt_violation``; zero exactly
at the optimum) — is below ``tol`` times max|c|. A solver that runs out of iterations says so: a
ConvergenceWarning and ``converged=False``.

The loss enters through the Problem only (its gradient ``neg_half_gradient`` and its Gram
blocks); a solver for another loss (logistic, issue 16) reuses ``kkt_violation`` and the working
set, with its own inner Newton step.
"""

from __future__ import annotations

import numpy as np

from regcourse.linear.coordinate import coordinate_descent
from regcourse.linear.first_order import closed_form, gradient_descent, proximal_gradient
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.newton_block import (  # noqa: F401 (the names this module had before the split)
    ENTERING_MAX,
    _exchange,
    _feasible,
    _line_minimum,
    _newton_on_block,
    _step,
    _sweep,
)
from regcourse.linear.problem import Problem
from regcourse.linear.working_set import continuation, working_set
from regcourse.penalties import Penalty

# Before the split these lived here; code written against that (other branches) still finds them.
_continuation = continuation
_coordinate_descent, _closed_form = coordinate_descent, closed_form
_gradient_descent, _proximal_gradient = gradient_descent, proximal_gradient

__all__ = ["SOLVERS", "DEFAULT_TOL", "choose_solver", "solve", "kkt_violation", "working_set"]

SOLVERS = ("auto", "closed_form", "gd", "cd", "ista", "fista", "active_set")
DEFAULT_TOL = 1e-10


def choose_solver(solver, pen: Penalty, positive: bool = False) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {solver!r}")
    if positive:
        if solver not in ("auto", "active_set"):
            raise ValueError(
                f"positive=True needs solver 'auto' or 'active_set' (the working set clips at 0), got solver={solver!r}"
            )
        return "active_set"
    if solver == "auto":
        return "closed_form" if pen.l1_coef == 0.0 else "active_set"
    if solver in ("closed_form", "gd") and pen.l1_coef > 0.0:
        raise ValueError(
            f"solver {solver!r} needs a differentiable penalty (no L1 part), got {pen!r}; use 'active_set', 'cd', "
            "'ista' or 'fista'"
        )
    return solver


def solve(prob: Problem, pen: Penalty, solver: str, w0, tol: float, max_iter: int, positive: bool = False):
    w = np.zeros(prob.p) if w0 is None else np.asarray(w0, dtype=float).copy()
    if positive:  # choose_solver allows only the working set with w ≥ 0
        w = np.maximum(w, 0.0)
        if w0 is None:
            return continuation(prob, pen, tol, max_iter, positive=True)
        return working_set(prob, pen, w, tol, max_iter, positive=True)
    if solver == "closed_form":
        return closed_form(prob, pen), 1, True
    if solver == "gd":
        return gradient_descent(prob, pen, w, tol, max_iter)
    if solver == "cd":
        return coordinate_descent(prob, pen, w, tol, max_iter)
    if solver == "active_set":
        if w0 is None:
            return continuation(prob, pen, tol, max_iter)
        return working_set(prob, pen, w, tol, max_iter)
    return proximal_gradient(prob, pen, w, tol, max_iter, accelerated=solver == "fista")

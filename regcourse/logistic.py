"""Logistic regression under the course objective: the names notebooks and tests import.

The solvers live in ``regcourse.linear`` (``linear.logistic``: the objective and the solver
choice; ``linear.datafits``, ``linear.prox_newton``, ``linear.smooth_newton``); this module only
re-exports them, and nothing in ``regcourse.linear`` imports it (no import circle).

    J(w, b) = (1/n)·Σᵢ [log(1 + e^zᵢ) − yᵢzᵢ] + l1·‖w‖₁ + l2·‖w‖²,    zᵢ = xᵢ·w + b,  yᵢ ∈ {0, 1}.
"""

from regcourse.linear.logistic import (
    check_labels,
    fit_logistic,
    kkt_residual_logistic,
    lam_max_logistic,
    log_loss,
    sigmoid,
)

__all__ = ["check_labels", "log_loss", "sigmoid", "lam_max_logistic", "fit_logistic", "kkt_residual_logistic"]

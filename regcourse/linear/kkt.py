"""The optimality certificate every linear solver stops on: ``kkt_violation``.

For J(w) = wᵀGw − 2cᵀw + l1·‖w‖₁ + l2·‖w‖², with q = c − Gw (minus half the gradient of the
MSE), 0 ∈ ∂J(w) holds coordinate by coordinate exactly when one exact coordinate step would not
move the weight. The residual is that move, in gradient units; solvers compare its maximum with
``tol``·max|c|.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kkt_violation"]


def kkt_violation(
    q: np.ndarray, w: np.ndarray, diag: np.ndarray, half_l1: float, l2: float, positive: bool = False
) -> np.ndarray:
    """Per coordinate, how far one exact coordinate step would move wⱼ, times (Gⱼⱼ + l2):

        |S(qⱼ + Gⱼⱼwⱼ, l1/2) − (Gⱼⱼ + l2)·wⱼ|,    q = c − Gw,  S = soft-threshold.

    Zero exactly when 0 ∈ ∂J at w for that coordinate. For wⱼ = 0 it is max(|qⱼ| − l1/2, 0).
    A feature with Gⱼⱼ + l2 = 0 (constant, unpenalized by L2) has nothing to move: 0.
    With ``positive`` (weights constrained to w ≥ 0) the step is clipped at 0:
    S₊(z, t) = max(z − t, 0), so a zero violates only when qⱼ > l1/2.
    """
    denominators = diag + l2
    z = q + diag * w
    if positive:
        shrunk = np.maximum(z - half_l1, 0.0)
    else:
        shrunk = np.sign(z) * np.maximum(np.abs(z) - half_l1, 0.0)
    return np.where(denominators > 0, np.abs(shrunk - denominators * w), 0.0)

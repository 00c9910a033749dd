"""The three penalties of the course, each written once for NumPy arrays and torch tensors.

The course objective is ``J(w, b) = MSE(w, b) + penalty(w)`` with

* ``L1(lam)``:            penalty(w) = λ·Σ|wⱼ|
* ``L2(lam)``:            penalty(w) = λ·Σwⱼ²          (no ½: the Keras convention)
* ``ElasticNet(l1, l2)``: penalty(w) = λ₁·Σ|wⱼ| + λ₂·Σwⱼ²

Sums run over every entry of ``w`` (a vector, a weight matrix, a convolution kernel).
Each penalty object gives its value (call it), its gradient ``.grad(w)``, its proximal
operator ``.prox(w, step)`` and, for pictures, the boundary of its constraint region
``.ball(radius)``. On torch tensors every result is a tensor on the same device and values
stay differentiable; this module never imports torch itself.

Bad input (a negative, NaN or infinite λ, weights with NaN, something that is not an
array) raises ValueError or TypeError naming the parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from regcourse._arrays import (
    as_weights,
    check_nonnegative,
    flatten_abs_sorted_desc,
    is_tensor,
    norm1,
    norm2,
    positive_part,
    sign,
    sum_abs,
    sum_squares,
)

__all__ = [
    "Penalty",
    "L1",
    "L2",
    "ElasticNet",
    "soft_threshold",
    "project_l1_ball",
    "project_l2_ball",
]


# --- building blocks -----------------------------------------------------------------


def _shrink(w, t):
    """sign(w)·max(|w| − t, 0) without validation (callers have validated).

    Adding 0.0 turns the −0.0 that sign(−x)·0 produces into 0.0, so printed results show 0.
    """
    return sign(w) * positive_part(abs(w) - t) + 0.0


def soft_threshold(w, t):
    """Soft-thresholding, the proximal operator of t·Σ|wⱼ|.

    S_t(w)ⱼ = sign(wⱼ)·max(|wⱼ| − t, 0)

    Entries with |wⱼ| ≤ t become exactly 0; the others move t closer to 0.
    ``t`` is a number ≥ 0; ``w`` an array or tensor (the result has its type and shape).
    """
    w = as_weights(w)
    return _shrink(w, check_nonnegative(t, "t"))


def project_l2_ball(w, radius):
    """Euclidean projection onto the L2 ball {z : ‖z‖₂ ≤ radius}.

    P(w) = w                      if ‖w‖₂ ≤ radius
         = w · radius / ‖w‖₂      otherwise

    The norm is taken over every entry of ``w``. Returns a new array or tensor.
    """
    w = as_weights(w)
    radius = check_nonnegative(radius, "radius")
    length = norm2(w)
    if length <= radius:
        return w.clone() if is_tensor(w) else w.copy()
    return w * (radius / length)


def project_l1_ball(w, radius):
    """Euclidean projection onto the L1 ball {z : ‖z‖₁ ≤ radius}.

    P(w) = w                  if ‖w‖₁ ≤ radius
         = S_θ(w)             otherwise, with θ > 0 chosen so that ‖S_θ(w)‖₁ = radius

    θ comes from sorting |w| in decreasing order, u₁ ≥ u₂ ≥ …: with ρ the largest k such that
    u_k > (u₁ + … + u_k − radius)/k, θ = (u₁ + … + u_ρ − radius)/ρ
    (Duchi, Shalev-Shwartz, Singer & Chandra, ICML 2008). O(n log n).
    """
    w = as_weights(w)
    radius = check_nonnegative(radius, "radius")
    if norm1(w) <= radius:
        return w.clone() if is_tensor(w) else w.copy()
    if radius == 0.0:
        return w * 0.0
    u, partial_sums, k = flatten_abs_sorted_desc(w)
    # The condition holds exactly for k = 1, …, ρ, so ρ is the number of k where it holds.
    # It always holds for k = 1 (it reads radius > 0), but rounding can hide that when the
    # radius is tiny next to |w|, hence the max.
    rho = max(int((u - (partial_sums - radius) / k > 0).sum()), 1)
    theta = (partial_sums[rho - 1] - radius) / rho
    return _shrink(w, theta)


# --- the penalties -------------------------------------------------------------------


@dataclass(frozen=True)
class Penalty:
    """Common behaviour of L1, L2 and ElasticNet (not used on its own).

    Every penalty is ``l1·Σ|wⱼ| + l2·Σwⱼ²`` for some l1, l2 ≥ 0; subclasses say which.
    """

    kind: ClassVar[str] = ""

    # The two coefficients in the common form l1·Σ|w| + l2·Σw².
    @property
    def l1_coef(self) -> float:
        raise NotImplementedError

    @property
    def l2_coef(self) -> float:
        raise NotImplementedError

    # --- value, gradient, proximal operator ---

    def __call__(self, w):
        """The penalty value l1·Σ|wⱼ| + l2·Σwⱼ² (a 0-d tensor for tensors, differentiable)."""
        w = as_weights(w)
        # Both terms are always computed so the result has w's type, device and graph even
        # when a coefficient is 0.
        return self.l1_coef * sum_abs(w) + self.l2_coef * sum_squares(w)

    def grad(self, w):
        """The gradient l1·sign(w) + 2·l2·w, with sign(0) = 0.

        At wⱼ = 0, Σ|w| has no derivative; sign(0) = 0 picks the subgradient of smallest
        norm, so the gradient of L1 at 0 is 0.
        """
        w = as_weights(w)
        return self.l1_coef * sign(w) + (2.0 * self.l2_coef) * w

    def prox(self, w, step):
        """The proximal operator argmin_z ½‖z − w‖² + step·penalty(z).

        For l1·Σ|z| + l2·Σz² it is S_{step·l1}(w) / (1 + 2·step·l2),
        with S the soft-thresholding operator.
        """
        w = as_weights(w)
        step = check_nonnegative(step, "step")
        return _shrink(w, step * self.l1_coef) / (1.0 + 2.0 * step * self.l2_coef)

    # --- geometry for pictures ---

    @property
    def strength(self) -> float:
        """The overall strength l1 + l2 (λ for L1 and L2)."""
        return self.l1_coef + self.l2_coef

    @property
    def mix(self) -> float:
        """The share of the L1 part, l1 / (l1 + l2): 1 for L1, 0 for L2."""
        if self.strength == 0.0:
            raise ValueError(f"{self!r} has no shape: both coefficients are 0, so no ball or budget")
        return self.l1_coef / self.strength

    def budget(self, w) -> float:
        """The budget w uses: R(w) = mix·Σ|wⱼ| + (1 − mix)·Σwⱼ².

        R is the penalty's shape with its strength divided out (R = penalty/strength when the
        strength is positive): Σ|wⱼ| for L1, Σwⱼ² for L2, whatever λ is. It is the R of the
        budget form "minimize the loss subject to R(w) ≤ radius", and ``ball(radius)`` is the
        curve R(w) = radius.
        """
        w = as_weights(w)
        mix = self.mix
        return mix * norm1(w) + (1.0 - mix) * norm2(w) ** 2

    def ball(self, radius, n: int = 401) -> np.ndarray:
        """Points on the boundary of {w ∈ R² : R(w) ≤ radius}, an array of shape (n, 2).

        R(w) = mix·Σ|wⱼ| + (1 − mix)·Σwⱼ² (see ``budget``): the L1 ball is the diamond
        |w₁| + |w₂| ≤ radius, the L2 ball the disk w₁² + w₂² ≤ radius (Euclidean radius
        √radius), the elastic-net ball lies between them. The curve is closed (first point =
        last point), starts on the positive w₁ axis and includes the four points on the axes,
        so the diamond's corners are drawn sharp.

        Along direction (cos θ, sin θ), with a = |cos θ| + |sin θ|, the boundary is at distance
        r = 2·radius / (mix·a + √(mix²·a² + 4·(1 − mix)·radius)).
        """
        radius = check_nonnegative(radius, "radius")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 5:
            raise ValueError(f"n must be an integer >= 5, got {n!r}")
        mix = self.mix
        theta = np.linspace(0.0, 2.0 * math.pi, int(n))
        for axis_angle in (0.5 * math.pi, math.pi, 1.5 * math.pi):  # snap onto the axes
            theta[np.argmin(np.abs(theta - axis_angle))] = axis_angle
        direction = np.stack([np.cos(theta), np.sin(theta)], axis=1)
        direction[np.abs(direction) < 1e-12] = 0.0  # cos(π/2) is 6e-17, not 0
        if radius == 0.0:
            return np.zeros((int(n), 2))
        a = np.abs(direction).sum(axis=1)
        r = 2.0 * radius / (mix * a + np.sqrt((mix * a) ** 2 + 4.0 * (1.0 - mix) * radius))
        return direction * r[:, None]


@dataclass(frozen=True)
class _OneStrength(Penalty):
    """A penalty with a single strength λ (L1 and L2)."""

    lam: float

    def __post_init__(self):
        object.__setattr__(self, "lam", check_nonnegative(self.lam, "lam"))


class L1(_OneStrength):
    """The lasso penalty λ·Σ|wⱼ|.

    Its gradient away from 0 is λ·sign(w); its proximal operator is soft-thresholding at
    step·λ, which sets small weights exactly to 0.
    """

    kind: ClassVar[str] = "l1"
    l1_coef = property(lambda self: self.lam)
    l2_coef = property(lambda self: 0.0)
    mix = property(lambda self: 1.0)


class L2(_OneStrength):
    """The ridge penalty λ·Σwⱼ² (no ½, as in Keras ``regularizers.L2``).

    Its gradient is 2λ·w (which is why PyTorch's ``weight_decay=wd`` matches λ = wd/2);
    its proximal operator shrinks every weight by the same factor 1/(1 + 2·step·λ).
    """

    kind: ClassVar[str] = "l2"
    l1_coef = property(lambda self: 0.0)
    l2_coef = property(lambda self: self.lam)
    mix = property(lambda self: 0.0)


@dataclass(frozen=True, kw_only=True)
class ElasticNet(Penalty):
    """The elastic net λ₁·Σ|wⱼ| + λ₂·Σwⱼ², written ``ElasticNet(l1=λ₁, l2=λ₂)``.

    The same form as Keras ``regularizers.L1L2(l1, l2)``. Its proximal operator
    soft-thresholds at step·λ₁ and then shrinks by 1/(1 + 2·step·λ₂).
    """

    l1: float
    l2: float
    kind: ClassVar[str] = "elastic_net"

    def __post_init__(self):
        object.__setattr__(self, "l1", check_nonnegative(self.l1, "l1"))
        object.__setattr__(self, "l2", check_nonnegative(self.l2, "l2"))

    @property
    def l1_coef(self) -> float:
        return self.l1

    @property
    def l2_coef(self) -> float:
        return self.l2

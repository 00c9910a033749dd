"""Penalties for what comes after the lasso: the weighted L1 (adaptive lasso), the non-convex
MCP and SCAD, and the group lasso. Each is written once for NumPy arrays and torch tensors, with
its value (call it), its gradient ``.grad(w)`` (at a kink, the subgradient of smallest norm) and
its proximal operator ``.prox(w, step)`` = argmin_z ½‖z − w‖² + step·penalty(z).

With u = |wⱼ|, λ > 0:

* ``WeightedL1(weights, lam)``: λ·Σ vⱼ|wⱼ|, vⱼ ≥ 0 (the adaptive lasso takes vⱼ = 1/|ŵⱼ|).
* ``MCP(lam, gamma)``, γ > 1:  Σ P(uⱼ) with P(u) = λu − u²/(2γ) for u ≤ γλ, γλ²/2 beyond.
  P'(u) = (λ − u/γ)₊: the L1 slope λ at 0, tapering to 0 at u = γλ, so large weights are not
  shrunk at all (no lasso bias).
* ``SCAD(lam, a)``, a > 2: P(u) = λu for u ≤ λ, (2aλu − u² − λ²)/(2(a − 1)) for λ < u ≤ aλ,
  λ²(a + 1)/2 beyond. P'(u) = λ up to λ, then (aλ − u)₊/(a − 1).
* ``GroupLasso(lam, groups, weights=None)``: λ·Σ_g v_g‖w_g‖₂ over groups of features (one label
  per feature), v_g = √|g| by default; a group is kept or dropped whole.

MCP and SCAD are not convex: their prox is a single-valued "thresholding rule" only while the
step is small enough (step < γ for MCP, step < a − 1 for SCAD), which ``prox`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regcourse._arrays import _torch, as_real_number, as_weights, is_tensor, positive_part, sign

__all__ = ["WeightedL1", "MCP", "SCAD", "GroupLasso"]


def _step(step) -> float:
    step = as_real_number(step, "step")
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    return step


def _where(condition, a, b):
    return _torch().where(condition, a, b) if is_tensor(condition) else np.where(condition, a, b)


def _minimum(w, bound: float):
    return _torch().clamp(w, max=bound) if is_tensor(w) else np.minimum(w, bound)


@dataclass(frozen=True)
class WeightedL1:
    """λ·Σ vⱼ|wⱼ| with one weight vⱼ ≥ 0 per entry of w (``weights`` has w's shape).

    Gradient λvⱼ·sign(wⱼ); prox: soft-thresholding of each entry at step·λ·vⱼ. A weight vⱼ = 0
    leaves wⱼ unpenalized; the adaptive lasso uses vⱼ = 1/|ŵⱼ| from a first fit.
    """

    weights: np.ndarray
    lam: float = 1.0
    kind = "weighted_l1"

    def __post_init__(self):
        weights = np.asarray(as_weights(self.weights, "weights"), dtype=float)
        if np.any(weights < 0):
            raise ValueError(f"weights must be >= 0, got a minimum of {weights.min():g}")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "lam", _nonnegative(self.lam, "lam"))

    def _v(self, w):
        if tuple(w.shape) != self.weights.shape:
            raise ValueError(f"w has shape {tuple(w.shape)}, the weights {self.weights.shape}")
        if is_tensor(w):
            return _torch().as_tensor(self.weights, dtype=w.dtype, device=w.device)
        return self.weights

    def __call__(self, w):
        w = as_weights(w)
        return self.lam * (self._v(w) * abs(w)).sum()

    def grad(self, w):
        w = as_weights(w)
        return self.lam * self._v(w) * sign(w)

    def prox(self, w, step):
        w = as_weights(w)
        threshold = _step(step) * self.lam * self._v(w)
        return sign(w) * positive_part(abs(w) - threshold) + 0.0


def _nonnegative(value, name: str) -> float:
    value = as_real_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


@dataclass(frozen=True)
class MCP:
    """The minimax concave penalty Σ P(|wⱼ|), P(u) = λu − u²/(2γ) for u ≤ γλ, γλ²/2 beyond (γ > 1).

    With m = min(u, γλ): P = λm − m²/(2γ). Prox at step t < γ (the "firm" threshold):
    0 for |x| ≤ tλ, sign(x)(|x| − tλ)/(1 − t/γ) up to |x| = γλ, x itself beyond.
    """

    lam: float
    gamma: float = 3.0
    kind = "mcp"

    def __post_init__(self):
        object.__setattr__(self, "lam", _nonnegative(self.lam, "lam"))
        gamma = as_real_number(self.gamma, "gamma")
        if gamma <= 1.0:
            raise ValueError(f"gamma must be > 1 (the penalty is then a proper taper of L1), got {gamma}")
        object.__setattr__(self, "gamma", gamma)

    def __call__(self, w):
        w = as_weights(w)
        m = _minimum(abs(w), self.gamma * self.lam)
        return (self.lam * m - m * m / (2.0 * self.gamma)).sum()

    def grad(self, w):
        w = as_weights(w)
        return sign(w) * positive_part(self.lam - abs(w) / self.gamma)

    def prox(self, w, step):
        w = as_weights(w)
        step = _step(step)
        if step >= self.gamma:
            raise ValueError(f"step must be < gamma = {self.gamma:g} for MCP's prox to be unique, got {step:g}")
        u = abs(w)
        firm = sign(w) * positive_part(u - step * self.lam) / (1.0 - step / self.gamma) + 0.0
        return _where(u > self.gamma * self.lam, w, firm)


@dataclass(frozen=True)
class SCAD:
    """The smoothly clipped absolute deviation Σ P(|wⱼ|) (Fan & Li 2001), a > 2:
    λu up to λ, (2aλu − u² − λ²)/(2(a − 1)) up to aλ, λ²(a + 1)/2 beyond.

    Written P(u) = λ·min(u, λ) + [u > λ]·(g(min(u, aλ)) − g(λ)) with g(v) = (2aλv − v²)/(2(a − 1)).
    Prox at step t < a − 1: soft-thresholding at tλ for |x| ≤ (1 + t)λ, then
    sign(x)((a − 1)|x| − taλ)/(a − 1 − t) up to aλ, x itself beyond.
    """

    lam: float
    a: float = 3.7
    kind = "scad"

    def __post_init__(self):
        object.__setattr__(self, "lam", _nonnegative(self.lam, "lam"))
        a = as_real_number(self.a, "a")
        if a <= 2.0:
            raise ValueError(f"a must be > 2, got {a}")
        object.__setattr__(self, "a", a)

    def _g(self, v):
        return (2.0 * self.a * self.lam * v - v * v) / (2.0 * (self.a - 1.0))

    def __call__(self, w):
        w = as_weights(w)
        u, lam = abs(w), self.lam
        # The middle piece counts only where u > λ, so that autograd's derivative at u = λ is
        # λ (P is differentiable there) and not min's 1 plus clip's 1 at the boundary.
        middle = _where(u > lam, self._g(_minimum(u, self.a * lam)) - self._g(lam), 0.0 * u)
        return (lam * _minimum(u, lam) + middle).sum()

    def grad(self, w):
        w = as_weights(w)
        taper = positive_part(self.a * self.lam - abs(w)) / (self.a - 1.0)
        return sign(w) * _minimum(taper, self.lam)

    def prox(self, w, step):
        w = as_weights(w)
        step = _step(step)
        if step >= self.a - 1.0:
            raise ValueError(f"step must be < a − 1 = {self.a - 1:g} for SCAD's prox to be unique, got {step:g}")
        u, lam, a = abs(w), self.lam, self.a
        soft = sign(w) * positive_part(u - step * lam) + 0.0
        middle = sign(w) * ((a - 1.0) * u - step * a * lam) / (a - 1.0 - step)
        return _where(u > a * lam, w, _where(u > (1.0 + step) * lam, middle, soft))


@dataclass(frozen=True)
class GroupLasso:
    """λ·Σ_g v_g‖w_g‖₂ over groups of the entries of a vector w: ``groups`` gives one label per
    entry (entries with the same label form a group), ``weights`` one v_g per group in the order
    of the sorted labels (default √|g|, so that large groups are not favoured).

    Gradient λv_g·w_g/‖w_g‖ (0 on a zero group: the subgradient of smallest norm); prox, block
    soft-thresholding: w_g·(1 − step·λ·v_g/‖w_g‖)₊, which zeroes a whole group at once.
    """

    lam: float
    groups: np.ndarray
    weights: np.ndarray | None = None
    kind = "group_lasso"
    _members: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "lam", _nonnegative(self.lam, "lam"))
        groups = np.asarray(self.groups)
        if groups.ndim != 1 or groups.size == 0:
            raise ValueError(
                f"groups must be a non-empty 1-D array of labels, one per weight; got shape {groups.shape}"
            )
        labels, inverse = np.unique(groups, return_inverse=True)
        members = tuple(np.flatnonzero(inverse == k) for k in range(labels.size))
        if self.weights is None:
            weights = np.sqrt([m.size for m in members])
        else:
            weights = np.asarray(as_weights(self.weights, "weights"), dtype=float).reshape(-1)
            if weights.size != labels.size:
                raise ValueError(f"weights must have one entry per group ({labels.size}), got {weights.size}")
            if np.any(weights < 0):
                raise ValueError("weights must be >= 0")
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "_members", members)

    @property
    def members(self) -> tuple:
        """The entries of each group (index arrays), in the order of the sorted labels."""
        return self._members

    def _check(self, w):
        w = as_weights(w)
        if w.ndim != 1 or w.shape[0] != self.groups.size:
            raise ValueError(
                f"w must be a vector of {self.groups.size} weights (one per group label), got {tuple(w.shape)}"
            )
        return w

    def group_norms(self, w):
        """‖w_g‖₂ for each group (an array, or a tensor for tensors)."""
        w = self._check(w)
        if is_tensor(w):
            torch = _torch()
            return torch.stack([torch.linalg.vector_norm(w[torch.as_tensor(m)]) for m in self._members])
        return np.array([np.linalg.norm(w[m]) for m in self._members])

    def __call__(self, w):
        norms = self.group_norms(w)
        v = (
            _torch().as_tensor(self.weights, dtype=norms.dtype, device=norms.device)
            if is_tensor(norms)
            else self.weights
        )
        return self.lam * (v * norms).sum()

    def _scaled(self, w, factors):
        """w with each group's entries multiplied by its factor."""
        per_entry = np.empty(self.groups.size)
        for m, f in zip(self._members, factors):
            per_entry[m] = f
        if is_tensor(w):
            return w * _torch().as_tensor(per_entry, dtype=w.dtype, device=w.device)
        return w * per_entry

    def grad(self, w):
        w = self._check(w)
        norms = np.asarray(_detach(self.group_norms(w)), dtype=float)
        factors = np.where(norms > 0, self.lam * self.weights / np.where(norms > 0, norms, 1.0), 0.0)
        return self._scaled(w, factors)

    def prox(self, w, step):
        w = self._check(w)
        step = _step(step)
        norms = np.asarray(_detach(self.group_norms(w)), dtype=float)
        safe = np.where(norms > 0, norms, 1.0)
        factors = np.where(norms > 0, np.maximum(1.0 - step * self.lam * self.weights / safe, 0.0), 0.0)
        return self._scaled(w, factors) + 0.0


def _detach(x):
    return x.detach().cpu().numpy() if is_tensor(x) else x

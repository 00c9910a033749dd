"""Input checks shared by the conversions: a penalty's (λ₁, λ₂), a sample count, a positive number."""

from __future__ import annotations

import numbers

from regcourse._arrays import as_real_number
from regcourse.penalties import Penalty


def check_penalty(penalty) -> tuple[float, float]:
    """(λ₁, λ₂) of a regcourse penalty, or TypeError."""
    if not isinstance(penalty, Penalty) or type(penalty) is Penalty:
        raise TypeError(
            f"penalty must be a regcourse penalty (L1, L2 or ElasticNet), got {type(penalty).__name__} {penalty!r}"
        )
    return float(penalty.l1_coef), float(penalty.l2_coef)


def check_n_samples(n_samples) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {type(n_samples).__name__} {n_samples!r}")
    if n_samples <= 0:
        raise ValueError(f"n_samples must be > 0, got {n_samples}")
    return int(n_samples)


def check_positive(value, name: str) -> float:
    value = as_real_number(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value

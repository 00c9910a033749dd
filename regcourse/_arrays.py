"""One small layer so each formula is written once for NumPy arrays and torch tensors.

Nothing here imports torch. A torch tensor is recognised by its type's module, and the
torch module is then taken from ``sys.modules`` (it must already be imported, since the
caller holds one of its tensors). Values computed on tensors stay differentiable.

The validators give learners a clear error naming the parameter instead of a silent
wrong answer or a traceback from deep inside NumPy.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np

__all__ = [
    "is_tensor",
    "as_weights",
    "check_nonnegative",
    "check_fraction",
    "check_count",
    "as_real_number",
    "check_xy",
    "check_shapes",
    "norm1",
    "norm2",
    "sum_abs",
    "sum_squares",
    "sign",
    "positive_part",
    "flatten_abs_sorted_desc",
]


def is_tensor(x: Any) -> bool:
    """True for a torch tensor, decided without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _torch():
    return sys.modules["torch"]


def _describe(x: Any) -> str:
    return type(x).__name__


def as_weights(w: Any, name: str = "w"):
    """Return ``w`` as a float NumPy array or a floating torch tensor, or raise.

    Accepted: NumPy arrays, torch tensors, Python numbers and (nested) lists/tuples of
    numbers. Integer input becomes float64. Rejected with TypeError: strings, None, dicts,
    booleans, complex or object data. Rejected with ValueError: NaN or infinite entries.
    """
    if is_tensor(w):
        torch = _torch()
        if w.is_complex() or w.dtype == torch.bool:
            raise TypeError(f"{name} must hold real numbers, got a torch tensor of dtype {w.dtype}")
        if not w.is_floating_point():
            w = w.to(torch.get_default_dtype())
        with torch.no_grad():
            finite = bool(torch.isfinite(w).all())
        if not finite:
            _raise_nonfinite(name, bool(torch.isnan(w).any()))
        return w
    if isinstance(w, (str, bytes, dict, set)) or w is None or isinstance(w, bool):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(w)}")
    if isinstance(w, np.ndarray):
        arr = w
    elif isinstance(w, (numbers.Real, list, tuple, np.generic)):
        try:
            arr = np.asarray(w)
        except ValueError as err:  # ragged nested lists
            raise TypeError(f"{name} must be a rectangular array of numbers ({err})") from None
    else:
        raise TypeError(f"{name} must be a NumPy array or a torch tensor, got {_describe(w)}")
    if arr.dtype.kind == "b" or arr.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        _raise_nonfinite(name, bool(np.isnan(arr).any()))
    return arr


def _raise_nonfinite(name: str, has_nan: bool) -> None:
    what = "NaN" if has_nan else "an infinite value"
    raise ValueError(f"{name} contains {what}; every entry must be a finite number")


def as_real_number(value: Any, name: str) -> float:
    """``value`` as a finite float (a number, or a one-element array or tensor), or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if is_tensor(value) and value.numel() == 1:
            value = value.item()
        elif isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got NaN")
    if math.isinf(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a float, raising unless it is a finite number ≥ 0."""
    value = as_real_number(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_fraction(value: Any, name: str) -> float:
    """Return ``value`` as a float, raising unless 0 ≤ value ≤ 1."""
    value = as_real_number(value, name)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


# --- the few operations whose spelling differs between NumPy and torch -----------------


def sum_abs(w):
    """Σ|wⱼ| over every entry (a 0-d tensor for tensors, a NumPy float otherwise)."""
    return _torch().abs(w).sum() if is_tensor(w) else np.abs(w).sum()


def sum_squares(w):
    """Σwⱼ² over every entry."""
    return (w * w).sum()


def _detached(w):
    return w.detach() if is_tensor(w) else w


def norm1(w) -> float:
    """‖w‖₁ as a Python float (not differentiable: used for branching)."""
    return float(sum_abs(_detached(w)))


def norm2(w) -> float:
    """‖w‖₂ as a Python float (not differentiable: used for branching)."""
    return math.sqrt(float(sum_squares(_detached(w))))


def sign(w):
    """sign(w) with sign(0) = 0."""
    return _torch().sign(w) if is_tensor(w) else np.sign(w)


def positive_part(w):
    """max(w, 0) elementwise."""
    return _torch().clamp(w, min=0) if is_tensor(w) else np.maximum(w, 0.0)


def flatten_abs_sorted_desc(w):
    """|w| flattened and sorted in decreasing order, with 1, 2, …, n beside it."""
    if is_tensor(w):
        torch = _torch()
        u = torch.sort(torch.abs(w).reshape(-1), descending=True).values
        return u, torch.cumsum(u, dim=0), torch.arange(1, u.numel() + 1, dtype=u.dtype, device=u.device)
    u = np.sort(np.abs(w).reshape(-1))[::-1]
    return u, np.cumsum(u), np.arange(1, u.size + 1, dtype=u.dtype)


def check_count(value, name: str) -> int:
    """A positive integer, or a ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_shapes(X, y) -> None:
    """X is 2-D (samples × features) with at least 2 samples and 1 feature, y is 1-D, and they
    have the same number of samples; else a ValueError naming X or y. X may be sparse."""
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples × features), got shape {X.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one target per sample), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got {X.shape[0]} and {y.shape[0]}")
    if X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X needs at least 2 samples and 1 feature, got shape {X.shape}")


def check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X as a finite 2-D float array (samples × features) and y as a matching 1-D one, or raise."""
    for name, value in (("X", X), ("y", y)):
        if value is None or isinstance(value, (str, bytes, dict)):
            raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"X and y must be arrays of numbers ({err})") from None
    check_shapes(X, y)
    for name, value in (("X", X), ("y", y)):
        if not np.all(np.isfinite(value)):
            what = "NaN" if np.isnan(value).any() else "an infinite value"
            raise ValueError(f"{name} contains {what}; every entry must be a finite number")
    return X, y

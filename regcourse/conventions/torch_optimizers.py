"""The course's L2 penalty as a PyTorch optimizer's ``weight_decay``, both ways (no torch import)."""

from __future__ import annotations

from regcourse._arrays import check_nonnegative
from regcourse.conventions._checks import check_penalty
from regcourse.penalties import L2

__all__ = ["torch_weight_decay", "from_torch_weight_decay"]


def torch_weight_decay(penalty) -> float:
    """The ``weight_decay`` of a PyTorch optimizer that acts as the L2 penalty λ·Σw²: wd = 2λ.

    ``torch.optim.SGD(params, weight_decay=wd)`` adds wd·w to each gradient before its step.
    The gradient of λ·Σw² is 2λ·w, so the two steps agree when wd = 2λ. The same holds for the
    optimizers that add wd·w to the gradient (SGD, Adam, RMSprop, Adagrad), but not for
    ``AdamW``, whose decoupled decay shrinks the weights outside Adam's rescaling and is no
    penalty in the loss. Put the bias in a parameter group with ``weight_decay=0``: the
    course never penalizes the intercept.

    Weight decay can only be an L2 penalty: an L1 part (λ₁ > 0) raises ValueError.
    """
    l1, l2 = check_penalty(penalty)
    if l1 > 0.0:
        raise ValueError(
            f"penalty {penalty!r} has an L1 part, but weight decay adds wd·w to the gradient, the "
            "gradient of an L2 penalty only; add the L1 part to the loss (or use a proximal step)"
        )
    return 2.0 * l2


def from_torch_weight_decay(weight_decay) -> L2:
    """The L2 penalty that a PyTorch ``weight_decay`` applies: L2(weight_decay/2).

    wd·w is the gradient of (wd/2)·Σw², the course's L2 with λ = wd/2 (see ``torch_weight_decay``).
    """
    return L2(check_nonnegative(weight_decay, "weight_decay") / 2.0)

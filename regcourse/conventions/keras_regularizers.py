"""The course's penalties as Keras 3 regularizers, both ways (Keras is imported when called)."""

from __future__ import annotations

from regcourse.conventions._checks import check_penalty
from regcourse.penalties import L1, L2, ElasticNet, Penalty

__all__ = ["import_keras", "to_keras", "from_keras"]


def import_keras():
    """The ``keras`` module, on the torch backend: how the course (and a learner) loads Keras 3.

    Keras picks its backend once per process, when it is first imported; this sets
    KERAS_BACKEND to "torch" if it is unset, imports Keras, and explains what to do when Keras
    was already imported with another backend.
    """
    from regcourse._keras import import_keras as load

    return load()


def to_keras(penalty):
    """The Keras 3 regularizer with the same value: L1(l1=λ), L2(l2=λ) or L1L2(l1=λ₁, l2=λ₂).

    Keras adds l1·Σ|w| + l2·Σw² to the loss, with no ½ on the square: the course's convention, so
    the numbers carry over unchanged. Keras computes in the weights' dtype (often float32) and
    stores an L1's coefficient as a float32 tensor, so values agree to float32 precision.
    """
    l1, l2 = check_penalty(penalty)
    from regcourse._keras import import_keras

    regularizers = import_keras().regularizers
    if penalty.kind == "l1":
        return regularizers.L1(l1=l1)
    if penalty.kind == "l2":
        return regularizers.L2(l2=l2)
    return regularizers.L1L2(l1=l1, l2=l2)


def from_keras(regularizer) -> Penalty:
    """The regcourse penalty of a Keras L1, L2 or L1L2 regularizer (λ = Keras's coefficient).

    Keras ``L1(l1)`` → ``L1(l1)``, ``L2(l2)`` → ``L2(l2)``, ``L1L2(l1, l2)`` →
    ``ElasticNet(l1=l1, l2=l2)``; see ``to_keras``.
    """
    from regcourse._keras import import_keras

    regularizers = import_keras().regularizers
    if isinstance(regularizer, regularizers.L1L2):
        return ElasticNet(l1=float(regularizer.l1), l2=float(regularizer.l2))
    if isinstance(regularizer, regularizers.L1):
        return L1(float(regularizer.l1))
    if isinstance(regularizer, regularizers.L2):
        return L2(float(regularizer.l2))
    raise TypeError(f"regularizer must be a Keras L1, L2 or L1L2 regularizer, got {type(regularizer).__name__}")

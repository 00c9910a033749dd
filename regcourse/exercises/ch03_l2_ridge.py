"""Chapter 03 exercises: the L2 (ridge) penalty, its gradient, and weight decay."""

import numpy as np

from regcourse.exercises._checking import case_rng, choice_exercise, compare, number_exercise
from regcourse.exercises._registry import exercise
from regcourse.penalties import L2

CHAPTER = 3
HALF = "your value is half the right one: the course's L2 penalty is λ·Σw² with no ½ in front (the Keras convention)"


@exercise("l2.penalty", chapter=CHAPTER, title="The L2 penalty λ·Σw²", points=2)
def check_l2_penalty(l2_penalty):
    rng = case_rng("l2.penalty")

    def reference(w, lam):
        return L2(lam)(w)

    half = [(lambda v: v / 2, HALF)]
    compare(
        l2_penalty,
        reference,
        [(np.array([3.0]), 1.0), (np.array([0.5]), 1.0)],
        "with λ = 1, a single weight w should cost its square",
        scalar=True,
        mistakes=half,
    )
    positive = rng.uniform(0.1, 2.0, 5)
    compare(
        l2_penalty,
        reference,
        [(positive, 1.0)],
        "for several weights, add up the squares of all of them",
        scalar=True,
        mistakes=half,
    )
    compare(
        l2_penalty,
        reference,
        [(positive, lam) for lam in (0.0, 0.3, 2.5)],
        "the penalty should be proportional to λ, and 0 when λ = 0",
        scalar=True,
        mistakes=half,
    )
    compare(
        l2_penalty,
        reference,
        [(-rng.uniform(0.1, 2.0, 4), 0.7), (np.array([1.5, -1.5]), 1.0)],
        "negative weights should cost exactly as much as positive ones",
        scalar=True,
        mistakes=half,
    )
    compare(
        l2_penalty,
        reference,
        [(rng.normal(size=(3, 4)), 0.1)],
        "for a weight matrix, add up every entry, not only one row or column",
        scalar=True,
        mistakes=half,
    )
    compare(
        l2_penalty,
        reference,
        [(rng.normal(size=n), rng.uniform(0.0, 3.0)) for n in (1, 10, 50)],
        "on some random inputs the value is not λ·Σwⱼ²",
        scalar=True,
        mistakes=half,
    )


@exercise("l2.gradient", chapter=CHAPTER, title="The gradient of λ·Σw²", points=2)
def check_l2_gradient(l2_gradient):
    rng = case_rng("l2.gradient")

    def reference(w, lam):
        return L2(lam).grad(w)

    factor = [
        (lambda g: g / 2, "off by a constant factor: differentiate λ·w² once more, carefully"),
        (lambda g: -g, "wrong sign: the gradient points away from 0, the same way as w"),
    ]
    w = rng.normal(size=5)
    compare(
        l2_gradient,
        reference,
        [(w, 1.0)],
        "the gradient has one entry per weight, and each depends only on its own weight",
        mistakes=factor,
    )
    compare(
        l2_gradient,
        reference,
        [(w, lam) for lam in (0.0, 0.4, 2.0)],
        "the gradient should be proportional to λ",
        mistakes=factor,
    )
    compare(l2_gradient, reference, [(np.zeros(3), 1.0)], "at w = 0 the gradient of λ·Σw² is 0")
    compare(
        l2_gradient,
        reference,
        [(rng.normal(size=(2, 3)), 0.5)],
        "for a weight matrix, return a matrix of the same shape",
        mistakes=factor,
    )


number_exercise(
    "l2.value_by_hand",
    chapter=CHAPTER,
    title="An L2 penalty by hand",
    points=1,
    answer=7.0,
    hint="square every weight, add the squares, then multiply by λ",
    mistakes=[
        (3.5, "it looks like you put a ½ in front: the course's L2 penalty has none"),
        (1.0, "square each weight before adding them up"),
        (3.0, "that is λ·Σ|w|, the L1 penalty: square the weights instead"),
    ],
)

number_exercise(
    "l2.shrink_factor",
    chapter=CHAPTER,
    title="Weight decay: the factor of one step",
    points=1,
    answer=0.9,
    hint="write one step w ← w − η·∇(λ·Σw²) and factor out w",
    mistakes=[
        (0.95, "differentiate λ·w² again: the derivative has a factor 2"),
        (1.1, "a gradient-descent step moves against the gradient, so weights get smaller"),
    ],
)

choice_exercise(
    "l2.quiz_zeros",
    chapter=CHAPTER,
    title="Does ridge produce zeros?",
    points=1,
    options={
        "a": "Most of them: L2 removes the features that do not help",
        "b": "Typically none: L2 shrinks weights toward zero without reaching it",
        "c": "Exactly half of them",
        "d": "All of them, whatever the value of λ",
    },
    correct="b",
    hint="think about the gradient 2λw near w = 0: how hard does it pull a weight that is already small?",
    why_not={
        "a": "setting weights exactly to zero is what L1 does; L2's pull fades as a weight gets small",
        "c": "no rule fixes a share of zeros; think about the gradient 2λw near w = 0",
        "d": "all weights become 0 only in the limit λ → ∞",
    },
)

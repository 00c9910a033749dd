"""Chapter 04 exercises: the L1 (lasso) penalty, its subgradient, and soft-thresholding."""

import numpy as np

from regcourse.exercises._checking import case_rng, choice_exercise, compare, number_exercise
from regcourse.exercises._registry import exercise
from regcourse.penalties import L1, soft_threshold

CHAPTER = 4


@exercise("l1.penalty", chapter=CHAPTER, title="The L1 penalty λ·Σ|w|", points=2)
def check_l1_penalty(l1_penalty):
    rng = case_rng("l1.penalty")

    def reference(w, lam):
        return L1(lam)(w)

    positive = rng.uniform(0.1, 2.0, 5)
    compare(
        l1_penalty,
        reference,
        [(positive, 1.0)],
        "with λ = 1 and positive weights, the penalty should be the sum of the weights",
        scalar=True,
    )
    compare(
        l1_penalty,
        reference,
        [(positive, lam) for lam in (0.0, 0.3, 2.5)],
        "the penalty should be proportional to λ, and 0 when λ = 0",
        scalar=True,
    )
    compare(
        l1_penalty,
        reference,
        [(np.array([-1.5, 0.5, -0.25]), 0.7), (-rng.uniform(0.1, 2.0, 6), 0.2)],
        "negative weights should add to the penalty just as much as positive ones",
        scalar=True,
    )
    compare(
        l1_penalty,
        reference,
        [(rng.normal(size=(3, 4)), 0.1)],
        "for a weight matrix, add up every entry, not only one row or column",
        scalar=True,
    )
    compare(
        l1_penalty,
        reference,
        [(np.zeros(3), 0.5)] + [(rng.normal(size=n), rng.uniform(0, 3)) for n in (1, 10, 50)],
        "on some random inputs the value is not λ·Σ|wⱼ|",
        scalar=True,
    )


@exercise("l1.subgradient", chapter=CHAPTER, title="A subgradient of λ·Σ|w|", points=2)
def check_l1_subgradient(l1_subgradient):
    rng = case_rng("l1.subgradient")

    def reference(w, lam):
        return L1(lam).grad(w)

    away_from_zero = rng.uniform(0.2, 2.0, 6) * rng.choice([-1.0, 1.0], 6)
    compare(
        l1_subgradient,
        reference,
        [(away_from_zero, 1.0)],
        "for wⱼ ≠ 0 the derivative of λ·|wⱼ| is λ with the sign of wⱼ",
        mistakes=[(lambda g: -g, "wrong sign: the (sub)gradient has the same sign as w")],
    )
    compare(
        l1_subgradient,
        reference,
        [(away_from_zero, lam) for lam in (0.0, 0.5, 2.0)],
        "the subgradient should be proportional to λ",
    )
    compare(
        l1_subgradient,
        reference,
        [(np.array([0.0, 1.5, 0.0, -2.0]), 0.3), (np.zeros(3), 1.0)],
        "at wⱼ = 0 take the subgradient of smallest size, which is 0",
    )
    compare(
        l1_subgradient,
        reference,
        [(rng.normal(size=(2, 3)), 0.5)],
        "for a weight matrix, return a matrix of the same shape",
    )


@exercise("l1.soft_threshold", chapter=CHAPTER, title="Soft-thresholding", points=3)
def check_soft_threshold(soft_threshold_fn):
    rng = case_rng("l1.soft_threshold")
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(np.array([-0.5, 0.2, 0.0, 0.9]), 1.0), (rng.uniform(-0.4, 0.4, 5), 0.5)],
        "inputs with |w| ≤ t should become 0",
    )
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(np.array([-1.0, 1.0]), 1.0)],
        "inputs with |w| exactly equal to t should become 0 too",
    )
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(np.array([2.0, 3.5]), 1.0), (rng.uniform(1.0, 3.0, 4), 0.7)],
        "inputs larger than t should move toward 0 by exactly t",
    )
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(np.array([-2.0, -3.5]), 1.0), (-rng.uniform(1.0, 3.0, 4), 0.7)],
        "inputs below −t should move toward 0 by exactly t and stay negative",
    )
    compare(soft_threshold_fn, soft_threshold, [(rng.normal(size=6), 0.0)], "with t = 0 nothing should change")
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(rng.normal(size=(3, 2)), 0.5)],
        "for a matrix, threshold every entry and keep the shape",
    )
    compare(
        soft_threshold_fn,
        soft_threshold,
        [(rng.normal(scale=2.0, size=n), rng.uniform(0.0, 2.0)) for n in (1, 20)],
        "on a mix of small and large random inputs, some entries are wrong",
    )


number_exercise(
    "l1.zeros_count",
    chapter=CHAPTER,
    title="Counting exact zeros",
    points=1,
    answer=4,
    count=True,
    hint="count the entries whose size |wⱼ| is at most t",
    mistakes=[
        (3, "look again at the entry whose size equals t exactly: it becomes 0 as well"),
        (2, "sizes count, not signs: a negative entry close to 0 becomes 0 too"),
    ],
)

choice_exercise(
    "l1.quiz_prefer",
    chapter=CHAPTER,
    title="When would you prefer L1 over L2?",
    points=1,
    options={
        "a": "When you expect only a few of many features to matter and want the model to pick them out",
        "b": "When several features are strongly correlated and you want to keep all of them with similar weights",
        "c": "When you need a penalty that is differentiable everywhere, including at w = 0",
        "d": "When you want every weight shrunk by the same factor and none set to zero",
    },
    correct="a",
    hint="think about what the corners of the L1 diamond do to the weights",
    why_not={
        "b": "with correlated features L1 tends to keep one of the group and drop the others; keeping them all is what "
        "L2 and the elastic net do",
        "c": "|w| has a kink at 0; that kink is what creates exact zeros, and Σw² is the smooth one",
        "d": "shrinking every weight by a common factor without zeros describes L2",
    },
)

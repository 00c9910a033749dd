"""Chapter 05 exercises: the elastic-net penalty, its proximal step, scikit-learn's constants, grouping."""

import numpy as np

from regcourse.exercises._checking import case_rng, choice_exercise, compare, number_exercise
from regcourse.exercises._registry import exercise
from regcourse.penalties import ElasticNet

CHAPTER = 5
HALF_L2 = "the L2 part looks halved: the course's elastic net is λ₁·Σ|w| + λ₂·Σw², with no ½ in front of either sum"


@exercise("enet.penalty", chapter=CHAPTER, title="The elastic-net penalty λ₁·Σ|w| + λ₂·Σw²", points=2)
def check_enet_penalty(elastic_net_penalty):
    rng = case_rng("enet.penalty")

    def reference(w, l1, l2):
        return ElasticNet(l1=l1, l2=l2)(w)

    positive = rng.uniform(0.1, 2.0, 5)
    compare(
        elastic_net_penalty,
        reference,
        [(positive, 0.7, 0.0), (positive, 1.0, 0.0)],
        "with λ₂ = 0 the elastic net is the L1 penalty λ₁·Σ|w|",
        scalar=True,
    )
    compare(
        elastic_net_penalty,
        reference,
        [(positive, 0.0, 0.7), (positive, 0.0, 1.0)],
        "with λ₁ = 0 the elastic net is the L2 penalty λ₂·Σw²",
        scalar=True,
        mistakes=[(lambda v: v / 2, HALF_L2)],
    )
    compare(
        elastic_net_penalty,
        reference,
        [(positive, 0.3, 0.5), (positive, 1.2, 0.1)],
        "with both λ₁ and λ₂ positive, the penalty is the sum of the two parts",
        scalar=True,
    )
    compare(
        elastic_net_penalty,
        reference,
        [(-positive, 0.4, 0.6), (np.array([1.5, -1.5, 0.0]), 1.0, 1.0)],
        "negative weights should cost exactly as much as positive ones",
        scalar=True,
    )
    compare(
        elastic_net_penalty,
        reference,
        [(rng.normal(size=(3, 4)), 0.2, 0.3)],
        "for a weight matrix, add up every entry, not only one row or column",
        scalar=True,
    )
    compare(
        elastic_net_penalty,
        reference,
        [(rng.normal(size=n), rng.uniform(0, 2), rng.uniform(0, 2)) for n in (1, 10, 40)],
        "on some random inputs the value is not λ₁·Σ|wⱼ| + λ₂·Σwⱼ²",
        scalar=True,
    )


@exercise("enet.prox", chapter=CHAPTER, title="The elastic-net proximal step", points=3)
def check_enet_prox(elastic_net_prox):
    rng = case_rng("enet.prox")

    def reference(w, t, l1, l2):
        return ElasticNet(l1=l1, l2=l2).prox(w, t)

    big = rng.uniform(1.5, 3.0, 5) * rng.choice([-1.0, 1.0], 5)
    compare(
        elastic_net_prox,
        reference,
        [(big, 1.0, 0.0, 0.0), (rng.normal(size=4), 0.5, 0.0, 0.0)],
        "with λ₁ = λ₂ = 0 there is no penalty, so the step should return w unchanged",
    )
    compare(
        elastic_net_prox,
        reference,
        [(np.array([0.3, -0.2, 0.0, 0.45]), 1.0, 0.5, 0.0), (rng.uniform(-0.2, 0.2, 5), 0.5, 0.8, 0.0)],
        "with λ₂ = 0, entries with |wⱼ| ≤ t·λ₁ should become exactly 0",
    )
    compare(
        elastic_net_prox,
        reference,
        [(big, 1.0, 0.5, 0.0), (big, 0.5, 1.0, 0.0)],
        "with λ₂ = 0, larger entries should move toward 0 by t·λ₁ (soft-thresholding)",
    )
    compare(
        elastic_net_prox,
        reference,
        [(big, 1.0, 0.0, 0.5), (big, 0.2, 0.0, 2.0)],
        "with λ₁ = 0, every entry should be divided by the same factor 1 + 2·t·λ₂",
        mistakes=[(lambda z: z * 0.0, "with λ₁ = 0 nothing should become 0: only shrink")],
    )
    compare(
        elastic_net_prox,
        reference,
        [(big, 1.0, 0.5, 0.5), (np.array([0.2, -0.3, 2.0]), 0.5, 1.0, 1.0)],
        "with both parts, threshold at t·λ₁ first, then divide by 1 + 2·t·λ₂",
    )
    compare(
        elastic_net_prox,
        reference,
        [(rng.normal(size=(2, 3)), 0.5, 0.4, 0.3)],
        "for a matrix, apply the step to every entry and keep the shape",
    )
    compare(
        elastic_net_prox,
        reference,
        [(rng.normal(scale=2.0, size=n), rng.uniform(0.1, 1), rng.uniform(0, 2), rng.uniform(0, 2)) for n in (1, 25)],
        "on some random inputs the step is wrong",
    )


number_exercise(
    "enet.sklearn_l1",
    chapter=CHAPTER,
    title="λ₁ from scikit-learn's alpha and l1_ratio",
    points=1,
    answer=0.1,
    hint="multiply scikit-learn's whole objective by 2 so that its loss becomes the MSE, then read off the factor in "
    "front of Σ|wⱼ|",
    mistakes=[
        (0.05, "that is the factor in scikit-learn's objective; the course's objective is twice it, so multiply by 2"),
        (0.15, "l1_ratio is the share that goes to the L1 term, not to the L2 term"),
        (0.3, "l1_ratio is the share that goes to the L1 term, not to the L2 term; and remember the factor 2"),
    ],
)

choice_exercise(
    "enet.quiz_grouping",
    chapter=CHAPTER,
    title="Two identical features",
    points=1,
    options={
        "a": "Both give the two copies the same weight",
        "b": "The lasso may split the weight between the copies in any proportion; the elastic net gives them equal "
        "weights",
        "c": "The lasso gives them equal weights; the elastic net keeps one and sets the other to zero",
        "d": "Both set one copy to zero, because exact zeros are what the L1 term produces",
    },
    correct="b",
    hint="compare Σ|wⱼ| and Σwⱼ² for two splits of the same total, such as (2, 0) and (1, 1)",
    why_not={
        "a": "not both: only one of the two penalties prefers an even split; work out its cost for (2, 0) and (1, 1) "
        "with each penalty to see which",
        "c": "the squared term is smallest for an even split, and the elastic net has a squared term; the lasso does "
        "not",
        "d": "the elastic net's squared term makes an uneven split cost more than an even one, so it does not drop one "
        "copy",
    },
)

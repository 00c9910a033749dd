"""Chapter 08 exercises: the course's λ in scikit-learn, PyTorch and glmnet terms, both ways."""

import numpy as np

from regcourse.conventions import from_glmnet, to_sklearn
from regcourse.exercises._checking import case_rng, choice_exercise, compare, number_exercise
from regcourse.exercises._registry import exercise
from regcourse.penalties import ElasticNet

CHAPTER = 8

number_exercise(
    "frameworks.ridge_alpha",
    chapter=CHAPTER,
    title="scikit-learn Ridge's alpha for a course λ",
    points=1,
    answer=6.0,
    hint="write Ridge's objective, divide it by n so its loss becomes the MSE, and match its penalty with λΣw²",
    mistakes=[
        (
            0.02,
            "Ridge weighs its penalty against the sum of squared errors, not their mean: the number of samples enters",
        ),
        (3.0, "Ridge has no ½ anywhere, neither on its squared errors nor on its penalty"),
        (12.0, "no factor 2 here: that ½ belongs to Lasso and ElasticNet, not to Ridge"),
        (
            0.02 / 300,
            "the other way round: the sum of squared errors is n times the mean, so alpha must be "
            "n times larger than λ, not smaller",
        ),
    ],
)

number_exercise(
    "frameworks.lasso_lambda",
    chapter=CHAPTER,
    title="The course λ of a scikit-learn Lasso",
    points=1,
    answer=0.6,
    hint="write Lasso's objective, multiply it until its loss is the MSE, and read off the factor in front of Σ|w|",
    mistakes=[
        (
            0.3,
            "Lasso's squared error carries a ½ — it is (1/2n)‖y − Xw‖² — so its objective must be "
            "multiplied by 2 before it reads MSE + λΣ|w|",
        ),
        (0.15, "multiply, don't divide: doubling the objective doubles the penalty's factor too"),
        (45.0, "Lasso's loss is already divided by n: the number of samples does not enter"),
        (90.0, "Lasso's loss is already divided by n: the number of samples does not enter"),
        (0.002, "Lasso's loss is already divided by n: the number of samples does not enter"),
        (0.004, "Lasso's loss is already divided by n: the number of samples does not enter"),
    ],
)

number_exercise(
    "frameworks.weight_decay",
    chapter=CHAPTER,
    title="PyTorch weight_decay for a course λ",
    points=1,
    answer=0.006,
    hint="weight_decay adds wd·w to each gradient: match it with the gradient of λΣw²",
    mistakes=[
        (0.003, "weight_decay = λ is the classic mistake: the gradient of λΣw² is not λ·w"),
        (0.0015, "the derivative of w² brings a factor 2 that multiplies λ, it does not divide it"),
    ],
)

choice_exercise(
    "frameworks.glmnet_fact",
    chapter=CHAPTER,
    title="What glmnet does with λ",
    points=1,
    options={
        "a": "For a pure lasso (alpha = 1), glmnet's lambda equals the course's λ₁",
        "b": "glmnet divides y by its standard deviation before solving, which leaves the L1 part of the "
        "penalty as documented but divides the L2 part by sd(y)",
        "c": "glmnet's alpha is the course's mix λ₁/(λ₁ + λ₂), the share of the penalty on the L1 term",
        "d": "glmnet penalizes the intercept unless you set standardize=False",
    },
    correct="b",
    hint="read each statement against glmnet's documented objective, including what it says about y for the "
    "gaussian family, then against what a fit gives",
    why_not={
        "a": "glmnet's squared error carries a ½ — it is (1/2n)RSS — so its lambda is not the course's λ₁",
        "c": "glmnet puts a ½ on its L2 term, so its alpha is not the share λ₁/(λ₁ + λ₂)",
        "d": "standardize is about the features X, and glmnet never penalizes the intercept",
    },
)


def _sklearn_enet_penalty(alpha, l1_ratio) -> np.ndarray:
    """(λ₁, λ₂) of sklearn ElasticNet(alpha, l1_ratio): λ₁ = 2αρ, λ₂ = α(1 − ρ).

    glmnet's (alpha = mix, lambda = strength) with sd(y) = 1 are sklearn's (l1_ratio, alpha), so
    ``from_glmnet`` is the reference; ``from_sklearn`` would import scikit-learn inside the check.
    """
    pen = from_glmnet(l1_ratio, alpha, y_std=1.0)
    return np.array([pen.l1_coef, pen.l2_coef])


@exercise("frameworks.enet_from_sklearn", chapter=CHAPTER, title="scikit-learn ElasticNet → (λ₁, λ₂)", points=2)
def check_enet_from_sklearn(enet_from_sklearn):
    rng = case_rng("frameworks.enet_from_sklearn")
    alphas = rng.uniform(0.1, 3.0, 3)
    compare(
        enet_from_sklearn,
        _sklearn_enet_penalty,
        [(a, 1.0) for a in alphas],
        "with l1_ratio = 1 ElasticNet is the Lasso: λ₁ must account for the ½ in front of sklearn's squared "
        "error, and λ₂ must be 0",
        mistakes=[
            (
                lambda e: e * [0.5, 1.0],
                "with l1_ratio = 1: multiply sklearn's whole objective by 2 so "
                "that its loss becomes the MSE — the L1 part doubles too",
            )
        ],
    )
    compare(
        enet_from_sklearn,
        _sklearn_enet_penalty,
        [(a, 0.0) for a in alphas],
        "with l1_ratio = 0 only the L2 part is left: multiply sklearn's whole objective by 2, including its "
        "½·alpha·(1 − ρ)‖w‖² term, and λ₁ must be 0",
        mistakes=[
            (
                lambda e: e * [1.0, 2.0],
                "sklearn's L2 term already carries a ½: after multiplying by 2 there is no factor left on it",
            ),
            (lambda e: e * [1.0, 0.5], "the course's L2 term λ₂Σw² has no ½"),
        ],
    )
    mixed = [(a, r) for a, r in zip(rng.uniform(0.1, 3.0, 4), rng.uniform(0.1, 0.9, 4))]
    compare(
        enet_from_sklearn,
        _sklearn_enet_penalty,
        mixed,
        "for 0 < l1_ratio < 1, alpha·l1_ratio goes with ‖w‖₁ and alpha·(1 − l1_ratio) with ½‖w‖²; then multiply by 2",
    )
    compare(
        enet_from_sklearn,
        _sklearn_enet_penalty,
        [(0.0, 0.5), (rng.uniform(5.0, 50.0), 0.25)],
        "with alpha = 0 there is no penalty, and both parts should grow in proportion to alpha",
    )


def _sklearn_enet_params(lam1, lam2) -> np.ndarray:
    """sklearn ElasticNet's (alpha, l1_ratio) for the course's ElasticNet(l1=λ₁, l2=λ₂)."""
    _, params = to_sklearn(ElasticNet(l1=lam1, l2=lam2))
    return np.array([params["alpha"], params["l1_ratio"]])


def _course_mix_as_l1_ratio(e):
    """The right alpha with the course's mix m = λ₁/(λ₁ + λ₂) as l1_ratio: m = 2ρ/(1 + ρ) in sklearn's ρ."""
    alpha, rho = e
    return np.array([alpha, 2.0 * rho / (1.0 + rho)])


@exercise("frameworks.enet_to_sklearn", chapter=CHAPTER, title="(λ₁, λ₂) → scikit-learn ElasticNet", points=2)
def check_enet_to_sklearn(enet_to_sklearn):
    rng = case_rng("frameworks.enet_to_sklearn")
    lams = rng.uniform(0.1, 3.0, 3)
    compare(
        enet_to_sklearn,
        _sklearn_enet_params,
        [(lam, 0.0) for lam in lams],
        "with λ₂ = 0 this is the Lasso: l1_ratio should put everything on the L1 term, and alpha must account "
        "for the ½ in front of sklearn's squared error",
        mistakes=[
            (
                lambda e: e * [2.0, 1.0],
                "you forgot the ½ in front of sklearn's squared error: sklearn's objective is half of MSE + λ₁Σ|w|",
            )
        ],
    )
    compare(
        enet_to_sklearn,
        _sklearn_enet_params,
        [(0.0, lam) for lam in lams],
        "with λ₁ = 0 only the L2 term is left: l1_ratio should put nothing on the L1 term, and alpha must "
        "account for both of sklearn's ½'s (on its squared error and on ‖w‖²)",
        mistakes=[
            (
                lambda e: e * [0.5, 1.0],
                "for the L2 part sklearn's two ½'s — on the squared error and on ‖w‖² — cancel each other",
            ),
            (
                lambda e: e * [2.0, 1.0],
                "for the L2 part sklearn's two ½'s — on the squared error and on ‖w‖² — cancel each other",
            ),
        ],
    )
    mixed = [(a, b) for a, b in zip(rng.uniform(0.1, 3.0, 4), rng.uniform(0.1, 3.0, 4))]
    compare(
        enet_to_sklearn,
        _sklearn_enet_params,
        mixed,
        "with both parts, sklearn's l1_ratio is alpha's share on ‖w‖₁ in its own objective, where the L2 term "
        "carries a ½",
        mistakes=[
            (
                _course_mix_as_l1_ratio,
                "alpha is right, but sklearn's l1_ratio is not the course's mix λ₁/(λ₁ + λ₂): its L2 term carries a ½",
            )
        ],
    )
    compare(
        enet_to_sklearn,
        _sklearn_enet_params,
        [(rng.uniform(5.0, 50.0), rng.uniform(5.0, 50.0))],
        "on some larger random penalties the result is wrong",
    )

"""Chapter 14 exercises: choosing a penalty for a situation, the lasso's limit on the number of
features, good practice, and the one-standard-error rule computed by hand."""

import numpy as np

from regcourse.exercises._checking import (
    COUNT_EXAMPLE,
    Failed,
    LearnerError,
    _as_float_answer,
    as_number,
    call,
    case_rng,
    choice_exercise,
    matches,
    precision,
)
from regcourse.exercises._registry import exercise
from regcourse.selection import one_se_lam

CHAPTER = 14

# The three scenario questions share one list of options.
PENALTIES = {
    "a": "L2 (ridge)",
    "b": "L1 (lasso)",
    "c": "Elastic net (L1 + L2)",
    "d": "No penalty: plain least squares",
}

choice_exercise(
    "review.genomics",
    chapter=CHAPTER,
    title="Scenario: 20 000 genes, 100 patients",
    points=1,
    options=PENALTIES,
    correct="c",
    hint="ask two questions: do you need exact zeros, and do the features come in correlated groups?",
    why_not={
        "a": "ridge gives every one of the genes a non-zero weight: no short list to test in the lab",
        "b": "with strongly correlated genes the lasso tends to keep one gene of a pathway and drop its "
        "partners, and with fewer patients than genes it can select no more genes than there are patients",
        "d": "with far more genes than patients, least squares has infinitely many perfect fits of the training data",
    },
)

choice_exercise(
    "review.sensors",
    chapter=CHAPTER,
    title="Scenario: strongly correlated sensors",
    points=1,
    options=PENALTIES,
    correct="a",
    hint="you want to keep every sensor and want weights that stay put when the model is retrained",
    why_not={
        "b": "among near-copies the lasso keeps one almost at random, and which one can change when the data "
        "change: the opposite of stable weights",
        "c": "an L1 part earns its extra tuning knob only when you want some weights to be exactly zero; "
        "here every sensor stays in the model",
        "d": "with strongly correlated features least squares splits the weight between them almost at random, "
        "so retraining on new data swings the weights (chapter 03)",
    },
)

choice_exercise(
    "review.regulator",
    chapter=CHAPTER,
    title="Scenario: a model a regulator must understand",
    points=1,
    options=PENALTIES,
    correct="b",
    hint="think about how many weights you would have to justify one by one",
    why_not={
        "a": "ridge keeps every input with a non-zero weight, so every one of them would need a justification",
        "c": "the L2 part of the elastic net pays off when inputs come in correlated groups; these inputs are "
        "mostly unrelated, and the L2 part tends to let more of them into the model",
        "d": "without a penalty every input gets a weight, useful or not",
    },
)

choice_exercise(
    "review.practice",
    chapter=CHAPTER,
    title="A sound workflow (more than one answer)",
    points=2,
    options={
        "a": "Standardize the features (subtract the mean, divide by the standard deviation) before fitting",
        "b": "Put the intercept into the penalty too, so that every parameter is shrunk",
        "c": "Choose λ as the value with the lowest error on the training data",
        "d": "Choose λ by k-fold cross-validation on the training data, then measure the error once on a "
        "held-out test set",
    },
    correct=["a", "d"],
    hint="go through the options one by one: which steps would change the answer if you changed the units "
    "of a feature, or would always favour the most flexible model?",
    why_not={
        "b": "the intercept only moves every prediction to the level of y; shrinking it makes predictions worse "
        "without making the model any simpler",
        "c": "the training error is lowest with no penalty at all, so it always prefers the smallest λ on the grid",
    },
)


@exercise(
    "review.lasso_max_features", chapter=CHAPTER, title="How many features can the lasso keep?", points=1, kind="number"
)
def check_lasso_max_features(given):
    value = _as_float_answer(given, COUNT_EXAMPLE)
    # At most n in general position; n − 1 once the intercept is fitted (centring uses one degree
    # of freedom). Both show the idea, so both pass.
    if value in (49.0, 50.0):
        return
    if value == 1000.0:
        raise Failed(
            "that is how many features there are; with more features than samples the lasso "
            "cannot give all of them a non-zero weight"
        )
    if value in (0.0, 1.0):
        raise Failed(
            "at a small λ the lasso keeps many features, not none or one: look for the limit as λ goes toward 0"
        )
    if value == 950.0:
        raise Failed("not p − n: the limit comes from the samples alone")
    raise Failed("the limit depends on the number of samples, not on the number of features")


def _u_curve(rng, lams, width: float):
    """A mean CV error that is U-shaped in log λ with its minimum strictly inside the grid."""
    logs = np.log10(lams)
    centre = rng.uniform(logs.min() + 0.3 * np.ptp(logs), logs.max() - 0.3 * np.ptp(logs))
    return rng.uniform(1.0, 5.0) + width * (logs - centre) ** 2


def _smallest_within(lams, mean, se):
    best = int(np.argmin(mean))
    return float(lams[mean <= mean[best] + se[best]].min())


def _own_error_bar(lams, mean, se):
    return float(lams[mean - se <= mean.min()].max())


def _first_within(lams, mean, se):
    best = int(np.argmin(mean))
    return float(lams[np.flatnonzero(mean <= mean[best] + se[best])[0]])


def _check_one(fn, case, hint, mistakes=()):
    lams, mean, se = case
    expected = one_se_lam(lams, mean, se)
    answer = call(fn, lams, mean, se)
    eps = precision(answer)  # a λ returned in float32 is judged to float32's accuracy
    got = as_number(answer)
    if matches(got, expected, rtol=1e-9, atol=0.0, eps=eps):
        return
    index = int(np.flatnonzero(lams == expected)[0])
    if got == index and not np.isclose(index, expected):
        raise Failed("return the value of λ itself, not its position in the grid")
    for wrong, specific in mistakes:
        value = wrong(lams, mean, se)
        if not np.isclose(value, expected) and matches(got, value, rtol=1e-9, atol=0.0, eps=eps):
            raise Failed(specific)
    raise Failed(hint)


TAKE_LARGEST = (
    "among the λ within one standard error of the best, take the largest: the simplest model that is not clearly worse"
)
SE_AT_BEST = "use the standard error at the best λ for the threshold, not each λ's own standard error"
STRICT_BOUNDARY = (
    "with every standard error 0 your function raised an error, though it works with real error bars: "
    '"within one standard error" includes the boundary, so the best λ itself always qualifies and the '
    "set of candidates is never empty (compare with ≤, not <)"
)


def _raises(fn, case) -> bool:
    try:
        call(fn, *case)
    except (LearnerError, Failed):
        return True
    return False


FIRST_IN_ARRAY = (
    "the grid may come in increasing order: take the largest λ by its value, not the first one in the array"
)


@exercise("review.one_se", chapter=CHAPTER, title="The one-standard-error rule", points=3)
def check_one_se(one_se_lambda):
    rng = case_rng("review.one_se")
    decreasing = np.geomspace(10.0, 1e-3, 30)
    rule = (
        "return the largest λ whose mean error is at most the lowest mean error plus the standard error "
        "at that lowest point"
    )

    # 1. No uncertainty: the rule keeps the λ with the lowest mean error.
    for _ in range(2):
        mean = _u_curve(rng, decreasing, rng.uniform(0.2, 1.0))
        try:
            _check_one(
                one_se_lambda,
                (decreasing, mean, np.zeros_like(mean)),
                "with every standard error 0, the rule should return the λ with the lowest mean error",
            )
        except LearnerError:
            if _raises(one_se_lambda, (decreasing, mean, np.full_like(mean, 0.2))):
                raise  # it fails with real error bars too: its own message says more
            raise Failed(STRICT_BOUNDARY) from None

    # 2. The rule itself on a grid from large to small λ, as cross_validate makes it.
    for _ in range(4):
        mean = _u_curve(rng, decreasing, rng.uniform(0.2, 1.0))
        se = np.full_like(mean, rng.uniform(0.05, 0.4))
        _check_one(one_se_lambda, (decreasing, mean, se), rule, mistakes=[(_smallest_within, TAKE_LARGEST)])

    # 3. The threshold uses the standard error at the minimum, not each λ's own.
    for _ in range(3):
        mean = _u_curve(rng, decreasing, rng.uniform(0.3, 1.0))
        se = 0.05 + 0.6 * (np.log10(decreasing) - np.log10(decreasing).min()) / np.ptp(np.log10(decreasing))
        _check_one(
            one_se_lambda,
            (decreasing, mean, se),
            "the threshold is the lowest mean error plus the standard error at that same λ",
            mistakes=[(_own_error_bar, SE_AT_BEST)],
        )

    # 4. A grid in increasing order: the largest λ by value, wherever it sits.
    increasing = decreasing[::-1].copy()
    for _ in range(3):
        mean = _u_curve(rng, increasing, rng.uniform(0.2, 1.0))
        se = np.full_like(mean, rng.uniform(0.1, 0.4))
        _check_one(
            one_se_lambda,
            (increasing, mean, se),
            "the grid may come in increasing order: take the largest λ by its value, not by its position",
            mistakes=[(_first_within, FIRST_IN_ARRAY)],
        )

    # 5. Random grids and curves of other lengths.
    for size in (5, 12, 60):
        lams = np.geomspace(rng.uniform(1.0, 100.0), rng.uniform(1e-4, 1e-2), size)
        mean = _u_curve(rng, lams, rng.uniform(0.1, 2.0))
        se = rng.uniform(0.0, 0.3, size)
        _check_one(one_se_lambda, (lams, mean, se), "on some random curves the λ is not the one the rule picks")

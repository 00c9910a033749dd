"""Chapter 12 exercises: after the lasso selects. Refitting on the support, MCP's thresholding
rule, block soft-thresholding, the lasso's bias on an orthonormal design, the irrepresentable
condition, and confidence intervals after selection."""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    Failed,
    as_array,
    call,
    case_rng,
    choice_exercise,
    compare,
    expect_shape,
    matches,
    number_exercise,
)
from regcourse.exercises._registry import exercise
from regcourse.penalties_sparse import MCP, GroupLasso

CHAPTER = 12


# --- exercise 1: least squares on the lasso's support ------------------------------------------------


def _refit_reference(X, y, coef):
    """Least squares with an intercept on the columns where coef ≠ 0; 0 elsewhere."""
    support = np.flatnonzero(coef)
    weights = np.zeros(X.shape[1])
    if support.size:
        XS = X[:, support] - X[:, support].mean(axis=0)
        weights[support] = np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]
    return weights


def _refit_case(rng, n: int, p: int, support, *, signs=None):
    """Columns with non-zero means and a target with an offset, so that a forgotten intercept
    shows; ``coef`` has the given support, with lasso-like (shrunk) values of mixed sign."""
    X = rng.normal(loc=rng.uniform(0.5, 2.0, p), scale=1.0, size=(n, p))
    truth = np.zeros(p)
    truth[support] = rng.uniform(1.0, 3.0, len(support)) * (
        rng.choice([-1.0, 1.0], len(support)) if signs is None else signs
    )
    y = 3.0 + X @ truth + 0.5 * rng.normal(size=n)
    coef = np.zeros(p)
    coef[support] = 0.6 * truth[support]
    return X, y, coef


def _no_intercept(X, y, coef):
    support = np.flatnonzero(coef)
    weights = np.zeros(X.shape[1])
    if support.size:
        weights[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
    return weights


def _all_columns(X, y, coef):
    Xc = X - X.mean(axis=0)
    return np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]


@exercise("select.refit_on_support", chapter=CHAPTER, title="Least squares on the lasso's support", points=3)
def check_refit_on_support(refit_on_support):
    rng = case_rng("select.refit_on_support")
    cases = [
        ("tall", _refit_case(rng, 60, 6, [0, 2, 3], signs=np.array([1.0, 1.0, 1.0]))),
        ("mixed signs", _refit_case(rng, 50, 7, [1, 4, 6], signs=np.array([1.0, -1.0, -1.0]))),
        ("one", _refit_case(rng, 40, 5, [3])),
        ("wide", _refit_case(rng, 30, 80, sorted(rng.choice(80, 4, replace=False)))),
        ("empty", _refit_case(rng, 30, 5, [])),
        ("random", _refit_case(rng, 45, 9, sorted(rng.choice(9, 5, replace=False)))),
    ]
    for kind, (X, y, coef) in cases:
        expected = _refit_reference(X, y, coef)
        got = call(refit_on_support, X, y, coef)
        if got is None:
            raise Failed("your function returned None: return the weights")
        got = as_array(got)
        expect_shape(got, expected.shape)
        if not np.all(np.isfinite(got)):
            raise Failed("your result contains NaN or infinity")
        outside = coef == 0
        if kind == "empty" and not matches(got, expected):
            raise Failed("when coef has no non-zero entry, the support is empty and every weight is 0")
        if np.any(got[outside] != 0):
            if kind != "wide" and matches(got, _all_columns(X, y, coef)):
                raise Failed(
                    "this is least squares on all the columns: refit only on the columns where coef is "
                    "non-zero, and give the others a weight of exactly 0"
                )
            raise Failed("the columns where coef is 0 must get a weight of exactly 0")
        if matches(got, expected):
            continue
        if matches(got, coef):
            raise Failed("these are the weights you were given: the refit must compute new ones by least squares")
        if matches(got, _no_intercept(X, y, coef)):
            raise Failed(
                "the refit needs an intercept, as every fit of the course does: centre the selected columns "
                "and y first (or add a column of ones and drop its weight)"
            )
        if kind == "mixed signs" and np.all(got[coef < 0] == 0):
            raise Failed("negative weights are part of the support too: the support is where coef is non-zero")
        raise Failed("the weights on the support are not the least-squares weights of those columns")


# --- exercise 2: MCP's thresholding rule -----------------------------------------------------------


def _mcp_reference(z, lam, gamma):
    return MCP(lam, gamma).prox(np.asarray(z, dtype=float), 1.0)


def _soft(z, lam, gamma):
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


def _mcp_course_scaling(z, lam, gamma):
    """The rule for (w − z)² + P(w), the lecture's scaling: threshold λ/2, slope 1/(1 − 1/(2γ))."""
    z = np.asarray(z, dtype=float)
    u = np.abs(z)
    middle = np.sign(z) * np.maximum(u - lam / 2, 0.0) / (1.0 - 1.0 / (2 * gamma))
    return np.where(u > gamma * lam, z, middle)


COURSE_SCALING = (
    "that is the rule for (w − z)² + P(w), the scaling of the lecture (threshold λ/2); this exercise "
    "minimizes ½(w − z)² + P(w): work out its regions again for that problem"
)


@exercise("select.mcp_threshold", chapter=CHAPTER, title="MCP's thresholding rule", points=2)
def check_mcp_threshold(mcp_threshold):
    rng = case_rng("select.mcp_threshold")

    def draw(low, high, size, lam):
        return rng.uniform(low, high, size) * lam * rng.choice([-1.0, 1.0], size)

    lam, gamma = 1.0, 3.0
    spread = draw(0.0, 4.0, 16, lam)
    got = call(mcp_threshold, spread, lam, gamma)
    if not matches(got, _mcp_reference(spread, lam, gamma)) and matches(got, _mcp_course_scaling(spread, lam, gamma)):
        raise Failed(COURSE_SCALING)
    compare(
        mcp_threshold,
        _mcp_reference,
        [(draw(0.0, 0.95, 6, lam), lam, gamma), (np.array([0.0, 1.0, -1.0]), lam, gamma)],
        "inputs with |z| ≤ λ should become exactly 0",
    )
    compare(
        mcp_threshold,
        _mcp_reference,
        [(draw(3.1, 6.0, 5, lam), lam, gamma)],
        "inputs beyond γλ should come back unchanged: the penalty is flat there, so it does not shrink them",
        mistakes=[(lambda v: v - np.sign(v) * lam, "inputs beyond γλ are not shrunk at all under MCP")],
    )
    middle = (draw(1.2, 2.8, 6, lam), lam, gamma)
    compare(
        mcp_threshold,
        _mcp_reference,
        [middle],
        "between λ and γλ the output should climb from 0 (at |z| = λ) to z itself (at |z| = γλ)",
        mistakes=[
            (
                lambda v: _soft(middle[0], lam, gamma),
                "between λ and γλ soft-thresholding is not the answer: MCP's slope shrinks as |w| grows, so the "
                "output must rise faster than z and reach z at |z| = γλ",
            ),
            (
                lambda v: middle[0],
                "between λ and γλ the output is still pulled toward 0; returning z unchanged there is hard "
                "thresholding",
            ),
        ],
    )
    for lam, gamma in ((0.4, 2.5), (2.0, 1.8)):
        compare(
            mcp_threshold,
            _mcp_reference,
            [(draw(0.0, 1.1 * gamma + 1.0, 12, lam), lam, gamma)],
            "with other λ and γ the rule is wrong: the regions end at |z| = λ and |z| = γλ (γ times λ), "
            "and both boundaries scale with λ",
        )
    compare(
        mcp_threshold,
        _mcp_reference,
        [(rng.normal(scale=3.0, size=(3, 4)), 0.7, 2.2)],
        "for a matrix, apply the rule to every entry and keep the shape",
    )


# --- exercise 3: block soft-thresholding -------------------------------------------------------------


def _block_reference(w, t):
    return GroupLasso(1.0, np.zeros(np.size(w), dtype=int), weights=[1.0]).prox(np.asarray(w, dtype=float), t)


@exercise("select.group_threshold", chapter=CHAPTER, title="Block soft-thresholding of one group", points=2)
def check_group_threshold(group_threshold):
    rng = case_rng("select.group_threshold")
    long = rng.normal(size=4)
    long *= 3.0 / np.linalg.norm(long)
    compare(
        group_threshold,
        _block_reference,
        [(long, 0.0)],
        "with t = 0 nothing is penalized, so w should come back unchanged",
    )
    compare(
        group_threshold,
        _block_reference,
        [(long, 1.2), (rng.normal(size=6) * 2.0, 0.5)],
        "a group longer than t should shrink toward 0 by one common factor, keeping its direction",
        mistakes=[
            (
                lambda v: np.sign(long) * np.maximum(np.abs(long) - 1.2, 0.0),
                "each entry was soft-thresholded on its own, which changes the direction: the whole vector "
                "must be scaled by one factor that depends on its length ‖w‖₂",
            ),
            (
                lambda v: long * (1 - 1.2 / np.linalg.norm(long) ** 2),
                "the factor should compare t with the length ‖w‖₂, not with its square",
            ),
        ],
    )
    short = rng.normal(size=5)
    short *= 0.8 / np.linalg.norm(short)
    compare(
        group_threshold,
        _block_reference,
        [(short, 1.0), (short, 0.8)],
        "a group whose length is at most t should become the zero vector",
        mistakes=[
            (
                lambda v: short * (1 - 1.0 / np.linalg.norm(short)),
                "a group shorter than t must become 0, not point the other way: the factor is never negative",
            )
        ],
    )
    compare(
        group_threshold,
        _block_reference,
        [(np.zeros(3), 0.5), (np.zeros(2), 0.0)],
        "a zero vector should stay zero (mind the division by its length, which is 0)",
    )
    compare(
        group_threshold,
        _block_reference,
        [(rng.normal(scale=2.0, size=n), rng.uniform(0.1, 3.0)) for n in (1, 7, 20)],
        "on some random groups the result is not w scaled by max(0, 1 − t/‖w‖₂)",
    )


# --- exercise 4: the lasso's bias on an orthonormal design -----------------------------------------

number_exercise(
    "select.lasso_bias",
    chapter=CHAPTER,
    title="The lasso's weight on an orthonormal design",
    points=1,
    answer=1.7,
    hint="on an orthonormal design each weight minimizes w² − 2zw + λ|w| on its own: set the derivative to 0 for w > 0",
    mistakes=[
        (1.4, "that threshold belongs to the ½·MSE convention; the course's MSE has no ½, which halves the shift"),
        (2.0, "that is the least-squares weight: the lasso shifts every non-zero weight toward 0"),
        (1.85, "check the factor: minimize w² − 2zw + λw for w > 0 by setting its derivative to 0"),
        (2.3, "the lasso pulls a positive weight toward 0, not away from it"),
    ],
)


# --- exercise 5: the irrepresentable condition ---------------------------------------------------------

number_exercise(
    "select.irrepresentable",
    chapter=CHAPTER,
    title="The irrepresentable condition for three features",
    points=1,
    answer=0.75,
    hint="compute (X_SᵀX_S)⁻¹θ from the 2 × 2 correlation matrix of the true features, then take the "
    "correlations of the third feature with them and form their weighted sum",
    mistakes=[
        (
            0.9,
            "the two true features are correlated with each other: multiply by the inverse of their "
            "2 × 2 correlation matrix, not by the identity",
        ),
        (1.125, "check the inverse of [[1, ρ], [ρ, 1]] applied to (1, 1): the off-diagonal sign flips"),
        (0.5, "the value sums over both true features, weighted, not only the larger correlation"),
        (0.125, "both true weights are positive: the signs θ are (+1, +1)"),
    ],
)


# --- exercise 6: intervals after selection ---------------------------------------------------------------

choice_exercise(
    "select.naive_intervals",
    chapter=CHAPTER,
    title="Confidence intervals after the lasso",
    points=1,
    options={
        "a": "They are valid: least squares on a fixed set of columns gives exact t-intervals under Gaussian noise",
        "b": "They tend to cover the true weights less often than 95%, because the same data chose the features; "
        "intervals computed on samples not used for the selection keep their level",
        "c": "They cover more often than 95%, because the lasso's shrinkage makes them conservative",
        "d": "They are valid as long as λ was chosen by cross-validation",
    },
    correct="b",
    hint="ask what the textbook interval assumes about the set of columns, and how that set came about here",
    why_not={
        "a": "the textbook interval assumes the columns were fixed before seeing the data; here the data picked "
        "them, for looking large on this very sample",
        "c": "the refit on the support has no shrinkage at all, and choosing features for looking large biases "
        "them away from 0, not toward it",
        "d": "cross-validation chooses λ with the same data as well; the selection is still made on the sample "
        "the intervals use",
    },
)

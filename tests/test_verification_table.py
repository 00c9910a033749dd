"""conventions.verification_table (the live table of chapter 08) and plots.paths.path_with_fits.

The table compares each library's answer with the course's own. These tests check that it says
"verified" for the right conversions and — the part that makes it worth trusting — that it
says "not verified" for each classic wrong constant, which is slipped into the conversion it
uses. The libraries themselves (scikit-learn, PyTorch, Keras, glmnet) are the oracles.
"""

import sys

import numpy as np
import pytest

from regcourse import L1, L2, ElasticNet, conventions, linear
from regcourse.conventions import verification_table
from regcourse.data import load_diabetes, make_sparse_regression

pytestmark = pytest.mark.keras  # every table has a Keras row


def standardized_diabetes():
    data = load_diabetes()
    return (data.X - data.X.mean(axis=0)) / data.X.std(axis=0), data.y


PROBLEMS = {
    "diabetes": (standardized_diabetes(), ElasticNet(l1=10.0, l2=1.0)),
    "n>p": (
        (lambda d: (d.X, d.y))(make_sparse_regression(100, 12, 4, intercept=2.0, seed=1)),
        ElasticNet(l1=0.5, l2=0.3),
    ),
    "p>n": ((lambda d: (d.X, d.y))(make_sparse_regression(30, 60, 5, seed=2)), ElasticNet(l1=1.0, l2=0.2)),
}
ROWS = ["scikit-learn Ridge", "scikit-learn Lasso", "scikit-learn ElasticNet", "PyTorch SGD", "Keras Dense", "glmnet"]


def by_tool(table):
    return {row.tool: row for row in table}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_conversion_is_verified_against_the_real_library(problem):
    pytest.importorskip("glmnet")
    (X, y), pen = PROBLEMS[problem]
    table = verification_table(X, y, pen)
    assert [row.tool for row in table] == ROWS
    assert table.ok and all(row.verified is True for row in table), str(table)
    assert all(row.difference <= 1e-6 for row in table)


def test_the_rows_carry_the_converted_settings():
    pytest.importorskip("glmnet")
    (X, y), pen = PROBLEMS["diabetes"]
    rows = by_tool(verification_table(X, y, pen))
    n = len(y)
    assert n == 442
    assert rows["scikit-learn Ridge"].setting == "alpha = 442"  # n·λ₂
    assert rows["scikit-learn Lasso"].setting == "alpha = 5"  # λ₁/2
    assert rows["scikit-learn ElasticNet"].setting == "alpha = 6, l1_ratio = 0.8333"  # λ₁/2 + λ₂, λ₁/(λ₁ + 2λ₂)
    assert rows["PyTorch SGD"].setting == "weight_decay = 2"  # 2λ₂
    lam = 5.0 + 1.0 * y.std()
    assert rows["glmnet"].setting == f"alpha = {5.0 / lam:.4g}, lambda = {lam:.4g}"
    assert (rows["scikit-learn Ridge"].l1, rows["scikit-learn Ridge"].l2) == (0.0, 1.0)
    assert (rows["scikit-learn Lasso"].l1, rows["scikit-learn Lasso"].l2) == (10.0, 0.0)


# Each classic mistake, slipped into the conversion the table uses, must turn its row(s) to ✗.
def lasso_without_the_half(pen, n_samples=None):
    name, params = ORIGINAL["to_sklearn"](pen, n_samples)
    if name == "Lasso":
        params = {"alpha": pen.l1_coef}
    return name, params


def ridge_without_n(pen, n_samples=None):
    name, params = ORIGINAL["to_sklearn"](pen, n_samples)
    if name == "Ridge":
        params = {"alpha": pen.l2_coef}
    return name, params


def enet_with_the_course_mix(pen, n_samples=None):
    name, params = ORIGINAL["to_sklearn"](pen, n_samples)
    if name == "ElasticNet":
        params = {"alpha": pen.l1_coef + pen.l2_coef, "l1_ratio": pen.l1_coef / (pen.l1_coef + pen.l2_coef)}
    return name, params


def weight_decay_equal_to_lambda(pen):
    return pen.l2_coef


def keras_with_a_half(pen):
    return ORIGINAL["to_keras"](ElasticNet(l1=pen.l1_coef, l2=pen.l2_coef / 2))


def glmnet_without_sd_y(pen, *, y_std=None):
    return ORIGINAL["to_glmnet"](pen, y_std=1.0)


ORIGINAL = {name: getattr(conventions, name) for name in ("to_sklearn", "to_keras", "to_glmnet")}
MISTAKES = [
    ("to_sklearn", lasso_without_the_half, {"scikit-learn Lasso"}),
    ("to_sklearn", ridge_without_n, {"scikit-learn Ridge"}),
    ("to_sklearn", enet_with_the_course_mix, {"scikit-learn ElasticNet"}),
    ("torch_weight_decay", weight_decay_equal_to_lambda, {"PyTorch SGD"}),
    ("to_keras", keras_with_a_half, {"Keras Dense"}),
    ("to_glmnet", glmnet_without_sd_y, {"glmnet"}),
]


@pytest.mark.parametrize("name, wrong, rows", MISTAKES, ids=[m[1].__name__ for m in MISTAKES])
def test_a_wrong_constant_is_caught_in_its_row_and_only_there(monkeypatch, name, wrong, rows):
    pytest.importorskip("glmnet")
    (X, y), pen = PROBLEMS["diabetes"]
    monkeypatch.setattr(conventions.verification, name, wrong)  # the name the table's module calls
    table = verification_table(X, y, pen)
    failed = {row.tool for row in table if row.verified is False}
    assert failed == rows, str(table)
    assert not table.ok
    for row in table:
        if row.tool in rows:
            assert row.difference > 1e-3 and row.outcome.startswith("✗ off by")


def test_without_glmnet_its_row_is_skipped_and_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "glmnet", None)  # makes `import glmnet` raise ImportError
    (X, y), pen = PROBLEMS["n>p"]
    table = verification_table(X, y, pen)
    glmnet_row = by_tool(table)["glmnet"]
    assert glmnet_row.verified is None and glmnet_row.difference is None
    assert glmnet_row.outcome == "glmnet not installed — skipped"
    assert table.ok  # a skipped row is not a failure
    assert "glmnet not installed — skipped" in str(table) and "glmnet not installed — skipped" in table._repr_html_()


def test_the_table_shows_as_text_and_html():
    (X, y), pen = PROBLEMS["n>p"]
    table = verification_table(X, y, pen)
    text, html = str(table), table._repr_html_()
    assert text.splitlines()[0].split()[:2] == ["tool", "conversion"]
    assert len(text.splitlines()) == 2 + len(ROWS)
    assert html.startswith("<table>") and html.count("<tr>") == 1 + len(ROWS)
    assert "alpha = n·λ₂" in html and "weight_decay = 2λ₂" in text
    assert "✓ agrees to 1e-6" in text


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda X, y: verification_table(X, y, L1(0.1)), ValueError, "penalty must have both an L1 and an L2 part"),
        (lambda X, y: verification_table(X, y, L2(0.1)), ValueError, "penalty must have both"),
        (lambda X, y: verification_table(X, y, ElasticNet(l1=0.0, l2=0.1)), ValueError, "penalty must have both"),
        (lambda X, y: verification_table(X, y, "elastic net"), TypeError, "penalty must be a regcourse penalty"),
        (lambda X, y: verification_table(X, y, ElasticNet(l1=0.1, l2=0.1), rtol=0.0), ValueError, "rtol must be > 0"),
        (lambda X, y: verification_table(X, y[:-1], ElasticNet(l1=0.1, l2=0.1)), ValueError, "X and y must have"),
        (lambda X, y: verification_table(X[:, 0], y, ElasticNet(l1=0.1, l2=0.1)), ValueError, "X must be 2-D"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, message):
    (X, y), _ = PROBLEMS["n>p"]
    with pytest.raises(error) as raised:
        call(X, y)
    assert str(raised.value).startswith(message), str(raised.value)


# --- the figure: a path with another tool's fits on it ---------------------------------------------


def test_path_with_fits_puts_each_fit_at_its_lambda_in_its_feature_colour():
    from matplotlib.colors import to_rgba

    from regcourse.plots._style import PALETTE
    from regcourse.plots.paths import path_with_fits

    (X, y), _ = PROBLEMS["diabetes"]
    path = linear.path(X, y, "l1", n_lams=20)
    lams = np.array([20.0, 5.0])
    coefs = np.vstack([linear.fit(X, y, L1(lam)).coef for lam in lams])
    fig = path_with_fits(path, {"ours again": (lams, coefs), "shifted": (lams, coefs + 1.0)})
    ax = fig.axes[0]
    collections = [c for c in ax.collections if len(c.get_offsets())]
    assert len(collections) == 2 * X.shape[1]  # one scatter per fit and feature
    first = collections[0]
    np.testing.assert_allclose(first.get_offsets(), np.column_stack([lams, coefs[:, 0]]))
    np.testing.assert_allclose(first.get_edgecolor()[0], to_rgba(PALETTE[0]))
    np.testing.assert_allclose(collections[X.shape[1]].get_offsets()[:, 1], coefs[:, 0] + 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ours again", "shifted"]
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 20]) == X.shape[1]  # the path itself


def test_path_with_fits_refuses_mismatched_fits():
    from regcourse.plots.paths import path_with_fits

    (X, y), _ = PROBLEMS["n>p"]
    path = linear.path(X, y, "l1", n_lams=5)
    with pytest.raises(ValueError, match=r"^fits\['a'\]: coefs must have shape"):
        path_with_fits(path, {"a": ([1.0, 2.0], np.zeros((2, 3)))})
    with pytest.raises(ValueError, match="^fits must be a dict of 1 to 6"):
        path_with_fits(path, {})

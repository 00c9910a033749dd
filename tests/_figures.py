"""Every figure function of regcourse.plots drawn on small data, as the lectures draw them; shared by
tests/test_figure_colours.py and tests/test_alt_text.py.

``FIGURES`` maps a name to a function returning ``(figure, facts)``: ``facts`` are strings the alt
text must contain, computed here from the data (not read from the figure).
"""

from __future__ import annotations

import math

import numpy as np


def _fmt(value) -> str:
    from regcourse.plots._alt import num

    return num(value)


def polynomial():
    from regcourse.data import make_polynomial
    from regcourse.plots import polynomial_fits

    data = make_polynomial(40, seed=0)
    x, y, xv, yv = data.x[:20], data.y[:20], data.x[20:], data.y[20:]
    fig = polynomial_fits(x, y, degrees=(1, 3, 15), x_val=xv, y_val=yv, truth=data.truth)
    fit1 = np.polyfit(x, y, 1)
    train1 = float(np.mean((np.polyval(fit1, x) - y) ** 2))
    return fig, ["degree 1, 3 and 15", "20 training points", f"degree 1: {_fmt(train1)}"]


def overfitting():
    from regcourse.plots import overfitting_curves

    degrees, train, val = [1, 2, 3, 4, 5], [0.9, 0.4, 0.2, 0.1, 0.05], [1.0, 0.5, 0.35, 0.6, 1.4]
    fig = overfitting_curves(degrees, train, val, xlabel="polynomial degree", log_x=False, chosen=3)
    return fig, ["lowest, 0.35, at polynomial degree = 3", "from 0.9 to 0.05"]


def cross_validation():
    from regcourse.data import make_sparse_regression
    from regcourse.plots import cv_curve
    from regcourse.selection import cross_validate

    data = make_sparse_regression(n_samples=60, n_features=8, seed=0)
    cv = cross_validate(data.X, data.y, "l1", k=5, n_lams=15)
    best = cv.mean[cv.best_index]
    return cv_curve(cv), ["5-fold", f"best λ = {_fmt(cv.best_lam)}", f"λ = {_fmt(cv.lam_1se)}", _fmt(best)]


def kfold():
    from regcourse.plots import kfold_diagram

    return kfold_diagram(20, 5), ["5-fold", "20 samples", "the 4 samples of one fold", "other 16 train"]


def _diabetes_path(kind):
    from regcourse import linear
    from regcourse.data import load_diabetes

    data = load_diabetes()
    return linear.path(data.X, data.y, kind), list(data.feature_names)


def lasso_path():
    from regcourse.plots import coefficient_path

    path, names = _diabetes_path("l1")
    order = np.argsort(path.lams)[::-1]
    lams, coefs = path.lams[order], path.coefs[order]
    first = int(np.flatnonzero(np.any(coefs != 0, axis=1))[0])
    entering = [names[j] for j in np.flatnonzero(coefs[first])]
    largest = names[int(np.argmax(np.abs(coefs[-1])))]
    return coefficient_path(path, names), [
        "lasso path",
        "10 coefficients",
        f"{entering[0]} at λ = {_fmt(lams[first])}",
        f"{largest} {_fmt(coefs[-1, names.index(largest)])}",
    ]


def ridge_path():
    from regcourse.plots import coefficient_path

    path, names = _diabetes_path("l2")
    return coefficient_path(path, names), ["ridge path", "No coefficient is exactly 0"]


def sparse_path_with_background():
    from regcourse import linear
    from regcourse.data import make_sparse_regression
    from regcourse.plots import coefficient_path

    data = make_sparse_regression(n_samples=80, n_features=30, n_informative=4, seed=1)
    true = set(np.flatnonzero(data.coef))
    names = [f"x{j + 1}" if j in true else "" for j in range(30)]
    path = linear.path(data.X, data.y, "l1", n_lams=30)
    mark = float(path.lams[10])
    return coefficient_path(path, names, mark_lam=mark), [
        "30 coefficients",
        "4 labelled features",
        "other 26 in grey",
        f"λ = {_fmt(mark)}",
    ]


def sklearn_fits_on_path():
    from sklearn.linear_model import Lasso

    from regcourse.plots import path_with_fits

    path, names = _diabetes_path("l1")
    from regcourse.data import load_diabetes

    data = load_diabetes()
    lams = np.geomspace(path.lams[0] / 1.5, path.lams[0] / 60, 4)
    fits = {
        "right": (lams, [Lasso(alpha=lam / 2).fit(data.X, data.y).coef_ for lam in lams]),
        "wrong": (lams, [Lasso(alpha=lam).fit(data.X, data.y).coef_ for lam in lams]),
    }
    return path_with_fits(path, fits, names), ["right (circles): on the lines", "wrong (crosses): off the lines"]


def geometry(kind):
    def draw():
        from regcourse.plots import constraint_geometry

        fig = constraint_geometry(kind)
        w = fig.regcourse_drawing.result.coef
        return fig, [f"w = ({w[0]:.2f}, {w[1]:.2f})", "(1.6, 0.4)", "R(w) ≤ 1"]

    return draw


def geometry_panels():
    from regcourse.plots import constraint_geometry, panels

    fig, axes = panels(3)
    for kind, ax in zip(["l1", "elastic_net", "l2"], axes):
        constraint_geometry(kind, radius=1.0, centre=(1.6, 0.2), correlation=0.0, ax=ax)
    return fig, ["Three panels side by side", "Left: L1", "Middle: elastic net", "Right: L2"]


def landscape():
    from regcourse.plots import penalty_landscape

    return penalty_landscape(1.0), ["step from −1 to 1", "slope 2", "|w| ≤ 0.5 exactly to 0", "multiplying w by 0.5"]


def lp():
    from regcourse.plots import lp_balls

    ps = (0.5, 1, 2, 4, math.inf)
    reach = [(0.5) ** (1 / p) if math.isfinite(p) else 1.0 for p in ps]
    return lp_balls(ps=ps), ["p = 1 is a diamond", "p = 2 is a circle"] + [f"{_fmt(r)} (p =" for r in reach]


def early_stopping():
    from regcourse.data import make_sparse_regression
    from regcourse.plots import early_stopping_vs_ridge

    data = make_sparse_regression(n_samples=60, n_features=5, n_informative=3, correlation=0.6, noise=1.0)
    return early_stopping_vs_ridge(data.X, data.y, step=0.01, n_steps=2000), ["5 weights", "η = 0.01", "k = 1 to 2000"]


def bias_variance():
    from regcourse import beyond
    from regcourse.plots import bias_variance_curves

    result = beyond.bias_variance_ridge(np.geomspace(1e-3, 100, 12))
    return bias_variance_curves(result), [f"best λ = {_fmt(result.best_lam)}", f"σ² = {_fmt(result.noise)}"]


def patience():
    from regcourse.plots import patience_curve

    val = np.r_[np.linspace(1.0, 0.3, 30), np.linspace(0.31, 0.6, 30)]
    return patience_curve(np.linspace(1.0, 0.01, 60), val, patience=10), [
        "at epoch 29",
        "stops at epoch 39",
        "lowest, 0.3,",
    ]


def _histories(n_runs):
    from regcourse.nn import History

    rng = np.random.default_rng(0)
    return {
        f"run {i}": History(
            train_loss=list(np.geomspace(1, 0.01 * (i + 1), 40)),
            val_loss=list(np.geomspace(1, 0.2, 40) + np.linspace(0, 0.1 * i, 40) + 0.01 * rng.random(40)),
        )
        for i in range(n_runs)
    }


def training(n_runs):
    def draw():
        from regcourse.plots import training_curves

        histories = _histories(n_runs)
        best = {label: int(np.argmin(h.val_loss)) + 1 for label, h in histories.items()}
        return training_curves(histories), [f"{n_runs} runs", "run 0: training loss ends at 0.01"] + [
            f"at epoch {epoch}" for epoch in best.values()
        ]

    return draw


def networks():
    import torch

    from regcourse.plots import network_fits

    torch.manual_seed(0)
    nets = {
        f"net {i}": torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)) for i in range(3)
    }
    x = torch.linspace(-1, 1, 12).reshape(-1, 1)
    t = torch.sin(3 * x)
    return network_fits(nets, x, t, truth=lambda v: np.sin(3 * v)), [
        "3 networks",
        "12 training points",
        "Closest to the true function",
    ]


def histograms():
    from regcourse.plots import weight_histogram

    rng = np.random.default_rng(0)
    l1 = rng.normal(size=200) * (rng.random(200) < 0.4)
    return weight_histogram({"none": rng.normal(size=200), "L2": 0.3 * rng.normal(size=200), "L1": l1}), [
        f"L1: 200 weights, {100 * np.mean(l1 == 0):.0f}% exactly 0"
    ]


def bars():
    from regcourse.plots import weight_bars

    a, b = np.array([0.5, -0.004, 2.0, 0.01]), np.array([0.5, 0.0, 1.9, 0.0])
    return weight_bars({"subgradient": a, "proximal": b}), [
        "4 weights",
        "proximal: 2 exactly 0",
        "subgradient: 0 exactly 0",
    ]


def spread():
    from regcourse.plots import coefficient_spread

    rng = np.random.default_rng(0)
    refits = {
        "l1": rng.normal(size=(20, 4)) * (rng.random((20, 4)) < 0.7),
        "l2": rng.normal(size=(20, 4)) * 0.2,
        "elastic_net": rng.normal(size=(20, 4)) * 0.5,
    }
    sets = len({tuple(row) for row in refits["l1"] != 0})
    return coefficient_spread(refits, truth=[1, 0, 0, -1]), [
        "4 features",
        f"L1 (lasso) (circles): {sets} different sets",
        "L2 (ridge) (squares): the same non-zero weights in all 20",
    ]


def boundaries():
    from regcourse import L2, linear
    from regcourse.data import make_two_blobs
    from regcourse.plots import decision_boundaries

    data = make_two_blobs(100, separation=2.0, seed=0)
    fits = [linear.fit(data.X, data.y, L2(lam), loss="logistic") for lam in (0.001, 0.1, 1.0)]
    slope = -fits[0].coef[0] / fits[0].coef[1]
    return decision_boundaries(data.X, data.y, fits, labels=["L2(0.001)", "L2(0.1)", "L2(1)"]), [
        "100 points",
        f"L2(0.001): x₂ = {_fmt(slope)}·x₁",
        f"{int(np.sum(data.y == 0))} of class 0",
    ]


def reliability():
    from regcourse.plots import reliability_diagram

    rng = np.random.default_rng(0)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(float)
    return reliability_diagram(
        y, {"calibrated": p, "over-confident": np.clip(1.6 * (p - 0.5) + 0.5, 0, 1), "flat": 0.5 + 0.2 * (p - 0.5)}
    ), ["3 models", "500 points", "10 bins"]


def pixels():
    from regcourse.plots import coefficient_image

    coef = np.zeros(64)
    coef[[3, 20, 40]] = [2.5, -1.5, 0.7]
    return coefficient_image(coef, (8, 8), label="L1, λ = 0.01"), [
        "L1, λ = 0.01",
        "3 of 64 pixels",
        "outlined in black",
        "2.5 at row 1, column 4",
        "−1.5 at row 3, column 5",
    ]


def gallery():
    from regcourse.plots import image_gallery

    a = np.zeros((8, 8))
    a[2:6, 3] = 1.0
    b = np.roll(a, 1, axis=1)
    return image_gallery({"original": a, "shifted": b}), [
        "2 grey-scale images of 8 × 8 pixels",
        "“shifted”",
        f"{_fmt(np.abs(b - a).mean())}"[:4],
    ]


def thresholding():
    from regcourse.plots import thresholding_rules

    probe = 0.9 * 1.15 * 3.7 * 2.0  # 90% of the right end of the z axis, 1.15·max(γ, a)·λ
    return thresholding_rules(lam=2.0, gamma=3.0, a=3.7), [
        "λ/2 = 1",
        "γλ = 6",
        "aλ = 7.4",
        f"at z = {_fmt(probe)} it gives {_fmt(probe - 1.0)}",
    ]


def minima():
    from regcourse.penalties_sparse import MCP
    from regcourse.plots import two_minima

    rng = np.random.default_rng(0)
    shared = rng.standard_normal((40, 1))
    X = np.sqrt(0.1) * rng.standard_normal((40, 2)) + np.sqrt(0.9) * shared
    y = X @ np.array([2.0, 2.4]) + 0.5 * rng.standard_normal(40)
    a, b = np.array([4.0, 0.0]), np.array([0.0, 4.2])

    def objective(w):  # written out: MSE on centred data plus MCP(1, 3) per weight
        r = (y - y.mean()) - (X - X.mean(axis=0)) @ w
        u = np.minimum(np.abs(w), 3.0)
        return np.mean(r**2) + np.sum(u - u**2 / 6.0)

    from regcourse.plots._alt import num

    return two_minima(X, y, MCP(1.0, 3.0), {"first": a, "second": b}), [
        f"first at (4, 0) with J = {num(objective(a), 4)}",
        f"second at (0, 4.2) with J = {num(objective(b), 4)}",
        "not convex",
    ]


def groups():
    from regcourse.plots import group_selection

    names = ["c1=2", "c1=3", "c2=2", "c2=3", "c2=4", "x1"]
    lasso = np.array([1.0, 0.0, 0.3, 0.0, -0.2, 1.5])
    group = np.array([0.8, 0.4, 0.0, 0.0, 0.0, 1.4])
    return group_selection({"lasso": lasso, "group lasso": group}, names, truth=[1, 0.5, 0, 0, 0, 1.5]), [
        "6 columns, 3 groups (c1, c2 and x1",
        "lasso: keeps x1 whole, keeps only part of c1 (1 of 2 levels) and c2 (2 of 3 levels)",
        "group lasso: keeps c1 and x1 whole, keeps no group in part, drops c2",
    ]


def stability():
    from types import SimpleNamespace

    from regcourse.plots import stability_frequencies

    lams = np.geomspace(1.0, 0.01, 8)
    frequency = np.column_stack(
        [np.linspace(0.5, 1.0, 8), np.linspace(0.1, 0.85, 8)] + [np.linspace(0.0, 0.3 + 0.1 * j, 8) for j in range(4)]
    )
    result = SimpleNamespace(lams=lams, frequency=frequency)
    return stability_frequencies(result, highlight=[0, 1, 2], threshold=0.8), [
        "6 features",
        "Reaching the threshold at some λ: x1 and x2 (2 of 6)",
        "the most often selected is x6, at most 0.6",
    ]


def shrinkage():
    from regcourse.plots import shrinkage_factors

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3)) * [2.0, 1.0, 0.1]
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return shrinkage_factors(X, np.geomspace(1e-3, 10, 30)), [
        "3 principal directions",
        f"variances are {_fmt(d[0] ** 2 / 50)[:3]}",
        "from 0.001 to 10",
    ]


def degrees_of_freedom():
    from regcourse.data import make_sparse_regression
    from regcourse.plots import degrees_of_freedom_curves

    data = make_sparse_regression(n_samples=40, n_features=6, n_informative=3, seed=1)
    simulated = {"ridge": [(0.1, 5.2, 0.2)], "lasso": [(0.5, 4.1, 0.3), (2.0, 3.0, 0.2)]}
    fig = degrees_of_freedom_curves(data.X, data.y, np.geomspace(1e-3, 100, 40), simulated=simulated)
    return fig, ["p + 1 = 7", "falls from 7 to 1", "lasso at λ = 0.5 and 2: 4.1 and 3"]


def criteria():
    from regcourse.plots import criteria_curves

    lams = np.geomspace(0.01, 10, 25)
    u = (np.log10(lams) + 0.5) ** 2
    curves = {"leave-one-out": 3 + u, "BIC": 3.5 + (np.log10(lams) - 0.2) ** 2}
    return criteria_curves(lams, curves, test_error=3.1 + u), [
        f"leave-one-out lowest at λ = {_fmt(lams[np.argmin(u)])}",
        f"BIC lowest at λ = {_fmt(lams[np.argmin((np.log10(lams) - 0.2) ** 2)])}",
        "new data lowest",
    ]


def min_norm():
    from regcourse.plots import min_norm_convergence

    steps = np.array([1, 10, 100])
    return min_norm_convergence(
        steps, {"start at 0": np.array([0.5, 0.01, 1e-9]), "start at w0": np.array([3.0, 2.1, 2.0])}, floor=2.0
    ), [
        "start at 0: from 0.5 to 1e−9",
        "A dotted line at 2",
    ]


def double_descent():
    from regcourse import implicit
    from regcourse.plots import double_descent_curves

    ps = np.array([10, 50, 90, 110, 200])
    plain = implicit.min_norm_risk_simulated(50, ps // 2, snr_r2=1.0, noise_var=0.25, n_sims=5, seed=0)
    tuned = implicit.min_norm_risk_simulated(
        50, ps // 2, snr_r2=1.0, noise_var=0.25, n_sims=5, seed=0, ridge_lam=lambda p: 0.25 * p / 50
    )
    fig = double_descent_curves(plain, tuned, snr_r2=1.0, noise_var=0.25)
    return fig, ["simulated with n = 50", f"to its highest, {_fmt(plain.risk.max())}", "ridge with a tuned λ"]


def separating():
    from regcourse.plots import separating_directions

    X = np.array([[1.0, 2.0], [2.0, 1.0], [-1.0, -2.0], [-2.0, -1.0]])
    y = np.array([1, 1, 0, 0])
    fig = separating_directions(X, y, {"max margin": np.array([1.0, 1.0]), "other": np.array([1.0, 0.2])})
    return fig, ["4 points of two classes", "max margin (normal direction 0.707, 0.707)"]


FIGURES = {
    "polynomial_fits": polynomial,
    "overfitting_curves": overfitting,
    "cv_curve": cross_validation,
    "kfold_diagram": kfold,
    "coefficient_path lasso": lasso_path,
    "coefficient_path ridge": ridge_path,
    "coefficient_path with unlabelled features": sparse_path_with_background,
    "path_with_fits": sklearn_fits_on_path,
    "constraint_geometry l1": geometry("l1"),
    "constraint_geometry l2": geometry("l2"),
    "constraint_geometry elastic_net": geometry("elastic_net"),
    "constraint_geometry panels": geometry_panels,
    "penalty_landscape": landscape,
    "lp_balls": lp,
    "early_stopping_vs_ridge": early_stopping,
    "bias_variance_curves": bias_variance,
    "patience_curve": patience,
    "shrinkage_factors": shrinkage,
    "degrees_of_freedom_curves": degrees_of_freedom,
    "criteria_curves": criteria,
    "min_norm_convergence": min_norm,
    "double_descent_curves": double_descent,
    "separating_directions": separating,
    "training_curves 2 runs": training(2),
    "training_curves 3 runs": training(3),
    "network_fits": networks,
    "weight_histogram": histograms,
    "weight_bars": bars,
    "coefficient_spread": spread,
    "decision_boundaries": boundaries,
    "reliability_diagram": reliability,
    "coefficient_image": pixels,
    "image_gallery": gallery,
    "thresholding_rules": thresholding,
    "two_minima": minima,
    "group_selection": groups,
    "stability_frequencies": stability,
}

"""What chapter 13 (implicit regularization) prints and states, recomputed independently: NumPy's
pseudo-inverse, scikit-learn's LinearSVC and LogisticRegression, PyTorch's label-smoothed loss, and
the saved outputs of the lecture (nbval separately checks that it still prints them)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from _lecture_outputs import printed as printed_in
from _lecture_outputs import prose as prose_of
from _project import ROOT
from regcourse import implicit
from regcourse.data import make_two_blobs

LECTURE = ROOT / "notebooks" / "13_implicit.ipynb"


def printed(fragment: str) -> str:
    return printed_in(LECTURE, fragment)


def prose() -> str:
    return prose_of(LECTURE)


def test_section_1_the_start_outside_the_row_space_is_what_remains():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 60))
    rng.standard_normal(20)  # y: drawn as the lecture draws it, so w0 below is the lecture's
    w0 = rng.standard_normal(60)
    outside = w0 - np.linalg.pinv(X) @ (X @ w0)
    text = printed("w_dagger = implicit.min_norm_solution")
    assert f"distance to X⁺y {np.linalg.norm(outside):.3f}" in text
    assert f"outside the row space has length {np.linalg.norm(outside):.3f}" in text
    assert text.count("fits y exactly: True") == 2 and "within 1e-6 of X⁺y: True" in text
    assert "distance to X⁺y 0.000" in text


def test_section_2_the_table_and_its_reading():
    ps = np.array([10, 30, 50, 70, 85, 95, 105, 115, 130, 160, 200, 300, 400])
    plain = implicit.min_norm_risk_simulated(100, ps, snr_r2=1.0, noise_var=0.25, n_sims=40, seed=0)
    tuned = implicit.min_norm_risk_simulated(
        100, ps, snr_r2=1.0, noise_var=0.25, n_sims=40, seed=0, ridge_lam=lambda p: 0.25 * p / 100
    )
    text = printed("ps = np.array([10, 30")
    formula = implicit.min_norm_risk(ps / 100, 1.0, 0.25)
    for row in (0, 4, 5, 6, 8, 10, 12):
        line = (
            f"{ps[row]:3d}  {ps[row] / 100:4.2f}   {plain.risk[row]:8.3f} ± {plain.standard_error[row]:.3f}"
            f"    {formula[row]:8.3f}   {tuned.risk[row]:8.3f}"
        )
        assert line in text
    # "exact below n": σ²p/(n − p − 1) = 5.94 at p = 95, where the limit says 4.75
    assert round(0.25 * 95 / 4, 2) == 5.94 and round(float(formula[5]), 2) == 4.75
    assert "5.94 at p = 95 where the limit\nsays 4.75" in prose()
    # tuned ridge: never worse than the minimum-norm fit, and rising with p
    assert np.all(tuned.risk <= plain.risk + 2 * plain.standard_error)
    assert np.all(np.diff(tuned.risk) > 0)
    away = np.abs(ps / 100 - 1) > 0.25  # "away from the peak the simulation follows the formula"
    assert np.all(np.abs(plain.risk[away] - formula[away]) < 4 * plain.standard_error[away] + 0.05 * formula[away])


def test_section_3_max_margin_gradient_descent_and_the_l2_path():
    data = make_two_blobs(40, separation=5.0, seed=0)
    X, y = data.X, data.y
    svm = implicit.max_margin_direction(X, y)
    text = printed("svm = implicit.max_margin_direction")
    assert f"max-margin direction {np.round(svm, 4)}" in text and "to 1e-4°: True" in text
    steps = [10, 100, 1000, 10_000, 100_000]
    W = implicit.logistic_gd_directions(X, y, 1.0, steps)
    norms = np.linalg.norm(W, axis=1)
    angles = [implicit.angle_between(w, svm) for w in W]
    for k, norm, angle in zip(steps, norms, angles):
        assert f"{k:6d} steps: ‖w‖ = {norm:5.2f}, angle to it {angle:.2f}°" in text
    assert (round(angles[1], 1), round(angles[-1], 1)) == (4.4, 3.0)  # the prose's "from 4.4° … to 3.0°"
    assert angles[2] > angles[3] > angles[4]  # shrinking from 100 steps on
    increments = np.diff(norms)
    assert (round(increments[-2], 1), round(increments[-1], 1)) == (2.2, 2.4)  # "(2.2, then 2.4)"
    n = len(y)
    for lam in (1e-2, 1e-4, 1e-6):  # the L2 directions agree with scikit-learn's (C = 1/(2nλ), no intercept)
        ours = implicit.l2_logistic_direction(X, y, lam)
        theirs = LogisticRegression(C=1 / (2 * n * lam), fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
        assert implicit.angle_between(ours, theirs.coef_.ravel()) < 1e-3
        assert f"λ = {lam:.0e}: angle {implicit.angle_between(ours, svm):.2f}°" in text


def _fit_smoothed(torch, X, t, eps):
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 2).double()
    loss = torch.nn.CrossEntropyLoss(label_smoothing=eps)
    optimizer = torch.optim.LBFGS(
        model.parameters(), max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn="strong_wolfe"
    )

    def closure():
        optimizer.zero_grad()
        value = loss(model(X), t)
        value.backward()
        return value

    optimizer.step(closure)
    return model


def test_section_4_label_smoothing_table_and_calibration_reading():
    torch = pytest.importorskip("torch")
    from regcourse.logistic import log_loss

    train, test = make_two_blobs(200, separation=2.0, seed=1), make_two_blobs(2000, separation=2.0, seed=2)
    text = printed("for eps in (0.0, 0.05, 0.1, 0.2):")
    results = {}
    for eps in (0.0, 0.05, 0.1, 0.2):  # the lecture's model, trained the same way, checked against its printout
        model = _fit_smoothed(torch, torch.tensor(train.X), torch.tensor(train.y).long(), eps)
        w = (model.weight[1] - model.weight[0]).detach().numpy()
        b = (model.bias[1] - model.bias[0]).item()
        scores = test.X @ w + b
        results[eps] = (np.linalg.norm(w), log_loss(test.y, scores), 1 / (1 + np.exp(-scores)))
        assert f"{eps:4.2f}  {np.linalg.norm(w):6.3f}" in text and f"{log_loss(test.y, scores):13.4f}" in text
    assert min(results, key=lambda e: results[e][1]) == 0.1  # the lowest test log-loss at ε = 0.1
    from regcourse import L2, linear  # ε = 0 is chapter 09's unpenalized fit: ‖w‖ 3.34, log-loss 0.3516

    chapter_09 = linear.fit(train.X, train.y, L2(0.0), loss="logistic")
    assert abs(results[0.0][0] - np.linalg.norm(chapter_09.coef)) < 1e-4
    assert (round(results[0.0][0], 2), round(results[0.0][1], 4)) == (3.34, 0.3516)
    assert "(‖w‖ = 3.34, test log-loss\n0.3516" in prose()
    assert abs(results[0.1][0] - 2.0) < 0.05  # "about the true size 2.0"
    for eps, over in ((0.0, True), (0.2, False)):  # overconfident without smoothing, underconfident at 0.2
        p = results[eps][2]
        sure = p > 0.8
        assert (p[sure].mean() > test.y[sure].mean()) == over


def test_section_5_dropout_linear_exact_and_network_gap():
    text = printed("w_linear, x_linear")
    first = text.splitlines()[0]
    averaged, evaluated = first.split("masks ")[1].split(",")[0], first.split("as they are) ")[1]
    assert averaged == evaluated
    gap = float(text.split("up to ")[1].split(" ")[0])
    error = float(text.split("±")[1].split(")")[0])
    assert gap > error  # "differs … by more than the simulation's error"
    spread = float(text.split("range over ")[1])
    assert gap < 0.05 * spread  # "by little compared with the outputs"

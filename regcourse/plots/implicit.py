"""Figures of implicit regularization: gradient descent's distance to the minimum-norm solution,
double descent beside its formula, and separating directions on two-dimensional data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from regcourse.plots._alt import describe, num, words
from regcourse.plots._style import BLACK, BLUE, GREY, VERMILLION, WINE, new_axes, series_style, styled


@styled
def min_norm_convergence(steps, distances: Mapping[str, np.ndarray], *, floor: float | None = None, ax=None):
    """‖wₖ − X⁺y‖ against the step k (log–log), one line per start; ``floor`` draws, dotted, the size
    of a start's component outside the row space, which gradient descent never removes."""
    steps = np.asarray(steps, dtype=float)
    if steps.ndim != 1 or steps.size < 2 or np.any(steps <= 0):
        raise ValueError("steps must hold at least two positive step counts")
    if not distances:
        raise ValueError("distances must name at least one start")
    fig, ax = new_axes(ax, figsize=(6.0, 3.9))
    described = []
    for i, (label, values) in enumerate(distances.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != steps.shape:
            raise ValueError(f"distances[{label!r}] has {values.size} values for {steps.size} steps")
        shown = np.maximum(values, 1e-16)  # a log axis cannot show 0
        ax.plot(steps, shown, marker="os"[i % 2], ms=4, lw=1.6, label=label, **series_style(i))
        described.append(f"{label}: from {num(values[0])} to {num(values[-1])}")
    if floor is not None:
        ax.axhline(floor, color=GREY, ls=":", lw=1.4, label=f"outside the row space: {num(floor)}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("gradient-descent steps k")
    ax.set_ylabel("distance to X⁺y (minimum norm)")
    ax.set_title("Where gradient descent ends on p > n")
    ax.legend(fontsize=8)
    text = (
        f"The distance of gradient descent's weights to the minimum-norm solution against the number of steps, "
        f"{num(steps[0])} to {num(steps[-1])}, both axes logarithmic, one line per start: " + "; ".join(described) + "."
    )
    if floor is not None:
        text += f" A dotted line at {num(floor)} marks the start's component outside the row space of X."
    describe(ax, text)
    return fig


@styled
def double_descent_curves(min_norm, tuned=None, *, snr_r2: float, noise_var: float, ax=None):
    """The excess risk of minimum-norm least squares against γ = p/n: simulated (points with ±2
    standard errors, ``min_norm`` from ``implicit.min_norm_risk_simulated``) beside the limiting
    formula (a line), and optionally tuned ridge (``tuned``, same kind of result, dashed)."""
    from regcourse.implicit import min_norm_risk

    gammas = np.asarray(min_norm.n_features, dtype=float) / min_norm.n_samples
    fig, ax = new_axes(ax, figsize=(6.4, 4.0))
    grid = np.geomspace(gammas.min(), gammas.max(), 400)
    grid = grid[np.abs(grid - 1.0) > 0.02]  # the formula is infinite at γ = 1
    formula = min_norm_risk(grid, snr_r2, noise_var)
    top = 4.0 * (snr_r2 + noise_var)
    left, right = grid < 1, grid > 1
    ax.plot(grid[left], formula[left], color=BLACK, lw=1.4, label="formula (n, p → ∞)")
    ax.plot(grid[right], formula[right], color=BLACK, lw=1.4)
    ax.errorbar(
        gammas,
        min_norm.risk,
        yerr=2 * min_norm.standard_error,
        fmt="o",
        color=VERMILLION,
        mfc="white",
        ms=5,
        capsize=2,
        label=f"minimum norm, simulated (n = {min_norm.n_samples})",
    )
    described = [
        f"minimum-norm least squares, simulated with n = {min_norm.n_samples}, rises from {num(min_norm.risk[0])} "
        f"to its highest, {num(min_norm.risk.max())}, at γ = {num(gammas[np.argmax(min_norm.risk)])}, "
        f"and falls again to {num(min_norm.risk[-1])} at γ = {num(gammas[-1])}, close to the formula's line"
    ]
    if tuned is not None:
        ax.plot(gammas, tuned.risk, color=BLUE, ls="--", marker="s", ms=4, mfc="white", label="ridge, tuned λ")
        described.append(f"ridge with a tuned λ stays between {num(tuned.risk.min())} and {num(tuned.risk.max())}")
    ax.axvline(1.0, color=GREY, ls=":", lw=1.2, label="p = n")
    ax.set_xscale("log")
    ax.set_ylim(0, top)
    ax.set_xlabel("γ = p/n (features per sample)")
    ax.set_ylabel("excess test risk")
    ax.set_title("Double descent")
    ax.legend(fontsize=8)
    describe(
        ax,
        f"Excess test risk against the ratio of features to samples γ from {num(gammas.min())} to "
        f"{num(gammas.max())} on a log scale, with a dotted line at γ = 1 where the risk is infinite: "
        + "; ".join(described)
        + ".",
    )
    return fig


@styled
def separating_directions(X, y, directions: Mapping[str, np.ndarray], *, ax=None):
    """Two-dimensional data of two classes (filled circles and crosses) with the line through the
    origin that each weight vector in ``directions`` draws as its decision boundary (w·x = 0)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have two columns to be drawn, got shape {X.shape}")
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError("y must hold two classes")
    fig, ax = new_axes(ax, figsize=(4.8, 4.6))
    for label, marker, colour in ((classes[0], "o", BLUE), (classes[1], "x", VERMILLION)):
        rows = y == label
        ax.plot(X[rows, 0], X[rows, 1], marker, color=colour, ms=5, ls="none", label=f"class {label:g}")
    reach = 1.1 * np.abs(X).max()
    styles = [(BLACK, "-"), (WINE, "--"), (GREY, "-."), (BLUE, ":")]
    described = []
    for i, (label, w) in enumerate(directions.items()):
        w = np.asarray(w, dtype=float)
        colour, style = styles[i % len(styles)]
        along = np.array([-w[1], w[0]]) / np.linalg.norm(w)  # the boundary w·x = 0
        ax.plot(
            [-reach * along[0], reach * along[0]],
            [-reach * along[1], reach * along[1]],
            color=colour,
            ls=style,
            lw=1.6,
            label=label,
        )
        described.append(
            f"{label} (normal direction {num(w[0] / np.linalg.norm(w), 3)}, {num(w[1] / np.linalg.norm(w), 3)})"
        )
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Separating lines through the origin")
    ax.legend(fontsize=7, loc="lower right")
    describe(
        ax,
        f"{X.shape[0]} points of two classes, drawn as circles and crosses, with {len(directions)} decision "
        f"boundaries through the origin: {words(described)}.",
    )
    return fig


__all__ = ["min_norm_convergence", "double_descent_curves", "separating_directions"]

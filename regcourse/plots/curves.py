"""Overfitting in pictures: error against complexity or λ (the U-curve), and polynomial fits."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, span, words
from regcourse.plots._style import BLACK, BLUE, GREY, LINESTYLES, VERMILLION, new_axes, series_style, styled


@styled
def overfitting_curves(
    x,
    train_errors,
    val_errors,
    *,
    xlabel: str = "λ",
    log_x: bool = True,
    chosen=None,
    log_y: bool | None = None,
    ax=None,
    title: str | None = None,
):
    """Training and validation error against complexity (degree, λ, …); ``chosen`` is marked.

    With λ on the x-axis the axis is reversed, so that model complexity grows to the right in
    both views: a small λ is a flexible model. ``log_y`` (default: when the errors span more
    than a factor of 100) keeps a U-shape visible next to an exploding error.
    """
    fig, ax = new_axes(ax, figsize=(5.5, 3.8))
    x = np.asarray(x, dtype=float)
    train, val = np.asarray(train_errors, dtype=float), np.asarray(val_errors, dtype=float)
    ax.plot(x, train, marker="o", ms=3, color=BLUE, label="training error")
    ax.plot(x, val, marker="s", ms=3.5, ls="--", color=VERMILLION, label="validation error")
    if log_x:
        ax.set_xscale("log")
    errors = np.concatenate([train, val])
    if log_y or (log_y is None and errors.min() > 0 and errors.max() / errors.min() > 100):
        ax.set_yscale("log")
    if xlabel.startswith("λ"):
        ax.invert_xaxis()
    elif np.all(x == np.round(x)):  # degrees, numbers of features: whole-number ticks
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if chosen is not None:
        ax.axvline(chosen, color=BLACK, ls=":", lw=1.4, label=f"chosen: {chosen:.3g}")
    ax.set_xlabel(xlabel + ("  (← simpler · more flexible →)" if xlabel.startswith("λ") else ""))
    ax.set_ylabel("mean squared error" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.set_title(title or "Training error falls; validation error has a U-shape")
    ax.legend()
    describe(ax, _overfitting_alt(x, train, val, xlabel, chosen))
    return fig


def _overfitting_alt(x, train, val, xlabel: str, chosen) -> str:
    name = xlabel.split("  ")[0]
    lam = name.startswith("λ")
    order = np.argsort(x)[::-1] if lam else np.argsort(x)  # from the simplest model to the most flexible
    best = int(np.argmin(val))
    text = (
        f"Training and validation error (mean squared error) against {name}, {span(x)}"
        + (" on a log scale, reversed so that models grow more flexible to the right" if lam else "")
        + f". Training error goes from {num(train[order[0]])} to {num(train[order[-1]])}; validation error "
        f"is lowest, {num(val[best])}, at {name} = {num(x[best])}, and is {num(val[order[0]])} for the simplest "
        f"model and {num(val[order[-1]])} for the most flexible."
    )
    if chosen is not None:
        text += f" A dotted line marks the chosen {name} = {num(chosen)}."
    return text


@styled
def cv_curve(cv, *, ax=None):
    """Cross-validated error ± one standard error against λ, with the best λ and the
    one-standard-error λ marked (``cv`` from ``regcourse.selection.cross_validate``)."""
    fig, ax = new_axes(ax, figsize=(5.5, 3.8))
    ax.plot(cv.lams, cv.mean, color=BLUE, label="mean validation error")
    ax.fill_between(cv.lams, cv.mean - cv.se, cv.mean + cv.se, color=BLUE, alpha=0.2, label="± one standard error")
    ax.axvline(cv.best_lam, color=VERMILLION, ls="--", lw=1.4, label=f"best λ = {cv.best_lam:.3g}")
    ax.axvline(cv.lam_1se, color=BLACK, ls="-.", lw=1.4, label=f"one-SE λ = {cv.lam_1se:.3g}")
    ax.axhline(cv.mean[cv.best_index] + cv.se[cv.best_index], color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel(f"{cv.fold_errors.shape[0]}-fold CV error (MSE)")
    ax.set_title("Choosing λ by cross-validation")
    ax.legend()
    k, i, j = cv.fold_errors.shape[0], int(cv.best_index), int(np.argmin(np.abs(np.asarray(cv.lams) - cv.lam_1se)))
    describe(
        ax,
        f"{k}-fold cross-validation error (mean squared error) against λ, {span(cv.lams)} on a log "
        f"scale, with a band of ± one standard error. The mean error is lowest, {num(cv.mean[i])} "
        f"± {num(cv.se[i], 2)}, at the best λ = {num(cv.best_lam)} (dashed line). The one-standard-error "
        f"rule picks the larger λ = {num(cv.lam_1se)} (dash-dotted line), a simpler model whose error, "
        f"{num(cv.mean[j])}, is within one standard error of the best.",
    )
    return fig


@styled
def polynomial_fits(x, y, degrees=(1, 3, 15), *, lam: float = 0.0, x_val=None, y_val=None, truth=None, ax=None):
    """Least-squares polynomial fits of several degrees (ridge-penalized with ``lam`` > 0) over
    the training points, with validation points and the true function when given."""
    from regcourse import linear
    from regcourse.data import polynomial_design
    from regcourse.penalties import L2

    fig, ax = new_axes(ax, figsize=(5.5, 3.8))
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    scale = float(np.abs(x).max()) or 1.0
    grid = np.linspace(x.min(), x.max(), 400)
    degrees = list(degrees)
    if not 1 <= len(degrees) <= len(LINESTYLES):
        raise ValueError(f"degrees must hold 1 to {len(LINESTYLES)} degrees, got {degrees}")
    ax.scatter(x, y, s=22, color=BLACK, zorder=3, label="training data")
    if x_val is not None:
        ax.scatter(x_val, y_val, s=22, facecolor="white", edgecolor=BLACK, zorder=3, label="validation data")
    if truth is not None:
        ax.plot(grid, truth(grid), color=GREY, ls=":", lw=1.8, label="true function")
    low, high = float(y.min()), float(y.max())
    margin = 0.5 * (high - low)
    errors = {}
    for i, degree in enumerate(degrees):
        model = linear.fit(polynomial_design(x, degree, scale), y, L2(lam), solver="closed_form")
        curve = model.predict(polynomial_design(grid, degree, scale))
        ax.plot(grid, curve, lw=1.8, label=f"degree {degree}", **series_style(i))
        train_mse = float(np.mean((model.predict(polynomial_design(x, degree, scale)) - y) ** 2))
        val_mse = (
            float(
                np.mean(
                    (
                        model.predict(polynomial_design(np.asarray(x_val, dtype=float), degree, scale))
                        - np.asarray(y_val, dtype=float)
                    )
                    ** 2
                )
            )
            if x_val is not None
            else None
        )
        leaves = bool(np.any((curve < low - margin) | (curve > high + margin)))
        errors[degree] = (train_mse, val_mse, leaves)
    ax.set_ylim(low - margin, high + margin)  # a wild high-degree fit should not squash the data
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Polynomial fits" + (f" with L2 penalty λ = {lam:g}" if lam else ""))
    ax.legend(fontsize=8)
    describe(ax, _polynomial_alt(x, errors, lam, x_val is not None, truth is not None))
    return fig


def _polynomial_alt(x, errors: dict, lam: float, has_val: bool, has_truth: bool) -> str:
    degrees = list(errors)
    what = "fit" if len(degrees) == 1 else "fits"
    text = (
        f"Polynomial {what} of degree {words(degrees)}"
        + (f" with an L2 penalty λ = {num(lam)}" if lam else "")
        + f" to {len(x)} training points, x {span(x)}"
        + (", with validation points" if has_val else "")
        + (" and the true function (dotted)" if has_truth else "")
        + ". Training mean squared error: "
        + words(f"degree {d}: {num(errors[d][0])}" for d in degrees)
        + "."
    )
    if has_val:
        text += " Validation error: " + words(f"degree {d}: {num(errors[d][1])}" for d in degrees) + "."
        best = min(degrees, key=lambda d: errors[d][1])
        if len(degrees) > 1:
            text += f" The lowest validation error is degree {best}'s."
    wild = [d for d in degrees if errors[d][2]]
    if wild:
        text += f" The degree {words(wild)} curve swings beyond the plotted range between the points."
    return text

"""Overfitting in pictures: error against complexity or λ (the U-curve), and polynomial fits."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import BLUE, GREEN, ORANGE, VERMILLION, new_axes, styled


@styled
def overfitting_curves(x, train_errors, val_errors, *, xlabel: str = "λ", log_x: bool = True, chosen=None,
                       log_y: bool | None = None, ax=None, title: str | None = None):
    """Training and validation error against complexity (degree, λ, …); ``chosen`` is marked.

    With λ on the x-axis the axis is reversed, so that model complexity grows to the right in
    both views: a small λ is a flexible model. ``log_y`` (default: when the errors span more
    than a factor of 100) keeps a U-shape visible next to an exploding error.
    """
    fig, ax = new_axes(ax, figsize=(5.5, 3.8))
    x = np.asarray(x, dtype=float)
    ax.plot(x, train_errors, marker="o", ms=3, color=BLUE, label="training error")
    ax.plot(x, val_errors, marker="o", ms=3, color=ORANGE, label="validation error")
    if log_x:
        ax.set_xscale("log")
    errors = np.concatenate([np.asarray(train_errors, dtype=float), np.asarray(val_errors, dtype=float)])
    if log_y or (log_y is None and errors.min() > 0 and errors.max() / errors.min() > 100):
        ax.set_yscale("log")
    if xlabel.startswith("λ"):
        ax.invert_xaxis()
    elif np.all(x == np.round(x)):  # degrees, numbers of features: whole-number ticks
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if chosen is not None:
        ax.axvline(chosen, color=GREEN, ls="--", lw=1.2, label=f"chosen: {chosen:.3g}")
    ax.set_xlabel(xlabel + ("  (← simpler · more flexible →)" if xlabel.startswith("λ") else ""))
    ax.set_ylabel("mean squared error" + (" (log scale)" if ax.get_yscale() == "log" else ""))
    ax.set_title(title or "Training error falls; validation error has a U-shape")
    ax.legend()
    return fig


@styled
def cv_curve(cv, *, ax=None):
    """Cross-validated error ± one standard error against λ, with the best λ and the
    one-standard-error λ marked (``cv`` from ``regcourse.selection.cross_validate``)."""
    fig, ax = new_axes(ax, figsize=(5.5, 3.8))
    ax.plot(cv.lams, cv.mean, color=ORANGE, label="mean validation error")
    ax.fill_between(cv.lams, cv.mean - cv.se, cv.mean + cv.se, color=ORANGE, alpha=0.2, label="± one standard error")
    ax.axvline(cv.best_lam, color=VERMILLION, ls="--", lw=1.2, label=f"best λ = {cv.best_lam:.3g}")
    ax.axvline(cv.lam_1se, color=GREEN, ls="-.", lw=1.2, label=f"one-SE λ = {cv.lam_1se:.3g}")
    ax.axhline(cv.mean[cv.best_index] + cv.se[cv.best_index], color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel(f"{cv.fold_errors.shape[0]}-fold CV error (MSE)")
    ax.set_title("Choosing λ by cross-validation")
    ax.legend()
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
    ax.scatter(x, y, s=22, color="0.2", zorder=3, label="training data")
    if x_val is not None:
        ax.scatter(x_val, y_val, s=22, facecolor="white", edgecolor="0.2", zorder=3, label="validation data")
    if truth is not None:
        ax.plot(grid, truth(grid), color="0.5", ls=":", lw=1.5, label="true function")
    for degree, colour in zip(degrees, (BLUE, GREEN, VERMILLION, ORANGE)):
        model = linear.fit(polynomial_design(x, degree, scale), y, L2(lam), solver="closed_form")
        ax.plot(grid, model.predict(polynomial_design(grid, degree, scale)), color=colour, lw=1.8,
                label=f"degree {degree}")
    low, high = float(y.min()), float(y.max())
    margin = 0.5 * (high - low)
    ax.set_ylim(low - margin, high + margin)  # a wild high-degree fit should not squash the data
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Polynomial fits" + (f" with L2 penalty λ = {lam:g}" if lam else ""))
    ax.legend(fontsize=8)
    return fig

"""Figures of regularization beyond penalties: early stopping against ridge, the bias–variance
trade-off, a validation curve with patience, and the Lp balls."""

from __future__ import annotations

import math

import numpy as np

from regcourse.plots._alt import describe, num, span, words
from regcourse.plots._style import BLACK, BLUE, GREY, VERMILLION, WINE, new_axes, series_style, styled


@styled
def early_stopping_vs_ridge(X, y, step: float, n_steps: int, *, n_marks: int = 12, feature_names=None, ax=None):
    """Ridge's coefficient path (lines, against λ) and gradient descent's iterates (dots, at
    λ = 1/(2·step·k) for k steps): the two paths drawn over one λ axis."""
    from regcourse.beyond import early_stopping_lam, gradient_descent_path, ridge_path_coefs
    from regcourse.plots._labels import EndLabels  # imports matplotlib: only when drawing

    fig, ax = new_axes(ax, figsize=(6.6, 4.0))
    path = gradient_descent_path(X, y, step, n_steps)
    ks = np.unique(np.geomspace(1, n_steps, n_marks).round().astype(int))
    lam_k = early_stopping_lam(step, ks)
    lams = np.geomspace(lam_k.min() / 3, lam_k.max() * 3, 200)
    ridge = ridge_path_coefs(X, y, lams)
    p = ridge.shape[1]
    names = [str(name) for name in feature_names] if feature_names is not None else [f"w{j + 1}" for j in range(p)]
    if len(names) != p:
        raise ValueError(f"feature_names has {len(names)} names for {p} features")
    colours = []
    for j in range(p):
        style = series_style(j)
        colours.append(style["color"])
        ax.plot(lams, ridge[:, j], lw=1.5, gid=f"series:{names[j]}", **style)  # named by a direct label
        ax.plot(lam_k, path[ks, j], "o", color=style["color"], ms=4.5, mfc="white", zorder=3)
    ax.plot(
        [],
        [],
        "o",
        color=BLACK,
        mfc="white",
        label="dots: gradient descent after k steps, at λ = 1/(2·η·k); lines: ridge path",
    )
    ax.set_xscale("log")
    ax.invert_xaxis()
    EndLabels(ax, np.full(p, lams[0]), ridge[0], names, colours)  # named at the right end (smallest λ)
    ax.set_xlabel("λ  (← fewer steps · more steps →)")
    ax.set_ylabel("weight")
    ax.set_title("Early stopping follows the ridge path")
    # below the axes, so it hides none of the dots
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    on_ridge = np.column_stack([np.interp(np.log(lam_k), np.log(lams), ridge[:, j]) for j in range(p)])  # lams increase
    gap = float(np.abs(path[ks] - on_ridge).max())
    describe(
        ax,
        f"Ridge's coefficient path for {p} weights ({words(names)}), lines against λ {span(lams)} on a "
        f"log scale, and the weights of gradient descent from w = 0 with step η = {num(step)} after k = "
        f"{ks[0]} to {ks[-1]} steps, drawn as hollow dots at λ = 1/(2ηk). The dots lie close to the lines (the "
        f"largest gap is {num(gap, 2)}, for weights that reach {num(np.abs(ridge).max())} in size): stopping "
        "after k steps acts like ridge with λ ≈ 1/(2ηk).",
    )
    return fig


@styled
def bias_variance_curves(result, *, ax=None):
    """bias², variance, the noise σ² and their sum against λ, with the measured test error
    (``result`` from ``regcourse.beyond.bias_variance_ridge``)."""
    fig, ax = new_axes(ax, figsize=(6.0, 4.0))
    ax.plot(result.lams, result.bias2, color=BLUE, lw=1.8, label="bias²")
    ax.plot(result.lams, result.variance, color=VERMILLION, ls="--", lw=1.8, label="variance")
    ax.axhline(result.noise, color=GREY, ls=":", lw=1.4, label="noise σ²")
    ax.plot(result.lams, result.total, color=WINE, ls="-.", lw=2.2, label="bias² + variance + σ²")
    ax.plot(result.lams, result.test_mse, "o", color=WINE, ms=3.5, mfc="white", label="test MSE, measured")
    ax.axvline(result.best_lam, color=BLACK, ls=(0, (1, 1)), lw=1.4, label=f"best λ = {result.best_lam:.3g}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel("expected squared error")
    ax.set_title("The bias–variance trade-off (ridge)")
    ax.legend(fontsize=8)
    lams, order = np.asarray(result.lams, dtype=float), np.argsort(result.lams)
    small, large = order[0], order[-1]
    best = int(np.argmin(result.total))
    gap = float(np.max(np.abs(np.asarray(result.test_mse) - np.asarray(result.total))))
    describe(
        ax,
        f"Ridge's bias², variance, the noise σ² = {num(result.noise)} and their sum against λ {span(lams)} "
        f"on a log scale, with the test error measured on new data as dots. As λ grows, bias² rises from "
        f"{num(result.bias2[small])} to {num(result.bias2[large])} and variance falls from "
        f"{num(result.variance[small])} to {num(result.variance[large])}; their sum with the noise is lowest, "
        f"{num(result.total[best])}, at λ = {num(lams[best])} (best λ = {num(result.best_lam)}). The "
        f"measured test error stays within {num(gap, 2)} of the sum.",
    )
    return fig


@styled
def patience_curve(train_losses, val_losses, patience: int, *, ax=None):
    """Training and validation loss per epoch, with the best epoch and the epoch where early
    stopping with this ``patience`` stops."""
    from regcourse.beyond import early_stopping_epoch

    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    val = np.asarray(val_losses, dtype=float)
    train = np.asarray(train_losses, dtype=float)
    if train.shape != val.shape:
        raise ValueError(f"train_losses and val_losses must have the same length, got {train.size} and {val.size}")
    best, stop = early_stopping_epoch(val, patience)
    epochs = np.arange(val.size)
    ax.plot(epochs, train, color=BLUE, ls="--", label="training loss")
    ax.plot(epochs, val, color=VERMILLION, label="validation loss")
    ax.axvline(best, color=BLACK, ls=":", lw=1.4, label=f"best epoch {best} (weights kept)")
    ax.axvspan(best, stop, color=GREY, alpha=0.2, hatch="//", label=f"patience {patience}: stops at epoch {stop}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)")
    ax.set_title("Early stopping with patience")
    ax.legend(fontsize=8)
    describe(
        ax,
        f"Training loss (dashed) and validation loss (solid) over {val.size} epochs, log scale. Training "
        f"loss falls from {num(train[0])} to {num(train[-1])}. Validation loss is lowest, {num(val[best])}, "
        f"at epoch {best}, where a dotted line marks the weights kept, and ends at {num(val[-1])}. With "
        f"patience {patience}, training stops at epoch {stop} (the hatched band), {patience} epochs "
        f"without a new low after the best.",
    )
    return fig


@styled
def lp_balls(ps=(0.5, 1, 2, math.inf), *, radius: float = 1.0, ax=None):
    """The balls |w₁|ᵖ + |w₂|ᵖ ≤ radius for several p (p = inf: the square max(|w₁|, |w₂|) ≤ radius,
    which clips each weight)."""
    from regcourse.beyond import lp_ball

    fig, ax = new_axes(ax, figsize=(4.6, 4.6))
    ps = list(ps)
    if not 1 <= len(ps) <= len(_BALL_STYLES):
        raise ValueError(f"ps must hold 1 to {len(_BALL_STYLES)} values of p, got {ps}")
    for p, (colour, style) in zip(ps, _BALL_STYLES):
        points = lp_ball(p, radius)
        label = "p = ∞ (clipping)" if math.isinf(p) else f"p = {p:g}" + (" (corners)" if p <= 1 else "")
        ax.plot(points[:, 0], points[:, 1], color=colour, ls=style, lw=1.8, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_title("Lp balls: corners for p ≤ 1")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    shapes = {0: "a star with inward-curved sides", 1: "a diamond", 2: "a circle", 3: "a rounded square", 4: "a square"}
    names = ["∞" if math.isinf(p) else num(p) for p in ps]
    kinds = [
        shapes[4]
        if math.isinf(p)
        else shapes[0]
        if p < 1
        else shapes[1]
        if p == 1
        else shapes[2]
        if p == 2
        else shapes[3]
        if p > 2
        else "a diamond with outward-curved sides"
        for p in ps
    ]
    diagonal = [radius if math.isinf(p) else (radius / 2) ** (1 / p) for p in ps]
    describe(
        ax,
        f"The balls |w₁|ᵖ + |w₂|ᵖ ≤ {num(radius)} in the plane of w₁ and w₂ for p = {words(names)}: "
        + words(f"p = {n} is {k}" for n, k in zip(names, kinds))
        + ". Along the diagonal w₁ = w₂ they reach "
        + words(f"{num(d)} (p = {n})" for d, n in zip(diagonal, names))
        + ": the smaller p, the more the ball is pulled in between the axes, so for p ≤ 1 its corners sit on "
        "the axes, where one weight is exactly 0.",
    )
    return fig


# colour and line style per ball: every pair differs in both
_BALL_STYLES = tuple(
    zip((VERMILLION, BLUE, WINE, BLACK, GREY, BLUE), ("-", "--", "-.", (0, (5, 1.5, 1, 1.5, 1, 1.5)), ":", (0, (1, 1))))
)


@styled
def image_gallery(images: dict, *, ncols: int | None = None):
    """Small grey-scale images side by side, each under its title ({title: 2-D array}); one
    shared grey scale, so a darker pixel is a larger value in every panel."""
    from regcourse.plots._style import figure_class

    if not isinstance(images, dict) or not images:
        raise ValueError("images must be a non-empty dict {title: 2-D array}")
    arrays = {str(title): np.asarray(image, dtype=float) for title, image in images.items()}
    for title, image in arrays.items():
        if image.ndim != 2:
            raise ValueError(f"images[{title!r}] must be 2-D, got shape {image.shape}")
    n = len(arrays)
    ncols = n if ncols is None else int(ncols)
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols}")
    nrows = -(-n // ncols)
    fig = figure_class()(figsize=(1.9 * ncols, 2.1 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    low = min(float(a.min()) for a in arrays.values())
    high = max(float(a.max()) for a in arrays.values())
    for ax, (title, image) in zip(axes, arrays.items()):
        ax.imshow(image, cmap="gray_r", vmin=low, vmax=high)
        ax.set_title(title, fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():  # a thin frame all round: white pixels are part of the image
            spine.set_visible(True)
            spine.set_linewidth(0.6)
            spine.set_color("0.6")
    for ax in axes[n:]:
        ax.set_axis_off()
    first_title, first = next(iter(arrays.items()))
    shapes = {image.shape for image in arrays.values()}
    size = "{} × {} pixels".format(*shapes.pop()) if len(shapes) == 1 else "different sizes"
    text = (
        f"{n} grey-scale images of {size} side by side, on one shared scale from {num(low)} (white) to "
        f"{num(high)} (black): {words(f'“{title}”' for title in arrays)}."
    )
    same = [(title, image) for title, image in list(arrays.items())[1:] if image.shape == first.shape]
    if same:
        text += (
            f" Mean absolute difference per pixel from “{first_title}”: "
            + words(f"{num(np.abs(image - first).mean(), 2)} for “{title}”" for title, image in same)
            + "."
        )
    describe(fig, text)
    return fig

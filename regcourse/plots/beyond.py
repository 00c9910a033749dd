"""Figures of regularization beyond penalties: early stopping against ridge, the bias–variance
trade-off, a validation curve with patience, and the Lp balls."""

from __future__ import annotations

import math

import numpy as np

from regcourse.plots._style import BLUE, GREEN, ORANGE, PALETTE, PURPLE, VERMILLION, new_axes, styled


@styled
def early_stopping_vs_ridge(X, y, step: float, n_steps: int, *, n_marks: int = 12, feature_names=None, ax=None):
    """Ridge's coefficient path (lines, against λ) and gradient descent's iterates (dots, at
    λ = 1/(2·step·k) for k steps): the two paths drawn over one λ axis."""
    from regcourse.beyond import early_stopping_lam, gradient_descent_path, ridge_path_coefs

    fig, ax = new_axes(ax, figsize=(6.0, 4.0))
    path = gradient_descent_path(X, y, step, n_steps)
    ks = np.unique(np.geomspace(1, n_steps, n_marks).round().astype(int))
    lam_k = early_stopping_lam(step, ks)
    lams = np.geomspace(lam_k.min() / 3, lam_k.max() * 3, 200)
    ridge = ridge_path_coefs(X, y, lams)
    p = ridge.shape[1]
    names = feature_names if feature_names is not None else [f"w{j + 1}" for j in range(p)]
    if len(names) != p:
        raise ValueError(f"feature_names has {len(names)} names for {p} features")
    for j in range(p):
        colour = PALETTE[j % len(PALETTE)]
        ax.plot(lams, ridge[:, j], color=colour, lw=1.5, label=names[j] if p <= 8 else None)
        ax.plot(lam_k, path[ks, j], "o", color=colour, ms=4, mfc="white")
    ax.plot([], [], "o", color="0.3", mfc="white", label="gradient descent, k steps\nat λ = 1/(2·η·k)")
    ax.plot([], [], color="0.3", label="ridge path")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← fewer steps · more steps →)")
    ax.set_ylabel("weight")
    ax.set_title("Early stopping follows the ridge path")
    ax.legend(fontsize=8, loc="upper left")
    return fig


@styled
def bias_variance_curves(result, *, ax=None):
    """bias², variance, the noise σ² and their sum against λ, with the measured test error
    (``result`` from ``regcourse.beyond.bias_variance_ridge``)."""
    fig, ax = new_axes(ax, figsize=(6.0, 4.0))
    ax.plot(result.lams, result.bias2, color=BLUE, lw=1.8, label="bias²")
    ax.plot(result.lams, result.variance, color=ORANGE, lw=1.8, label="variance")
    ax.axhline(result.noise, color="0.5", ls=":", lw=1.2, label="noise σ²")
    ax.plot(result.lams, result.total, color=VERMILLION, lw=2.2, label="bias² + variance + σ²")
    ax.plot(result.lams, result.test_mse, "o", color=VERMILLION, ms=3.5, mfc="white",
            label="test MSE, measured")
    ax.axvline(result.best_lam, color=GREEN, ls="--", lw=1.2, label=f"best λ = {result.best_lam:.3g}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("λ  (← simpler · more flexible →)")
    ax.set_ylabel("expected squared error")
    ax.set_title("The bias–variance trade-off (ridge)")
    ax.legend(fontsize=8)
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
    ax.plot(epochs, train, color=BLUE, label="training loss")
    ax.plot(epochs, val, color=ORANGE, label="validation loss")
    ax.axvline(best, color=GREEN, ls="--", lw=1.2, label=f"best epoch {best} (weights kept)")
    ax.axvspan(best, stop, color=GREEN, alpha=0.08, label=f"patience {patience}: stops at epoch {stop}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)")
    ax.set_title("Early stopping with patience")
    ax.legend(fontsize=8)
    return fig


@styled
def lp_balls(ps=(0.5, 1, 2, math.inf), *, radius: float = 1.0, ax=None):
    """The balls |w₁|ᵖ + |w₂|ᵖ ≤ radius for several p (p = inf: the square max(|w₁|, |w₂|) ≤ radius, which clips each weight)."""
    from regcourse.beyond import lp_ball

    fig, ax = new_axes(ax, figsize=(4.6, 4.6))
    colours = [VERMILLION, BLUE, GREEN, PURPLE, ORANGE, "0.4"]
    for p, colour in zip(ps, colours):
        points = lp_ball(p, radius)
        label = "p = ∞ (clipping)" if math.isinf(p) else f"p = {p:g}" + (" (corners)" if p <= 1 else "")
        ax.plot(points[:, 0], points[:, 1], color=colour, lw=1.8, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_title("Lp balls: corners for p ≤ 1")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


@styled
def image_gallery(images: dict, *, ncols: int | None = None):
    """Small grey-scale images side by side, each under its title ({title: 2-D array}); one
    shared grey scale, so a brighter pixel is a larger value in every panel."""
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
    return fig

"""Figures of regularized classification: decision boundaries moving with λ, a coefficient
image (which pixels an L1 penalty keeps), and a reliability diagram of predicted probabilities."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural, words
from regcourse.plots._style import BLACK, BLUE, GREY, LINESTYLES, MARKERS, SERIES, VERMILLION, WINE, new_axes, styled

# boundaries: colours other than the classes' blue and vermillion, each with its own line style
_BOUNDARY_COLOURS = (BLACK, WINE, GREY)


def _coef_intercept(model):
    if hasattr(model, "coef") and hasattr(model, "intercept"):
        return np.asarray(model.coef, dtype=float).ravel(), float(model.intercept)
    try:
        coef, intercept = model
    except (TypeError, ValueError):
        raise TypeError("each model must have .coef and .intercept, or be a (coef, intercept) pair") from None
    return np.asarray(coef, dtype=float).ravel(), float(intercept)


@styled
def decision_boundaries(X, y, models, *, labels=None, ax=None):
    """Two-feature data by class (blue circles, vermillion triangles), and the line w·x + b = 0
    of each model (where the predicted probability is ½), each in its own colour and line style."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have two features to draw boundaries in the plane, got shape {X.shape}")
    models = list(models)
    labels = list(labels) if labels is not None else [f"model {i + 1}" for i in range(len(models))]
    if len(labels) != len(models):
        raise ValueError(f"labels has {len(labels)} entries for {len(models)} models")
    fig, ax = new_axes(ax, figsize=(5.2, 4.6))
    ax.scatter(*X[y == 0].T, s=22, color=BLUE, marker="o", label="class 0", zorder=3)
    ax.scatter(*X[y == 1].T, s=26, color=VERMILLION, marker="^", label="class 1", zorder=3)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    grid = np.linspace(low[0], high[0], 200)
    lines = []
    for i, (model, label) in enumerate(zip(models, labels)):
        colour, style = _BOUNDARY_COLOURS[i % len(_BOUNDARY_COLOURS)], LINESTYLES[i % len(LINESTYLES)]
        (w1, w2), b = _coef_intercept(model)
        accuracy = float(np.mean(((X @ np.array([w1, w2]) + b) > 0) == (y == 1)))
        if abs(w2) > 1e-12:
            ax.plot(grid, -(b + w1 * grid) / w2, color=colour, ls=style, lw=1.8, label=label)
            line = (
                f"x₂ = {num(-w1 / w2)}·x₁ {'+' if -b / w2 >= 0 else '−'} {num(abs(b / w2))}"
                if w1 != 0
                else f"the horizontal line x₂ = {num(-b / w2)}"
            )
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, color=colour, ls=style, lw=1.8, label=label)
            line = f"the vertical line x₁ = {num(-b / w1)}"
        else:  # all weights zero: the model predicts one class everywhere, no boundary
            ax.plot([], [], color=colour, ls=style, lw=1.8, label=f"{label} (no boundary: w = 0)")
            line = "no boundary (all weights 0)"
        lines.append(
            f"{label}: {line}, weight norm {num(np.hypot(w1, w2))}, {num(100 * accuracy, 2)}% of the points "
            "on their class's side"
        )
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundaries (p = ½)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    describe(
        ax,
        f"{len(y)} points in the plane of two features, x₁ {_range(X[:, 0])} and x₂ {_range(X[:, 1])}: "
        f"{int(np.sum(y == 0))} of class 0 (circles) and {int(np.sum(y == 1))} of class 1 (triangles), with "
        f"the decision boundary (predicted probability ½) of {plural(len(models), 'model')}. " + "; ".join(lines) + ".",
    )
    return fig


def _range(values) -> str:
    return f"from {num(np.min(values), 2)} to {num(np.max(values), 2)}"


@styled
def coefficient_image(coef, shape=(8, 8), *, title: str | None = None, label: str | None = None, ax=None):
    """The weights of an image classifier drawn as an image: red pushes towards class 1, blue
    towards class 0, pale grey is exactly zero (a pixel the model ignores). Every used
    (non-zero) pixel is outlined in black, so a small weight, barely tinted, still shows, and
    the count does not rest on colour. ``label`` goes under the image (e.g. the penalty that
    was used)."""
    coef = np.asarray(coef, dtype=float).ravel()
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or shape[0] * shape[1] != coef.size:
        raise ValueError(f"shape {shape} does not hold the {coef.size} weights")
    fig, ax = new_axes(ax, figsize=(3.6, 3.4))
    bound = float(np.abs(coef).max()) or 1.0
    image = ax.imshow(coef.reshape(shape), cmap="RdBu_r", vmin=-bound, vmax=bound)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    zero = int(np.sum(coef == 0))
    ax.set_title(title or f"{coef.size - zero} of {coef.size} pixels used")
    if label:
        ax.set_xlabel(label)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    grid = coef.reshape(shape)
    _outline_used_pixels(ax, grid)
    top, bottom = np.unravel_index(np.argmax(grid), shape), np.unravel_index(np.argmin(grid), shape)
    article = "an" if str(shape[0])[0] == "8" or shape[0] in (11, 18) else "a"
    text = (
        f"{label + ': t' if label else 'T'}he {coef.size} weights of a classifier drawn as "
        f"{article} {shape[0]} × {shape[1]} "
        f"image, red pushing towards class 1, blue towards class 0, pale grey exactly 0. {coef.size - zero} of "
        f"{coef.size} pixels are used (non-zero), each outlined in black."
    )
    extremes = []
    if grid[top] > 0:
        extremes.append(f"{num(grid[top])} at row {top[0] + 1}, column {top[1] + 1} (towards class 1)")
    if grid[bottom] < 0:
        extremes.append(f"{num(grid[bottom])} at row {bottom[0] + 1}, column {bottom[1] + 1} (towards class 0)")
    if extremes:
        text += f" The strongest weights are {words(extremes)}."
    describe(ax, text)
    return fig


USED_PIXEL_EDGE = "#111111"


def _outline_used_pixels(ax, grid: np.ndarray) -> None:
    """A black square around every non-zero pixel of the image drawn by imshow on ``ax``."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    rows, columns = np.nonzero(grid)
    squares = [Rectangle((c - 0.5, r - 0.5), 1.0, 1.0) for r, c in zip(rows, columns)]
    outlines = PatchCollection(squares, facecolor="none", edgecolor=USED_PIXEL_EDGE, linewidth=1.3)
    outlines.set_gid("used-pixel-outlines")
    ax.add_collection(outlines)


@styled
def reliability_diagram(y, probabilities: dict, *, n_bins: int = 10, ax=None):
    """Predicted probability of class 1 against the observed frequency of class 1, per bin, for
    each model in ``probabilities`` ({label: p}); a calibrated model lies on the diagonal."""
    y = np.asarray(y, dtype=float)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer ≥ 2, got {n_bins!r}")
    fig, ax = new_axes(ax, figsize=(4.6, 4.4))
    ax.plot([0, 1], [0, 1], color=GREY, ls=":", lw=1.4, label="calibrated")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    gaps = []
    for i, (label, p) in enumerate(probabilities.items()):
        p = np.asarray(p, dtype=float)
        if p.shape != y.shape:
            raise ValueError(f"the probabilities of {label!r} have shape {p.shape}, y has {y.shape}")
        which = np.clip(np.digitize(p, edges) - 1, 0, n_bins - 1)
        used = [b for b in range(n_bins) if np.any(which == b)]
        predicted = np.array([p[which == b].mean() for b in used])
        observed = np.array([y[which == b].mean() for b in used])
        counts = np.array([np.sum(which == b) for b in used])
        ax.plot(
            predicted,
            observed,
            marker=MARKERS[i % len(MARKERS)],
            ms=4.5,
            color=SERIES[i % len(SERIES)],
            ls=LINESTYLES[i % len(LINESTYLES)],
            label=label,
        )
        gap = np.abs(observed - predicted)
        gaps.append(
            f"{label}: {num(float(np.sum(counts * gap) / counts.sum()), 2)} on average, at most {num(gap.max(), 2)}"
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("predicted probability of class 1")
    ax.set_ylabel("observed frequency of class 1")
    ax.set_title("Reliability of the probabilities")
    ax.legend(fontsize=8)
    describe(
        ax,
        f"Predicted probability of class 1 against the observed frequency of class 1, in {n_bins} bins of "
        f"the predictions, for {plural(len(probabilities), 'model')} on {len(y)} points; a calibrated model lies "
        f"on the dotted diagonal. Distance from the diagonal, weighted by the points in each bin: "
        + "; ".join(gaps)
        + ".",
    )
    return fig

"""Figures of regularized classification: decision boundaries moving with λ, a coefficient
image (which pixels an L1 penalty keeps), and a reliability diagram of predicted probabilities."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import BLUE, GREEN, ORANGE, PALETTE, VERMILLION, new_axes, styled


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
    """Two-feature data coloured by class, and the line w·x + b = 0 of each model (where the
    predicted probability is ½)."""
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
    ax.scatter(*X[y == 1].T, s=26, color=ORANGE, marker="^", label="class 1", zorder=3)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    grid = np.linspace(low[0], high[0], 200)
    for model, label, colour in zip(models, labels, PALETTE[2:] + PALETTE[:2]):
        (w1, w2), b = _coef_intercept(model)
        if abs(w2) > 1e-12:
            ax.plot(grid, -(b + w1 * grid) / w2, color=colour, lw=1.8, label=label)
        elif abs(w1) > 1e-12:
            ax.axvline(-b / w1, color=colour, lw=1.8, label=label)
        else:  # all weights zero: the model predicts one class everywhere, no boundary
            ax.plot([], [], color=colour, lw=1.8, label=f"{label} (no boundary: w = 0)")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundaries (p = ½)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig


@styled
def coefficient_image(coef, shape=(8, 8), *, title: str | None = None, ax=None):
    """The weights of an image classifier drawn as an image: red pushes towards class 1, blue
    towards class 0, white is exactly zero (a pixel the model ignores)."""
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
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return fig


@styled
def reliability_diagram(y, probabilities: dict, *, n_bins: int = 10, ax=None):
    """Predicted probability of class 1 against the observed frequency of class 1, per bin, for
    each model in ``probabilities`` ({label: p}); a calibrated model lies on the diagonal."""
    y = np.asarray(y, dtype=float)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer ≥ 2, got {n_bins!r}")
    fig, ax = new_axes(ax, figsize=(4.6, 4.4))
    ax.plot([0, 1], [0, 1], color="0.5", ls=":", lw=1.2, label="calibrated")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    for (label, p), colour in zip(probabilities.items(), [VERMILLION, GREEN, BLUE, ORANGE]):
        p = np.asarray(p, dtype=float)
        if p.shape != y.shape:
            raise ValueError(f"the probabilities of {label!r} have shape {p.shape}, y has {y.shape}")
        which = np.clip(np.digitize(p, edges) - 1, 0, n_bins - 1)
        used = [b for b in range(n_bins) if np.any(which == b)]
        ax.plot([p[which == b].mean() for b in used], [y[which == b].mean() for b in used],
                marker="o", ms=4, color=colour, label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("predicted probability of class 1")
    ax.set_ylabel("observed frequency of class 1")
    ax.set_title("Reliability of the probabilities")
    ax.legend(fontsize=8)
    return fig

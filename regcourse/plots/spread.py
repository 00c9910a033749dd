"""Stability in a picture: the weights of models refitted on resampled data, feature by feature."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural, words
from regcourse.plots._style import KIND_COLOURS, KIND_MARKERS, KIND_NAMES, MARKERS, SERIES, new_axes, styled


def _refits(refits: dict) -> dict:
    if not isinstance(refits, dict) or not refits:
        raise TypeError("refits must be a non-empty dict {label: array of shape (refits, features)}")
    arrays = {}
    for label, values in refits.items():
        array = np.asarray(values, dtype=float)
        if array.ndim != 2 or array.shape[0] < 1:
            raise ValueError(f"refits[{label!r}] must be 2-D (refits × features), got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"refits[{label!r}] contains NaN or an infinite value")
        arrays[label] = array
    widths = {a.shape[1] for a in arrays.values()}
    if len(widths) != 1:
        raise ValueError(f"refits must all have the same number of features, got {sorted(widths)}")
    return arrays


@styled
def coefficient_spread(refits: dict, feature_names=None, *, truth=None, seed: int = 0, ax=None):
    """One dot per refit for every weight: how far each weight moves when the data change a little.

    ``refits`` maps a label — a penalty kind ("l1", "l2", "elastic_net", named and coloured as
    everywhere in the course) or any text — to an array (B, p): the weights of B models, each
    fitted on a resample of the data. For each feature the labels' dots stand side by side,
    spread sideways a little (seeded) so that equal values stay visible; ``truth`` marks the
    true weights. The legend counts, per label, the different sets of non-zero weights among
    the B refits: 1 means the same features were selected every time.
    """
    arrays = _refits(refits)
    p = next(iter(arrays.values())).shape[1]
    names = list(feature_names) if feature_names is not None else [f"x{j + 1}" for j in range(p)]
    if len(names) != p:
        raise ValueError(f"feature_names must name the {p} features, got {len(names)} names")
    fig, ax = new_axes(ax, figsize=(max(5.5, 0.75 * p + 2.0), 3.9))
    rng = np.random.default_rng(seed)
    width = 0.8 / len(arrays)
    summaries = []
    for m, (label, array) in enumerate(arrays.items()):
        colour = KIND_COLOURS.get(label, SERIES[m % len(SERIES)])
        marker = KIND_MARKERS.get(label, MARKERS[m % len(MARKERS)])
        offset = (m - (len(arrays) - 1) / 2) * width
        x = np.arange(p)[None, :] + offset + rng.uniform(-0.3, 0.3, array.shape) * width
        sets = len({tuple(row) for row in array != 0})
        ax.scatter(
            x.ravel(),
            array.ravel(),
            s=14,
            alpha=0.5,
            color=colour,
            marker=marker,
            linewidths=0,
            label=f"{KIND_NAMES.get(label, label)}: {sets} different set{'s' if sets > 1 else ''} "
            f"of non-zero weights in {array.shape[0]} refits",
        )
        spread = array.std(axis=0)
        widest = int(np.argmax(spread))
        selected = (
            f"the same non-zero weights in all {array.shape[0]} refits"
            if sets == 1
            else f"{sets} different sets of non-zero weights in {array.shape[0]} refits"
        )
        summaries.append(
            f"{KIND_NAMES.get(label, label)} ({_SHAPES.get(marker, marker)}): {selected}, a standard "
            f"deviation across refits of {num(spread.mean(), 2)} on average and {num(spread[widest], 2)} "
            f"for {names[widest]}, the weight that moves most"
        )
    if truth is not None:
        truth = np.asarray(truth, dtype=float).reshape(-1)
        if truth.size != p:
            raise ValueError(f"truth must have one value per feature ({p}), got {truth.size}")
        ax.hlines(truth, np.arange(p) - 0.45, np.arange(p) + 0.45, color="black", lw=1.6, label="true weight")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xticks(np.arange(p), names)
    ax.set_xlim(-0.6, p - 0.4)
    ax.set_xlabel("feature")
    ax.set_ylabel("weight (one dot per refit)")
    ax.set_title("How much each weight moves when the data are resampled")
    ax.legend(fontsize=8, loc="best")
    describe(
        ax,
        f"The weights of models refitted on resamples of the data, one dot per refit, for each of "
        f"{plural(p, 'feature')} ({words(names)}), the {len(arrays)} kinds of model side by side"
        + (", with the true weights as short black bars" if truth is not None else "")
        + ". "
        + "; ".join(summaries)
        + ".",
    )
    return fig


_SHAPES = {"o": "circles", "s": "squares", "^": "triangles", "D": "diamonds", "v": "down triangles", "P": "plus signs"}

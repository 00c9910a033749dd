"""k-fold cross-validation in one picture: which samples train and which validate, round by round."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe
from regcourse.plots._style import BLUE, ORANGE, new_axes, styled

HATCH = "///"  # validation cells are hatched as well as orange


@styled
def kfold_diagram(n_samples: int = 20, k: int = 5, *, seed: int | None = 0, ax=None):
    """One row per round of k-fold cross-validation, one column per sample: orange, hatched cells
    are the round's validation fold, blue cells its training part.

    With ``seed`` the samples are shuffled before they are cut into folds (as
    ``regcourse.selection.cross_validate`` does); ``seed=None`` keeps them in order. Every sample
    validates exactly once. The drawn matrix is ``fig.regcourse_folds`` (True = validation).
    """
    for value, name, low in ((n_samples, "n_samples", 2), (k, "k", 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if k > n_samples:
        raise ValueError(f"k must be <= n_samples = {n_samples}, got {k}")
    order = np.arange(n_samples) if seed is None else np.random.default_rng(seed).permutation(n_samples)
    is_val = np.zeros((k, n_samples), dtype=bool)
    for round_, fold in enumerate(np.array_split(order, k)):
        is_val[round_, fold] = True

    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Rectangle

    fig, ax = new_axes(ax, figsize=(max(4.0, 0.28 * n_samples + 1.5), 0.42 * k + 1.2))
    ax.imshow(is_val, cmap=ListedColormap([BLUE, ORANGE]), aspect="auto", vmin=0, vmax=1)
    for round_, sample in zip(*np.nonzero(is_val)):
        ax.add_patch(Rectangle((sample - 0.5, round_ - 0.5), 1, 1, fill=False, hatch=HATCH, edgecolor="white", lw=0))
    ax.set_xticks(np.arange(-0.5, n_samples), minor=True)
    ax.set_yticks(np.arange(-0.5, k), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.set_yticks(range(k), [f"round {r + 1}" for r in range(k)])
    ax.set_xticks([])
    ax.set_xlabel(f"the {n_samples} samples" + (" (shuffled into folds)" if seed is not None else ""))
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(f"{k}-fold cross-validation: each sample validates once", fontsize=11)
    ax.legend(
        handles=[
            Patch(facecolor=BLUE, edgecolor=BLUE, label="train"),
            Patch(facecolor=ORANGE, edgecolor="white", hatch=HATCH, label="validate"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
    )
    fig.regcourse_folds = is_val
    sizes = sorted({int(n) for n in is_val.sum(axis=1)})
    fold = "-".join(map(str, sizes)) if len(sizes) > 1 else str(sizes[0])
    describe(
        ax,
        f"{k}-fold cross-validation of {n_samples} samples"
        + (", shuffled into folds" if seed is not None else ", kept in order")
        + f", drawn as a grid of {k} rows (rounds) by {n_samples} columns (samples). In each round the "
        f"{fold} samples of one fold validate (orange, hatched) and the other {n_samples - sizes[-1]}"
        f"{'' if len(sizes) == 1 else ' or so'} train (blue); every sample validates exactly once.",
    )
    return fig

"""Histograms of a network's weights: how L2 shrinks them and L1 piles them up at exactly 0."""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural
from regcourse.plots._style import LINESTYLES, SERIES, new_axes, styled

HATCHES = (None, "////", "\\\\", "..", "xx")  # a second cue for overlaid or side-by-side areas


def weights_of(model_or_array) -> np.ndarray:
    """Every penalized weight as one flat NumPy array.

    A torch module contributes the parameters ``regcourse.nn.penalty`` covers (every weight by
    its role: not biases or normalization scales; see ``regcourse.nn.parameter_roles``); a
    tensor or anything else is taken as an array. torch is loaded only for a torch module,
    which means it is loaded already.
    """
    if hasattr(model_or_array, "named_parameters"):
        from regcourse.nn import regularized_parameters

        parts = [p.detach().cpu().numpy().ravel() for _, p in regularized_parameters(model_or_array)]
        return np.concatenate(parts) if parts else np.zeros(0)
    if hasattr(model_or_array, "detach"):
        return model_or_array.detach().cpu().numpy().ravel()
    return np.asarray(model_or_array, dtype=float).ravel()


@styled
def weight_histogram(weights: dict, *, bins: int = 60, tol: float = 0.0, ax=None):
    """Overlaid histograms of weights, one per label, e.g. {"no penalty": net0, "L2": net2, "L1": net1}.

    The legend gives each model's share of weights that are exactly 0 (or within ``tol``).
    """
    from regcourse._arrays import check_count, check_nonnegative

    if not isinstance(weights, dict) or not weights:
        raise ValueError(f"weights must be a non-empty dict {{label: model or array}}, got {weights!r:.80}")
    bins = check_count(bins, "bins")
    tol = check_nonnegative(tol, "tol")
    arrays = {}
    for label, value in weights.items():
        try:
            arrays[label] = weights_of(value)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"weights[{label!r}] must be a torch model, a tensor or an array of numbers ({err})"
            ) from None
        if not np.all(np.isfinite(arrays[label])):
            raise ValueError(f"weights[{label!r}] contains NaN or infinite values")
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    largest = max((float(np.abs(a).max()) for a in arrays.values() if a.size), default=1.0) or 1.0
    edges = np.linspace(-largest, largest, bins + 1)
    summaries = []
    for i, (label, values) in enumerate(arrays.items()):
        colour = SERIES[i % len(SERIES)]
        zeros = float(np.mean(np.abs(values) <= tol)) if values.size else 0.0
        ax.hist(
            values,
            bins=edges,
            histtype="stepfilled",
            alpha=0.35,
            facecolor=colour,
            edgecolor=colour,
            lw=1.4,
            ls=LINESTYLES[i % len(LINESTYLES)],
            hatch=HATCHES[i % len(HATCHES)],
            label=f"{label}: {100 * zeros:.0f}% exactly 0"
            if tol == 0
            else f"{label}: {100 * zeros:.0f}% within {tol:g} of 0",
        )
        summaries.append(
            f"{label}: {plural(values.size, 'weight')}, {100 * zeros:.0f}% "
            + ("exactly 0" if tol == 0 else f"within {num(tol)} of 0")
            + (
                f", largest in size {num(np.abs(values).max())}, typical size (root mean square) "
                f"{num(np.sqrt(np.mean(values**2)))}"
                if values.size
                else ""
            )
        )
    ax.set_yscale("log")
    ax.set_xlabel("weight value")
    ax.set_ylabel("number of weights (log scale)")
    ax.set_title("Weights after training")
    ax.legend(fontsize=8)
    describe(
        ax,
        f"Overlaid histograms of the weights of {plural(len(arrays), 'model')}, weight value from "
        f"{num(-largest)} to {num(largest)} against the number of weights on a log scale, each model with its "
        f"own colour, outline and hatching. " + "; ".join(summaries) + ".",
    )
    return fig


@styled
def weight_bars(weights: dict, *, linear_below: float = 1e-3, ax=None, title: str = "Each weight after training"):
    """Side-by-side bars of the same weights under several trainings, e.g.
    {"subgradient": net_a, "proximal": net_b}; weights that are exactly 0 get a ring at 0, so a
    zero is told apart from a weight that is merely small. The value axis is symmetric-log,
    linear within ±``linear_below``, so weights of 0.004 show as bars next to weights of 2.
    """
    if not isinstance(weights, dict) or not weights:
        raise ValueError("weights must be a non-empty dict {label: model or array}")
    arrays = {label: weights_of(value) for label, value in weights.items()}
    sizes = {a.size for a in arrays.values()}
    if len(sizes) != 1:
        raise ValueError(f"every entry of weights must have the same number of weights, got sizes {sorted(sizes)}")
    fig, ax = new_axes(ax, figsize=(7.0, 3.4))
    count, width = sizes.pop(), 0.8 / len(arrays)
    index = np.arange(1, count + 1)
    summaries = []
    for k, (label, values) in enumerate(arrays.items()):
        colour = SERIES[k % len(SERIES)]
        x = index + (k - (len(arrays) - 1) / 2) * width
        zero = values == 0
        ax.bar(
            x,
            values,
            width=width,
            color=colour,
            hatch=HATCHES[k % len(HATCHES)],
            edgecolor="white",
            lw=0,
            label=f"{label}: {int(zero.sum())} exactly 0",
        )
        ax.scatter(x[zero], np.zeros(int(zero.sum())), s=18, facecolor="white", edgecolor=colour, zorder=3)
        nonzero = np.abs(values[~zero])
        summaries.append(
            f"{label}: {int(zero.sum())} exactly 0"
            + (f", the other sizes from {num(nonzero.min())} to {num(nonzero.max())}" if nonzero.size else "")
        )
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_yscale("symlog", linthresh=linear_below)
    ax.set_xticks(index)
    ax.set_xlabel("weight number")
    ax.set_ylabel(f"weight value (log scale beyond ±{linear_below:g})")
    ax.set_title(title)
    ax.legend(fontsize=8)
    describe(
        ax,
        f"Bars for each of {count} weights, side by side for {plural(len(arrays), 'training')} in the "
        f"legend's order, each with its own colour and hatching, on a symmetric-log axis (linear within "
        f"±{num(linear_below)}); a weight that is exactly 0 gets a ring at 0. " + "; ".join(summaries) + ".",
    )
    return fig

"""Histograms of a network's weights: how L2 shrinks them and L1 piles them up at exactly 0."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import PALETTE, new_axes, styled


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
            raise TypeError(f"weights[{label!r}] must be a torch model, a tensor or an array of numbers ({err})") from None
        if not np.all(np.isfinite(arrays[label])):
            raise ValueError(f"weights[{label!r}] contains NaN or infinite values")
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    largest = max((float(np.abs(a).max()) for a in arrays.values() if a.size), default=1.0) or 1.0
    edges = np.linspace(-largest, largest, bins + 1)
    for i, (label, values) in enumerate(arrays.items()):
        colour = PALETTE[i % len(PALETTE)]
        zeros = float(np.mean(np.abs(values) <= tol)) if values.size else 0.0
        ax.hist(values, bins=edges, histtype="stepfilled", alpha=0.35, color=colour, edgecolor=colour,
                label=f"{label}: {100 * zeros:.0f}% exactly 0" if tol == 0 else f"{label}: {100 * zeros:.0f}% within {tol:g} of 0")
    ax.set_yscale("log")
    ax.set_xlabel("weight value")
    ax.set_ylabel("number of weights (log scale)")
    ax.set_title("Weights after training")
    ax.legend(fontsize=8)
    return fig

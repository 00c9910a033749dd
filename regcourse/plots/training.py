"""Training a network in pictures: loss curves per epoch, and what 1-input networks predict.

torch is imported only by ``network_fits``, which is given torch models (so torch is loaded anyway).
"""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import PALETTE, new_axes, styled


def _check_labelled(mapping, name: str, what: str) -> dict:
    if not isinstance(mapping, dict) or not mapping:
        got = "an empty dict" if isinstance(mapping, dict) else type(mapping).__name__
        raise ValueError(f"{name} must be a non-empty dict {{label: {what}}}, got {got}")
    return mapping


def _losses(history, label) -> tuple[np.ndarray, np.ndarray]:
    train = getattr(history, "train_loss", None)
    if train is None or len(train) == 0:
        raise ValueError(f"histories[{label!r}] must be a History from regcourse.nn.train with at least one epoch")
    return np.asarray(train, dtype=float), np.asarray(getattr(history, "val_loss", []), dtype=float)


@styled
def training_curves(histories: dict, *, log_y: bool = True, ax=None, title: str | None = None):
    """Training loss (dashed) and validation loss (solid) per epoch, one colour per run.

    ``histories`` maps labels to the History objects of ``regcourse.nn.train``, e.g.
    ``{"no penalty": h0, "L2": h2}``. The training loss is the data loss (the MSE) without the
    penalty, so runs with and without a penalty are compared on the same scale. The epoch of
    each run's lowest validation loss is marked with a dot.
    """
    _check_labelled(histories, "histories", "History")
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    for (label, history), colour in zip(histories.items(), PALETTE):
        train, val = _losses(history, label)
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, color=colour, ls="--", lw=1.3, label=f"{label}: training")
        if val.size:
            ax.plot(epochs[:val.size], val, color=colour, lw=1.8, label=f"{label}: validation")
            best = int(np.argmin(val))
            ax.plot([epochs[best]], [val[best]], "o", color=colour, ms=6, mec="white", zorder=4)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean squared error" + (" (log scale)" if log_y else ""))
    ax.set_title(title or "Loss during training (dots: lowest validation loss)")
    ax.legend(fontsize=8)
    return fig


@styled
def network_fits(models: dict, X, y, *, truth=None, ax=None, title: str | None = None):
    """What networks with one input predict over the range of the training inputs.

    ``models`` maps labels to torch modules taking an (n, 1) tensor; ``X`` (n, 1) and ``y`` are
    the training points (tensors or arrays), ``truth`` an optional function of a NumPy array
    (the noise-free curve). The y-axis is limited to the data's range plus a margin, so one
    wild fit cannot squash the others.
    """
    import torch

    _check_labelled(models, "models", "torch model")
    x = np.asarray(X.detach().cpu() if hasattr(X, "detach") else X, dtype=float).reshape(-1)
    t = np.asarray(y.detach().cpu() if hasattr(y, "detach") else y, dtype=float).reshape(-1)
    if x.size != t.size or x.size == 0:
        raise ValueError(f"X and y must hold the same non-zero number of points, got {x.size} and {t.size}")
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    grid = np.linspace(x.min(), x.max(), 400)
    if truth is not None:
        ax.plot(grid, truth(grid), color="0.5", ls=":", lw=1.5, label="true function")
    for (label, model), colour in zip(models.items(), PALETTE):
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"models[{label!r}] must be a torch.nn.Module, got {type(model).__name__}")
        first = next(model.parameters())
        inputs = torch.as_tensor(grid.reshape(-1, 1), dtype=first.dtype, device=first.device)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            predicted = model(inputs).detach().cpu().numpy().reshape(-1)
        model.train(was_training)
        ax.plot(grid, predicted, color=colour, lw=1.8, label=label)
    ax.scatter(x, t, s=24, color="0.15", zorder=3, label="training data")
    low, high = float(t.min()), float(t.max())
    margin = 0.5 * (high - low)
    ax.set_ylim(low - margin, high + margin)
    ax.set_xlabel("x")
    ax.set_ylabel("prediction")
    ax.set_title(title or "What each network learned")
    ax.legend(fontsize=8)
    return fig

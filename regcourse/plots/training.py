"""Training a network in pictures: loss curves per epoch, and what 1-input networks predict.

torch is imported only by ``network_fits``, which is given torch models (so torch is loaded anyway).
"""

from __future__ import annotations

import numpy as np

from regcourse.plots._alt import describe, num, plural
from regcourse.plots._style import GREY, SERIES, new_axes, series_style, styled

RUN_MARKERS = ("s", "^", "D", "v", "P", "X")  # one per run; "o" is the lowest validation loss


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
    """Training loss (dashed) and validation loss (solid) per epoch, one marker per run.

    ``histories`` maps labels to the History objects of ``regcourse.nn.train``, e.g.
    ``{"no penalty": h0, "L2": h2}``. The training loss is the data loss (the MSE) without the
    penalty, so runs with and without a penalty are compared on the same scale. The epoch of
    each run's lowest validation loss is marked with a dot. When the curves fit the course's
    series colours (five), every curve has its own colour, so a run's training and validation
    curves differ in colour and line style; with more curves each run keeps one colour.
    """
    _check_labelled(histories, "histories", "History")
    losses = {label: _losses(history, label) for label, history in histories.items()}
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    n_curves = sum(1 + bool(val.size) for _, val in losses.values())
    own_colours = n_curves <= len(SERIES)
    curve = 0
    lines = []
    for run, (label, (train, val)) in enumerate(losses.items()):
        marker = RUN_MARKERS[run % len(RUN_MARKERS)]
        epochs = np.arange(1, len(train) + 1)
        every = max(1, len(train) // 8) if len(train) > 12 else 1
        common = {"marker": marker, "ms": 4.5, "markevery": (run * every // max(len(losses), 1) % every, every)}
        colour = SERIES[(curve if own_colours else run) % len(SERIES)]
        ax.plot(epochs, train, color=colour, ls="--", lw=1.3, label=f"{label}: training", **common)
        curve += 1
        summary = f"{label}: training loss ends at {num(train[-1])}"
        if val.size:
            colour = SERIES[(curve if own_colours else run) % len(SERIES)]
            ax.plot(epochs[: val.size], val, color=colour, lw=1.8, label=f"{label}: validation", **common)
            curve += 1
            best = int(np.argmin(val))
            ax.plot([epochs[best]], [val[best]], "o", color=colour, ms=7, mec="white", zorder=4)
            summary += (
                f", validation loss is lowest, {num(val[best])}, at epoch {epochs[best]} and ends at {num(val[-1])}"
            )
        lines.append(summary)
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean squared error" + (" (log scale)" if log_y else ""))
    ax.set_title(title or "Loss during training (dots: lowest validation loss)")
    ax.legend(fontsize=8)
    epochs_run = max(len(train) for train, _ in losses.values())
    text = (
        f"Training loss (dashed) and validation loss (solid), mean squared error per epoch"
        f"{' on a log scale' if log_y else ''}, for {plural(len(losses), 'run')} of up to {epochs_run} epochs, "
        f"each run with its own marker. " + "; ".join(lines) + "."
    )
    finals = {label: val[-1] for label, (_, val) in losses.items() if val.size}
    if len(finals) > 1:
        text += f" The lowest final validation loss is {min(finals, key=finals.get)}'s."
    describe(ax, text)
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
        ax.plot(grid, truth(grid), color=GREY, ls=":", lw=1.8, label="true function")
    errors = {}
    for i, (label, model) in enumerate(models.items()):
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"models[{label!r}] must be a torch.nn.Module, got {type(model).__name__}")
        first = next(model.parameters())
        inputs = torch.as_tensor(grid.reshape(-1, 1), dtype=first.dtype, device=first.device)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            predicted = model(inputs).detach().cpu().numpy().reshape(-1)
            at_points = model(torch.as_tensor(x.reshape(-1, 1), dtype=first.dtype, device=first.device))
        model.train(was_training)
        ax.plot(grid, predicted, lw=1.8, label=label, **series_style(i))
        train_mse = float(np.mean((at_points.detach().cpu().numpy().reshape(-1) - t) ** 2))
        off_truth = float(np.sqrt(np.mean((predicted - truth(grid)) ** 2))) if truth is not None else None
        errors[label] = (train_mse, off_truth)
    ax.scatter(x, t, s=24, color="black", zorder=3, label="training data")
    low, high = float(t.min()), float(t.max())
    margin = 0.5 * (high - low)
    ax.set_ylim(low - margin, high + margin)
    ax.set_xlabel("x")
    ax.set_ylabel("prediction")
    ax.set_title(title or "What each network learned")
    ax.legend(fontsize=8)
    text = (
        f"What {plural(len(models), 'network')} with one input predict over x from {num(x.min())} to {num(x.max())}, "
        f"with the {len(x)} training points"
        + (" and the true function (dotted)" if truth is not None else "")
        + ". "
        + "; ".join(
            f"{label}: mean squared error {num(train_mse)} on the training points"
            + (f", {num(off)} root-mean-square from the true function" if off is not None else "")
            for label, (train_mse, off) in errors.items()
        )
        + "."
    )
    if truth is not None and len(errors) > 1:
        text += f" Closest to the true function: {min(errors, key=lambda k: errors[k][1])}."
    describe(ax, text)
    return fig

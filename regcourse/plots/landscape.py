"""The penalties in one dimension: their values, their (sub)gradients, and what one proximal step does."""

from __future__ import annotations

import numpy as np

from regcourse.plots._style import BLUE, GREEN, VERMILLION, new_axes, styled
from regcourse.penalties import L1, L2, ElasticNet

PANELS = ("penalty", "gradient", "prox")


def _draw(ax, panel: str, lam: float, step: float) -> None:
    w = np.linspace(-2.0, 2.0, 401)
    pens = {"L1: λ|w|": (L1(lam), VERMILLION), "L2: λw²": (L2(lam), BLUE),
            "elastic net: ½λ|w| + ½λw²": (ElasticNet(l1=lam / 2, l2=lam / 2), GREEN)}
    for label, (pen, colour) in pens.items():
        if panel == "penalty":
            ax.plot(w, [pen(np.array([v])) for v in w], color=colour, label=label)
        elif panel == "gradient":
            ax.plot(w, pen.grad(w), color=colour, label=label)
        else:
            ax.plot(w, pen.prox(w, step), color=colour, label=label)
    if panel == "gradient":
        ax.plot([0.0], [0.0], "o", color=VERMILLION, ms=5)
        ax.annotate("L1 jumps from −λ to λ;\nat 0 the course uses 0", (0.0, 0.0), xytext=(0.15, -1.6 * lam),
                    fontsize=8, arrowprops=dict(arrowstyle="->", color="0.4"))
    if panel == "prox":
        ax.plot(w, w, color="0.6", ls=":", label="no penalty")
        ax.axvspan(-step * lam, step * lam, color=VERMILLION, alpha=0.1, label="set exactly to 0 by L1")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("w")
    ax.set_ylabel({"penalty": "penalty", "gradient": "(sub)gradient", "prox": f"w after one proximal step (step {step:g})"}[panel])
    ax.set_title({"penalty": "Penalty", "gradient": "Its (sub)gradient", "prox": "Soft-thresholding vs shrinkage"}[panel])
    ax.legend(fontsize=7)


@styled
def penalty_landscape(lam: float = 1.0, *, step: float = 0.5, panel: str | None = None, ax=None):
    """L1, L2 and elastic net of strength λ in 1-D: values, (sub)gradients and one proximal step.

    With ``panel`` ("penalty", "gradient" or "prox") one panel is drawn (on ``ax`` if given);
    otherwise all three side by side.
    """
    if panel is not None:
        if panel not in PANELS:
            raise ValueError(f"panel must be one of {', '.join(PANELS)}, got {panel!r}")
        fig, ax = new_axes(ax)
        _draw(ax, panel, lam, step)
        return fig
    fig, axes = new_axes(None, figsize=(13.0, 3.8), ncols=3)
    for ax_, name in zip(axes, PANELS):
        _draw(ax_, name, lam, step)
    return fig

"""The penalties in one dimension: their values, their (sub)gradients, and what one proximal step does."""

from __future__ import annotations

import numpy as np

from regcourse.penalties import L1, L2, ElasticNet
from regcourse.plots._alt import describe, num
from regcourse.plots._style import GREY, KIND_COLOURS, KIND_STYLES, VERMILLION, new_axes, styled

PANELS = ("penalty", "gradient", "prox")


def _draw(ax, panel: str, lam: float, step: float) -> None:
    w = np.linspace(-2.0, 2.0, 401)
    pens = {
        "L1: λ|w|": (L1(lam), "l1"),
        "L2: λw²": (L2(lam), "l2"),
        "elastic net: ½λ|w| + ½λw²": (ElasticNet(l1=lam / 2, l2=lam / 2), "elastic_net"),
    }
    for label, (pen, kind) in pens.items():
        style = {"color": KIND_COLOURS[kind], "ls": KIND_STYLES[kind], "lw": 1.8, "label": label}
        if panel == "penalty":
            ax.plot(w, [pen(np.array([v])) for v in w], **style)
        elif panel == "gradient":
            ax.plot(w, pen.grad(w), **style)
        else:
            ax.plot(w, pen.prox(w, step), **style)
    if panel == "gradient":
        ax.plot([0.0], [0.0], "o", color=VERMILLION, ms=5)
        ax.annotate(
            "L1 jumps from −λ to λ;\nat 0 the course uses 0",
            (0.0, 0.0),
            xytext=(0.15, -1.6 * lam),
            fontsize=8,
            arrowprops=dict(arrowstyle="->", color="0.4"),
        )
    if panel == "prox":
        ax.plot(w, w, color=GREY, ls=":", lw=1.4, label="no penalty")
        ax.axvspan(-step * lam, step * lam, color=VERMILLION, alpha=0.1, hatch="///", label="set exactly to 0 by L1")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("w")
    ax.set_ylabel(
        {"penalty": "penalty", "gradient": "(sub)gradient", "prox": f"w after one proximal step (step {step:g})"}[panel]
    )
    ax.set_title(
        {"penalty": "Penalty", "gradient": "Its (sub)gradient", "prox": "Soft-thresholding vs shrinkage"}[panel]
    )
    ax.legend(fontsize=7)
    describe(ax, _alt(panel, lam, step, {kind: pen for pen, kind in pens.values()}))


def _alt(panel: str, lam: float, step: float, pens: dict) -> str:
    """The panel's alt text, its numbers computed from the penalties themselves."""
    names = "L1 (solid), L2 (dashed) and the elastic net (dash-dotted, half of each)"
    if panel == "penalty":
        at = {kind: float(pen(np.array([2.0]))) for kind, pen in pens.items()}
        return (
            f"The penalties {names} at strength λ = {num(lam)}, for one weight w from −2 to 2. L1 is a V with "
            f"a corner at 0, L2 a parabola, flat at 0; at w = ±2 they are {num(at['l1'])}, {num(at['l2'])} and "
            f"{num(at['elastic_net'])}. Near 0 L1 is the largest and L2 the smallest."
        )
    if panel == "gradient":
        jump = {kind: float(pen.grad(np.array([1e-9]))[0]) for kind, pen in pens.items()}
        slope = float(pens["l2"].grad(np.array([1.0]))[0])
        return (
            f"The (sub)gradients of {names} at λ = {num(lam)}, for w from −2 to 2. L1's is a step from "
            f"−{num(jump['l1'])} to {num(jump['l1'])} at w = 0, where the course uses 0 (a dot); L2's is a line "
            f"through 0 with slope {num(slope)}, so it vanishes as w does; the elastic net's jumps from "
            f"−{num(jump['elastic_net'])} to {num(jump['elastic_net'])} and then grows with slope {num(slope / 2)}."
        )
    grid = np.linspace(0.0, 2.0, 2001)
    zero = {kind: float(grid[pen.prox(grid, step) == 0].max()) for kind, pen in pens.items()}
    factor = float(pens["l2"].prox(np.array([1.0]), step)[0])
    return (
        f"One proximal step of size {num(step)} at λ = {num(lam)}: the weight after the step against the weight "
        f"before, w from −2 to 2, with the line of no penalty (dotted). L1 sets every |w| ≤ {num(zero['l1'])} "
        f"exactly to 0 (the hatched band) and moves the others {num(zero['l1'])} towards 0 (soft-thresholding); L2 "
        f"only shrinks, multiplying w by {num(factor)}, and never reaches 0; the elastic net zeroes |w| ≤ "
        f"{num(zero['elastic_net'])} and shrinks the rest."
    )


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

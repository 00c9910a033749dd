"""One look for every figure of the course: readable fonts, a colour-blind-safe palette
(Okabe & Ito), light grids, no top or right spines. Applied per figure, never globally, so a
learner's own plots are left alone."""

from __future__ import annotations

import functools
import io

# Okabe–Ito colours, distinguishable with the common forms of colour blindness.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, "#999999"]  # yellow is too faint for lines
KIND_COLOURS = {"l1": VERMILLION, "l2": BLUE, "elastic_net": GREEN}
KIND_NAMES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elastic_net": "elastic net"}

RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": None,  # set below
    "figure.dpi": 100,
}


def rc():
    """The matplotlib settings of the course's figures (use with plt.rc_context)."""
    from cycler import cycler

    return {**RC, "axes.prop_cycle": cycler(color=PALETTE)}


def styled(function):
    """Run a plotting function inside the course's rc settings (fonts are read when text is made)."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        import matplotlib.pyplot as plt

        with plt.rc_context(rc()):
            return function(*args, **kwargs)

    return wrapper


@functools.lru_cache(maxsize=None)
def figure_class():
    """The course's Figure: a matplotlib Figure that shows itself as a PNG in Jupyter.

    Figures made without pyplot get no display hook from the inline backend; ``_repr_png_``
    makes them appear in every frontend (and in nbviewer or GitHub renderings of saved
    notebooks) whatever the backend is.
    """
    from matplotlib.figure import Figure

    class CourseFigure(Figure):
        def _repr_png_(self):
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
            return buffer.getvalue()

    return CourseFigure


def new_axes(ax=None, *, figsize=(5.0, 4.0), nrows=1, ncols=1):
    """Return (figure, axes): the given ax and its figure, or a new figure in the course's style.

    The figure is made with ``matplotlib.figure.Figure``, not pyplot, so it is not shown twice
    in a notebook and is freed when no longer referenced; notebooks display the returned Figure.
    """
    if ax is not None:
        return ax.figure, ax
    fig = figure_class()(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols)
    return fig, axes


def style_axes(ax) -> None:
    """Apply the course look to an existing axes (for axes the caller created)."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(True, alpha=0.3)


def opaque_legend(ax, **kwargs):
    """``ax.legend(**kwargs)`` with an opaque, square frame drawn without antialiasing.

    An explorer caches a legend's pixels and pastes them over the lines that move beneath it;
    that gives what a full draw gives only when every pixel the legend touches is opaque.
    """
    legend = ax.legend(framealpha=1.0, fancybox=False, **kwargs)
    legend.get_frame().set_antialiased(False)
    return legend


@styled
def panels(ncols: int = 2, nrows: int = 1, *, panel_size=(4.6, 4.2)):
    """A figure of ``nrows × ncols`` empty panels in the course's style, for side-by-side comparisons.

    Returns (figure, axes); pass each axes as ``ax=`` to a plotting function, then show the figure.
    """
    for value, name in ((ncols, "ncols"), (nrows, "nrows")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    width, height = panel_size
    return new_axes(figsize=(width * ncols, height * nrows), nrows=nrows, ncols=ncols)

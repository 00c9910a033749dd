"""One look for every figure of the course: readable fonts, colours that stay apart under
colour-vision deficiency, a second cue (line style, marker, hatch or a direct label) wherever
colour tells series apart, light grids, no top or right spines. Applied per figure, never
globally, so a learner's own plots are left alone.

Every figure also carries alt text written from what it shows (``describe``, ``regcourse.plots._alt``),
which ``CourseFigure`` puts where notebook frontends read it.
"""

from __future__ import annotations

import base64
import functools
import html
import io

# Okabe–Ito colours (kept for the explorers and for areas), and Paul Tol's "wine".
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
WINE = "#882255"
GREY = "#8C8C8C"
# The colours of series (lines, markers, bars) in this order: any two differ by CIEDE2000 ≥ 20
# for normal vision and for simulated protanopia, deuteranopia and tritanopia, and each has a
# contrast of at least 3:1 against white (tests/test_figure_colours.py).
SERIES = (BLUE, VERMILLION, WINE, BLACK, GREY)
# Second cues: series i gets SERIES[i % 5] and LINESTYLES[i % 4], so any two series of up to four
# differ in line style too, and up to twenty in colour or line style. Dotted (":") is kept for
# reference lines (a true function, the diagonal, a chosen value).
LINESTYLES = ("-", "--", "-.", (0, (5, 1.5, 1, 1.5, 1, 1.5)))
MARKERS = ("o", "s", "^", "D", "v", "P")
PALETTE = list(SERIES)  # matplotlib's colour cycle inside the course's figures
KIND_COLOURS = {"l1": VERMILLION, "l2": BLUE, "elastic_net": WINE}
KIND_STYLES = {"l1": "-", "l2": "--", "elastic_net": "-."}
KIND_MARKERS = {"l1": "o", "l2": "s", "elastic_net": "^"}
KIND_NAMES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elastic_net": "elastic net"}


def series_style(i: int) -> dict:
    """Colour and line style of the i-th series of a figure (keyword arguments for ``ax.plot``)."""
    return {"color": SERIES[i % len(SERIES)], "ls": LINESTYLES[i % len(LINESTYLES)]}


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


@functools.cache
def figure_class():
    """The course's Figure: a matplotlib Figure that shows itself as one PNG with alt text.

    Figures made without pyplot get no display hook from the inline backend, so the figure
    displays itself. ``alt_text`` is what the drawing functions wrote about the figure
    (``regcourse.plots._alt``), or what was assigned to it. The display bundle has

    * ``image/png`` with ``{"image/png": {"alt": ...}}`` in the output's metadata: read by
      nbconvert's classic HTML template and by ``regcourse execute``, which copies it into the
      cell's metadata for Jupyter Book (myst-nb reads ``mystnb.image.alt`` there);
    * ``text/html``, the same PNG in an ``<img alt=...>``: JupyterLab's image renderer and
      nbconvert's default (lab) template ignore alt metadata and read alt only from HTML, which
      they prefer to a PNG;
    * ``text/plain``.

    Under IPython ``_ipython_display_`` publishes that bundle itself, so the inline backend's
    own PNG formatter (registered for every Figure) never adds a second rendering and the cell
    gets exactly one output.
    """
    from matplotlib.figure import Figure

    class CourseFigure(Figure):
        _alt_text: str | None = None

        @property
        def alt_text(self) -> str:
            """The figure's alt text: what its drawing functions described, or what was set."""
            if self._alt_text is not None:
                return self._alt_text
            from regcourse.plots._alt import figure_alt

            return figure_alt(self)

        @alt_text.setter
        def alt_text(self, text) -> None:
            self._alt_text = None if text is None else str(text)

        def _repr_png_(self):
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
            return buffer.getvalue()

        def _repr_mimebundle_(self, include=None, exclude=None):
            png = base64.b64encode(self._repr_png_()).decode("ascii")
            alt = self.alt_text
            data = {
                "image/png": png,
                "text/html": f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"/>',
                "text/plain": repr(self),
            }
            return data, {"image/png": {"alt": alt}}

        def _ipython_display_(self):
            from IPython.display import display

            data, metadata = self._repr_mimebundle_()
            display(data, raw=True, metadata=metadata)

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

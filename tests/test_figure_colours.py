"""Colour is never the only cue, and the colours that tell series apart stay apart for colour-blind readers.

The colour science (Machado et al. 2009 simulation, CIEDE2000) is checked against published values;
then the palette, then the artists each figure function actually draws: the entries of every
legend and the lines named by direct labels (gid "series:…"). For every two series of one panel:

* their colours are the same (on purpose: one quantity, one run) or differ by at least
  ``MIN_DELTA_E`` for normal vision and each simulated deficiency;
* something other than colour tells them apart: line style, marker, fill, hatch or artist type,
  or, for directly labelled lines, a label at the line's end (and never the same colour *and*
  line style).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from _figures import FIGURES
from regcourse.plots import _colour
from regcourse.plots._style import KIND_COLOURS, SERIES

# Sharma, Wu & Dalal (2005), Table 1: CIELAB pairs and their CIEDE2000 difference.
SHARMA = [
    ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
    ((50, 3.1571, -77.2803), (50, 0, -82.7485), 2.8615),
    ((50, 0, 0), (50, -1, 2), 2.3669),
    ((50, 2.49, -0.001), (50, -2.49, 0.0009), 7.1792),
    ((50, 2.49, -0.001), (50, -2.49, 0.0011), 7.2195),
    ((50, -0.001, 2.49), (50, 0.0009, -2.49), 4.8045),
    ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ((50, 2.5, 0), (61, -5, 29), 22.8977),
    ((50, 2.5, 0), (56, -27, -3), 31.9030),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert _colour.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert _colour.ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_cielab_of_srgb_primaries_and_white():
    """Reference values of the sRGB/D65 conversion (e.g. Lindbloom's calculator)."""
    np.testing.assert_allclose(_colour.lab(_colour.to_rgb("#FFFFFF")), [100, 0, 0], atol=1e-3)
    np.testing.assert_allclose(_colour.lab(_colour.to_rgb("#FF0000")), [53.2408, 80.0925, 67.2032], atol=1e-3)
    np.testing.assert_allclose(_colour.lab(_colour.to_rgb("#0000FF")), [32.2970, 79.1875, -107.8602], atol=1e-3)


def test_the_simulations_merge_the_confusions_each_deficiency_is_known_for():
    """Red and green collapse for protan and deutan viewers, blue and green for tritan viewers,
    while normal vision keeps each pair far apart; greys are unchanged by every simulation."""
    red_green = ("#D55E00", "#2CA02C")
    assert _colour.delta_e(*red_green) > 40
    for kind in ("protanopia", "deuteranopia"):
        assert _colour.delta_e(*red_green, kind) < 0.4 * _colour.delta_e(*red_green)
    blue_green = ("#0072B2", "#009E73")
    assert _colour.delta_e(*blue_green, "tritanopia") < 0.4 * _colour.delta_e(*blue_green)
    for kind in _colour.MACHADO:
        np.testing.assert_allclose(_colour.simulate("#777777", kind), _colour.to_rgb("#777777"), atol=2e-3)
    with pytest.raises(ValueError, match="kind"):
        _colour.simulate("red", "achromatopsia")


def test_a_palette_with_a_known_collision_fails_the_check():
    """The old figures' Okabe–Ito purple and grey, 6 apart for a deuteranope, are caught."""
    difference, kind, pair = _colour.min_difference(["#0072B2", "#CC79A7", "#999999"])
    assert difference < _colour.MIN_DELTA_E and kind == "deuteranopia" and set(pair) == {"#CC79A7", "#999999"}


def contrast_with_white(colour) -> float:
    """WCAG 2 contrast ratio against white."""
    linear = _colour.srgb_to_linear(_colour.to_rgb(colour))
    return 1.05 / (float(linear @ [0.2126, 0.7152, 0.0722]) + 0.05)


def test_the_series_palette_keeps_its_minimum_difference_under_every_simulation():
    difference, kind, pair = _colour.min_difference(SERIES)
    assert difference >= _colour.MIN_DELTA_E, f"{pair} only {difference:.1f} apart under {kind}"
    assert _colour.min_difference(list(KIND_COLOURS.values()))[0] >= _colour.MIN_DELTA_E
    assert all(contrast_with_white(colour) >= 3.0 for colour in SERIES)  # WCAG 1.4.11, graphical objects


# --- the artists of every figure ---------------------------------------------------------------


def _marker_shape(collection):
    paths = collection.get_paths()
    return tuple(np.round(paths[0].vertices, 3).ravel()) if paths else ()


def _line_style(line) -> str:
    style = line.get_linestyle()
    if style in ("None", "none", " ", ""):
        return "none"
    return str(line._unscaled_dash_pattern)  # "--" and (0, (3.7, 1.6)) are the same dashes


def describe_handle(handle) -> tuple[str, tuple]:
    """(colour as #rrggbb, the cues other than colour) of a legend handle or a plotted artist."""
    if isinstance(handle, Line2D):
        marker = str(handle.get_marker())
        filled = to_rgba(handle.get_markerfacecolor())[3] > 0 and to_hex(handle.get_markerfacecolor()) != "#ffffff"
        return to_hex(handle.get_color()), (
            "line",
            _line_style(handle),
            marker if marker not in ("None", "") else "",
            filled,
        )
    if isinstance(handle, Patch):
        face = handle.get_facecolor()
        colour = face if face[3] > 0 else handle.get_edgecolor()
        return to_hex(colour), ("patch", handle.get_hatch() or "", str(handle.get_linestyle()))
    if isinstance(handle, Collection):
        faces = handle.get_facecolor()
        filled = len(faces) > 0 and faces[0][3] > 0 and to_hex(faces[0]) != "#ffffff"  # white: a hollow marker
        colour = faces[0] if filled else handle.get_edgecolor()[0]
        return to_hex(colour), ("collection", _marker_shape(handle), filled, handle.get_hatch() or "")
    raise TypeError(f"unexpected legend handle {type(handle).__name__}")


def series_of(ax) -> list[tuple[str, str, tuple, bool]]:
    """(label, colour, other cues, directly labelled) for each legend entry and each directly labelled line."""
    series = []
    legend = ax.get_legend()
    if legend is not None:
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            series.append((text.get_text(), *describe_handle(handle), False))
    for line in ax.get_lines():
        gid = line.get_gid() or ""
        if gid.startswith("series:"):
            series.append((gid[len("series:") :], *describe_handle(line), True))
    return series


def direct_labels(ax) -> set[str]:
    from regcourse.plots._labels import EndLabels

    return {text.get_text() for artist in ax.artists if isinstance(artist, EndLabels) for text in artist.texts}


def check_series(ax) -> tuple[float, list[str]]:
    """The smallest colour difference between differently coloured series of ``ax``, and the rules broken."""
    problems, smallest = [], float("inf")
    series = series_of(ax)
    labelled = direct_labels(ax)
    for label, _, _, direct in series:
        if direct and label not in labelled:
            problems.append(f"{label!r} has no label at its end")
    for (label1, colour1, cue1, direct1), (label2, colour2, cue2, direct2) in itertools.combinations(series, 2):
        if colour1 != colour2:
            for kind in _colour.VISIONS:
                difference = _colour.delta_e(colour1, colour2, kind)
                smallest = min(smallest, difference)
                if difference < _colour.MIN_DELTA_E:
                    problems.append(f"{label1!r} {colour1} and {label2!r} {colour2}: ΔE00 {difference:.1f} ({kind})")
        if cue1 == cue2 and not (direct1 and direct2 and colour1 != colour2):
            problems.append(
                f"{label1!r} and {label2!r} differ only in colour"
                if colour1 != colour2
                else f"{label1!r} and {label2!r} look the same"
            )
    return smallest, problems


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_tells_its_series_apart_without_relying_on_colour(name):
    fig, _ = FIGURES[name]()
    fig.canvas.draw()  # labels placed, legends final
    checked = 0
    for ax in fig.axes:
        _, problems = check_series(ax)
        assert not problems, f"{name}: " + "; ".join(problems)
        checked += len(series_of(ax))
    if name not in ("coefficient_image", "image_gallery"):  # no series: one image per panel
        assert checked >= 2, f"{name}: no series found to check"


def test_the_check_catches_the_old_coefficient_path_colours():
    """Ten diabetes features on eight colours, all solid: age and s5 look the same."""
    from matplotlib.figure import Figure

    from regcourse.plots._labels import EndLabels

    old_palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999"]
    names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    ax = Figure().subplots()
    colours = [old_palette[j % 8] for j in range(10)]
    for name, colour in zip(names, colours):
        ax.plot([0, 1], [0, 1], color=colour, gid=f"series:{name}")
    EndLabels(ax, [1] * 10, [1] * 10, names, colours)
    _, problems = check_series(ax)
    assert "'age' and 's5' look the same" in problems
    assert any("ΔE00" in problem for problem in problems)  # e.g. green and grey, deuteranopia


def test_the_check_catches_two_legend_entries_that_differ_only_in_colour():
    """As the old chapter 09 boundaries: solid lines in green and purple."""
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.plot([0, 1], [0, 1], color="#009E73", label="L2(0.001)")
    ax.plot([0, 1], [1, 0], color="#CC79A7", label="L2(1)")
    ax.legend()
    _, problems = check_series(ax)
    assert "'L2(0.001)' and 'L2(1)' differ only in colour" in problems
    assert any("(deuteranopia)" in problem for problem in problems)


def minimum_differences() -> dict[str, float]:
    """The smallest colour difference between two differently coloured series of each figure
    (used by the report in CONTRIBUTING; run this module as a script to print it)."""
    result = {}
    for name, draw in FIGURES.items():
        fig, _ = draw()
        fig.canvas.draw()
        result[name] = min(check_series(ax)[0] for ax in fig.axes)
    return result


if __name__ == "__main__":
    for figure, difference in minimum_differences().items():
        print(f"{figure:45s} {difference:6.1f}")

"""Every figure carries alt text that says what it shows, with the data's own numbers, where
notebook frontends read it; and every figure saved in the lectures and solutions has some."""

from __future__ import annotations

import html
import re

import nbformat
import numpy as np
import pytest

from _figures import FIGURES
from _project import ROOT
from regcourse.authoring import alt_text_into_cells
from regcourse.plots._alt import describe, figure_alt, num, words

WIDGET = "application/vnd.jupyter.widget-view+json"
STATIC_IMAGE = "regcourse.static_image"
PATH_LIKE = re.compile(r"(^|\s)[\w./\\-]+\.(png|jpe?g|svg|pdf)\b|^[\w./\\-]+$", re.IGNORECASE)


def reasonable(alt) -> bool:
    """Non-empty sentences of reasonable length that are not a file name."""
    return isinstance(alt, str) and 60 <= len(alt) <= 2500 and not PATH_LIKE.search(alt) and " " in alt


@pytest.mark.parametrize("name", FIGURES)
def test_alt_text_states_what_the_figure_shows_with_numbers_from_its_data(name):
    fig, facts = FIGURES[name]()
    alt = fig.alt_text
    assert reasonable(alt), alt
    for fact in facts:
        assert fact in alt, f"{name}: {fact!r} not in {alt!r}"


def test_alt_text_follows_the_data():
    """Two different data sets give two different descriptions: nothing is canned."""
    from regcourse.plots import overfitting_curves

    first = overfitting_curves([1, 2, 3], [0.5, 0.2, 0.1], [0.6, 0.3, 0.9], xlabel="degree", log_x=False).alt_text
    second = overfitting_curves([1, 2, 3], [0.5, 0.2, 0.1], [0.6, 0.8, 0.4], xlabel="degree", log_x=False).alt_text
    assert "lowest, 0.3, at degree = 2" in first and "lowest, 0.4, at degree = 3" in second


def test_an_assigned_alt_text_wins_and_a_panel_nobody_described_is_named_by_its_labels():
    from regcourse.plots import lp_balls, panels

    fig, (left, right) = panels(2)
    lp_balls(ax=left)
    right.plot([0, 1], [1, 0])
    right.set_title("My own panel")
    right.set_xlabel("time")
    alt = fig.alt_text
    assert alt.startswith("Two panels side by side. Left: The balls") and "Right: “My own panel”. x axis: time." in alt
    fig.alt_text = "A description written by hand."
    assert fig.alt_text == "A description written by hand."


def test_panels_in_a_grid_are_read_row_by_row():
    from regcourse.plots import panels

    fig, axes = panels(2, nrows=2)
    for index, ax in enumerate(axes.ravel()):
        describe(ax, f"panel number {index}")
    assert figure_alt(fig) == (
        "Four panels in a grid, read row by row. Panel 1: panel number 0 Panel 2: panel number 1 "
        "Panel 3: panel number 2 Panel 4: panel number 3"
    )


def test_numbers_are_written_for_reading():
    assert [num(v) for v in (0, 1234.5, -0.000012345, 2 / 3, float("inf"))] == [
        "0",
        "1.23e3",
        "−1.23e−5",
        "0.667",
        "infinity",
    ]
    assert words(["a"]) == "a" and words(["a", "b", "c"]) == "a, b and c"


def test_the_display_bundle_has_one_png_with_its_alt_in_metadata_and_in_html():
    from regcourse.plots import kfold_diagram

    fig = kfold_diagram(10, 2)
    data, metadata = fig._repr_mimebundle_()
    assert set(data) == {"image/png", "text/html", "text/plain"}
    assert metadata == {"image/png": {"alt": fig.alt_text}}
    image = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"/>', data["text/html"])
    assert image and image.group(1) == data["image/png"] and html.unescape(image.group(2)) == fig.alt_text


def test_under_ipython_a_figure_is_published_once_with_its_alt(monkeypatch):
    """The inline backend registers its own PNG formatter for every Figure; the figure's own
    display hook bypasses it, so a cell shows one image (not two, not a formatter's without alt)."""
    import IPython.display

    from regcourse.plots import kfold_diagram

    published = []
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: published.append((args, kwargs)))
    fig = kfold_diagram(10, 2)
    fig._ipython_display_()
    assert len(published) == 1
    (data,), options = published[0]
    assert options == {"raw": True, "metadata": {"image/png": {"alt": fig.alt_text}}} and "image/png" in data


def test_alt_text_is_copied_into_the_cell_metadata_jupyter_book_reads():
    notebook = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBOR", "text/plain": "<Figure>"},
        metadata={"image/png": {"alt": "A line going up."}},
    )
    text = nbformat.v4.new_output("stream", text="hello")
    two = [figure, figure]
    notebook.cells = [
        nbformat.v4.new_code_cell("fig", outputs=[figure, text]),
        nbformat.v4.new_code_cell("two", outputs=two),
        nbformat.v4.new_code_cell("old", outputs=[text], metadata={"mystnb": {"image": {"alt": "stale"}}}),
        nbformat.v4.new_markdown_cell("prose"),
    ]
    assert alt_text_into_cells(notebook) == 1
    assert notebook.cells[0].metadata == {"mystnb": {"image": {"alt": "A line going up."}}}
    assert notebook.cells[1].metadata == {} and notebook.cells[2].metadata == {}


def test_nbconvert_writes_the_alt_text_into_the_html_of_both_templates():
    """nbconvert's classic template reads the output's alt metadata; its lab template (the default)
    has no alt for a PNG output and renders the figure's text/html, which carries it."""
    pytest.importorskip("nbconvert")
    from nbconvert import HTMLExporter

    from regcourse.plots import kfold_diagram

    fig = kfold_diagram(10, 2)
    data, metadata = fig._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "kfold_diagram(10, 2)", outputs=[nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
        )
    ]
    escaped = html.escape(fig.alt_text, quote=True)
    for template in ("lab", "classic"):
        body, _ = HTMLExporter(template_name=template).from_notebook_node(notebook)
        assert f'alt="{escaped}"' in body, template
    notebook.cells[0].outputs[0].data.pop("text/html")  # a PNG alone: the classic template still has the alt
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(notebook)
    assert f'alt="{escaped}"' in body


# --- the saved notebooks ------------------------------------------------------------------------

SAVED = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def figure_outputs(path):
    """(cell index, output, cell) of every PNG output that is not an explorer's (those carry widget data)."""
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data and WIDGET not in data and STATIC_IMAGE not in output.get("metadata", {}):
                yield index, output, cell


@pytest.mark.parametrize("path", SAVED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_saved_figure_carries_its_alt_text_where_frontends_read_it(path):
    for index, output, cell in figure_outputs(path):
        alt = output.get("metadata", {}).get("image/png", {}).get("alt")
        assert reasonable(alt), f"cell {index}: alt text {alt!r}"
        assert f'alt="{html.escape(alt, quote=True)}"' in output.data.get("text/html", ""), (
            f"cell {index}: no <img alt>"
        )
        assert cell.metadata.get("mystnb", {}).get("image", {}).get("alt") == alt, f"cell {index}: not in cell metadata"


def test_the_saved_notebooks_have_figures_to_check():
    counts = [sum(1 for _ in figure_outputs(path)) for path in SAVED]
    assert sum(counts) >= 30 and np.count_nonzero(counts) >= 10

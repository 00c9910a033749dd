"""What learners see in the notebooks' cells: public regcourse names only, one picture per explorer,
and no cell that is a wall of text or code."""

import re

import nbformat
import pytest

from _project import ROOT

LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))
ALL_NOTEBOOKS = LECTURES + sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))
PRIVATE = re.compile(r"\bregcourse(\.[A-Za-z]\w*)*\._[A-Za-z]\w*")  # _name, not __dunder__
WIDGET = "application/vnd.jupyter.widget-view+json"


def cells(path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_name_only_public_regcourse_modules(path):
    for index, cell in enumerate(cells(path)):
        found = PRIVATE.search(cell.source)
        assert not found, f"cell {index} names the private {found.group(0)}"


def explorer_cells(path) -> list:
    return [
        (index, cell)
        for index, cell in enumerate(cells(path))
        if cell.cell_type == "code" and re.search(r"\b\w+_explorer\(", cell.source)
    ]


LECTURES_WITH_EXPLORERS = [path for path in LECTURES if explorer_cells(path)]


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_each_explorer_is_saved_as_one_picture_with_alt_text_and_stored_once(path):
    """What `regcourse execute` saves for an explorer: its picture alone, an <img> with alt text
    (text/html), which JupyterLab, nbconvert, nbviewer and GitHub show without a kernel; no widget
    view and no widget state (JupyterLab drew "model not found" or the saved widget, nbconvert an
    empty widget offline), so the PNG is in the file once. Running the cell makes the live widget."""
    text = path.read_text(encoding="utf-8")
    for index, cell in explorer_cells(path):
        outputs = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        assert len(outputs) == 1, f"cell {index}: {len(outputs)} pictures"
        assert set(outputs[0].data) == {"text/html", "text/plain"}, f"cell {index}: {set(outputs[0].data)}"
        img = outputs[0].data["text/html"]
        assert re.fullmatch(
            r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"]{80,}" width="\d+" '
            r'height="\d+">',
            img,
        ), f"cell {index}: {img[:80]}…"
        png = re.search(r"base64,([A-Za-z0-9+/=]{200})", img).group(1)  # the start of this PNG
        assert text.count(png) == 1, f"cell {index}: the PNG is stored {text.count(png)} times"
        assert WIDGET not in outputs[0].data and "nbval-ignore-output" in cell.metadata.get("tags", [])
        assert not any(o.output_type == "stream" for o in cell.outputs), f"cell {index}"
    if explorer_cells(path):
        state = nbformat.read(path, as_version=4).metadata.get("widgets", {})
        models = state.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        assert not any(
            m.get("model_name") == "ImageModel" or m.get("model_module") == "anywidget" for m in models.values()
        ), "the explorer's widget state was saved"


@pytest.mark.parametrize("path", LECTURES_WITH_EXPLORERS, ids=lambda p: p.name)
def test_nbconvert_shows_each_explorer_as_its_picture_with_alt_text_and_needs_no_widget_script(path):
    nbconvert = pytest.importorskip("nbconvert")
    from html.parser import HTMLParser

    class Images(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.found.append(dict(attrs))

    page, _ = nbconvert.HTMLExporter().from_filename(str(path))
    parser = Images()
    parser.feed(page)
    # Every picture, each explorer's and each figure's, with its own alt text (nbconvert's placeholder,
    # "No description has been provided for this image", is under 80 characters).
    alts = [img.get("alt", "") for img in parser.found if img.get("src", "").startswith("data:image/png;base64,")]
    assert len(alts) >= len(explorer_cells(path)) and all(len(alt) > 80 for alt in alts), alts
    assert WIDGET not in page and "application/vnd.jupyter.widget-state+json" not in page
    assert "html-manager" not in page and "embed-amd" not in page  # no widget script from a CDN, offline or not


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_no_cell_is_a_wall(path):
    """Prose cells under 260 words (tables and the review's one-page summary aside), code cells
    at most 20 lines."""
    for index, cell in enumerate(cells(path)):
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 20, f"cell {index} has {len(cell.source.splitlines())} lines"
        elif "one-page summary" not in cell.source and "| --- |" not in cell.source:
            assert len(cell.source.split()) < 260, f"cell {index} has {len(cell.source.split())} words"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nbval_markers_are_cell_tags_not_comments_in_the_code(path):
    """Learners read every line of a code cell: nbval's instructions live in the cell's tags
    (`nbval-check-output`), which nbval reads as it reads its `# NBVAL_...` comments."""
    from nbval.plugin import find_metadata_tags, metadata_tags

    for index, cell in enumerate(cells(path)):
        if cell.cell_type != "code":
            continue
        marker = re.search(r"^\s*#\s*(NBVAL_\w+|PYTEST_VALIDATE_\w+)", cell.source, flags=re.M)
        assert not marker, f"cell {index}: the comment {marker.group(1)} belongs in the cell's tags"
        tags = cell.metadata.get("tags", [])
        unknown = [tag for tag in tags if tag.startswith("nbval") and tag not in metadata_tags]
        assert not unknown, f"cell {index}: nbval does not know the tags {unknown}"
        if "nbval-check-output" in tags:
            assert dict(find_metadata_tags(cell.metadata)) == {"check": True}


def test_lectures_mark_the_cells_whose_printed_numbers_the_text_relies_on():
    """`--nbval-lax` compares only these cells; every lecture that prints numbers keeps some."""
    tagged = {
        path.name: sum("nbval-check-output" in c.metadata.get("tags", []) for c in cells(path)) for path in LECTURES
    }
    assert all(tagged.values()), {name: count for name, count in tagged.items() if not count}

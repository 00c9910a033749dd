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


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_each_explorer_is_one_output_carrying_the_live_widget_and_a_static_png(path):
    """JupyterLab renders the widget (one picture); GitHub and nbviewer render the PNG."""
    for index, cell in enumerate(cells(path)):
        if cell.cell_type != "code" or not re.search(r"\b\w+_explorer\(", cell.source):
            continue
        outputs = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        assert len(outputs) == 1, f"cell {index}: {len(outputs)} pictures"
        assert {WIDGET, "image/png"} <= set(outputs[0].data), f"cell {index}"
        assert not any(o.output_type == "stream" for o in cell.outputs), f"cell {index}"


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
    tagged = {path.name: sum("nbval-check-output" in c.metadata.get("tags", []) for c in cells(path))
              for path in LECTURES}
    assert all(tagged.values()), {name: count for name, count in tagged.items() if not count}

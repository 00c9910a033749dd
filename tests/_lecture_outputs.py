"""What a saved lecture shows: the text a code cell printed, and the lecture's prose. The chapter tests
recompute a number and look for it, formatted as the lecture formats it, in these."""

import nbformat


def printed(lecture, fragment: str) -> str:
    """The text printed by the one code cell of ``lecture`` (a path) whose source contains ``fragment``."""
    cells = [c for c in nbformat.read(lecture, as_version=4).cells if c.cell_type == "code" and fragment in c.source]
    assert len(cells) == 1, f"{len(cells)} cells contain {fragment!r}"
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")


def prose(lecture) -> str:
    """Every markdown cell of ``lecture``, joined."""
    return "\n".join(c.source for c in nbformat.read(lecture, as_version=4).cells if c.cell_type == "markdown")

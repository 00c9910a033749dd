"""Helpers of the website tests (tests/test_site*.py): site/'s modules, builds, a small course.

The site's own modules live in site/ (not a package, and independent of ``regcourse``); they are
loaded here by path under the names ``site_course``, ``site_check`` and ``site_build``.
Building needs the site extra (Sphinx, MyST-NB, the book theme, sphinx-mathjax-offline); without
it the build tests skip, naming the extra, unless REGCOURSE_REQUIRE_SITE=1 (set by .ci/run), where
that is a failure.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from _project import ROOT

SITE = ROOT / "site"
REPOSITORY = "https://github.com/regcourse/regcourse"


def load(name: str):
    """site/NAME.py as the module ``site_NAME`` (``course_site`` as ``site_course``)."""
    module_name = "site_course" if name == "course_site" else f"site_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SITE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def require_site_extra() -> None:
    """Skip (or, under REGCOURSE_REQUIRE_SITE=1, fail) when the site extra is not installed."""
    lacking = load("build").missing()
    if lacking:
        reason = (
            f'{", ".join(lacking)} not installed in this Python ({sys.executable}): python -m pip install -e ".[site]"'
        )
        if os.environ.get("REGCOURSE_REQUIRE_SITE") == "1":
            pytest.fail(f"{reason} (REGCOURSE_REQUIRE_SITE=1: the website tests must run)", pytrace=False)
        pytest.skip(reason)


def build_site(source: Path, out: Path) -> subprocess.CompletedProcess:
    """``python site/build.py --source SOURCE --out OUT`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, str(SITE / "build.py"), "--source", str(source), "--out", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )


def site_dir_for_tests(tmp_path_factory) -> Path:
    """The real course's site: REGCOURSE_SITE_DIR when it names a built site (.ci/run builds it
    just before), else built now into a temporary folder."""
    given = os.environ.get("REGCOURSE_SITE_DIR")
    if given:
        site = Path(given)
        assert (site / "index.html").is_file(), f"REGCOURSE_SITE_DIR={given} holds no built site"
        return site
    require_site_extra()
    out = tmp_path_factory.mktemp("site") / "site"
    result = build_site(ROOT, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


# --- a small course laid out like the repository --------------------------------------------------


def png(rgb: tuple[int, int, int], size: int = 4) -> bytes:
    """A small one-colour PNG (different colours give different files)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def badges(path: str) -> str:
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/regcourse/regcourse/blob/main/{path})\n"
        f"[![Binder](https://mybinder.org/badge_logo.svg)]"
        f"(https://mybinder.org/v2/gh/regcourse/regcourse/main?urlpath=lab/tree/{path})\n"
    )


def markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code_cell(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source, "outputs": outputs}


def image_output(rgb, alt: str | None = None, widget: bool = False) -> dict:
    data = {"image/png": base64.b64encode(png(rgb)).decode(), "text/plain": "<Figure size 400x300 with 1 Axes>"}
    if widget:  # an explorer: the widget view, with the static picture `regcourse execute` saves beside it
        data["application/vnd.jupyter.widget-view+json"] = {
            "model_id": "0123abcd",
            "version_major": 2,
            "version_minor": 0,
        }
    metadata = {"image/png": {"alt": alt}} if alt is not None else {}
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def notebook(cells: list[dict], widgets: bool = False) -> str:
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    if widgets:
        metadata["widgets"] = {
            "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}
        }
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def html_image_output(rgb, alt: str) -> dict:
    """A figure saved twice: as image/png with its alt text in the metadata, and as text/html
    (an <img> with the same picture inline and the same alt), which the site shows."""
    picture = base64.b64encode(png(rgb)).decode()
    return {
        "output_type": "display_data",
        "metadata": {"image/png": {"alt": alt}},
        "data": {
            "image/png": picture,
            "text/html": f'<img src="data:image/png;base64,{picture}" alt="{alt}">',
            "text/plain": "<Figure size 400x300 with 1 Axes>",
        },
    }


HTML_FIGURE_ALT = "The same figure, saved as an HTML image too"
FIGURE_ALT = "Training and validation error against the polynomial degree: validation error rises after degree 3"
EXPLORER_ALT = "The L1 diamond of budget 1 and the loss contours; the constrained optimum lies on the w1 axis"


def small_course(root: Path, *, figure_alt: str | None = FIGURE_ALT, extra_markdown: str = "") -> Path:
    """A course of one lecture, one exercise and its solution, laid out like the repository.

    The lecture has a figure whose output metadata carries ``figure_alt`` (none when None), an
    explorer (widget view + saved picture with alt text), math, and the repository's kinds of
    links: ``../README.md#course-map``, ``../exercises/01_demo.ipynb``, ``../solutions/``."""
    (root / "notebooks").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "solutions").mkdir()
    (root / "docs").mkdir()
    (root / "docs" / "picture.png").write_bytes(png((10, 120, 200)))
    (root / "CONTRIBUTING.md").write_text("# Contributing\n", encoding="utf-8")
    (root / "README.md").write_text(
        "# Demo course\n\n"
        + badges("notebooks/00_demo.ipynb")
        + "\nA course of one chapter.\n\n## Course map\n\n| # | chapter |\n| --- | --- |\n"
        "| 00 | [demo](notebooks/00_demo.ipynb) |\n\n## Exercises\n\n"
        "Exercises in [`exercises/`](exercises/), worked solutions in [`solutions/`](solutions/); "
        "maintainers read [CONTRIBUTING.md](CONTRIBUTING.md).\n\n"
        "![The demo picture: a blue square](docs/picture.png)\n\n"
        '```bash\necho "[not a link](nowhere/)"\n```\n',
        encoding="utf-8",
    )
    (root / "notebooks" / "00_demo.ipynb").write_text(
        notebook(
            [
                markdown_cell(
                    "# 00 · Demo: a lecture\n\n"
                    + badges("notebooks/00_demo.ipynb")
                    + "\nThe penalty is $\\lambda\\sum_j |w_j|$.\n\n$$R(w) = \\lambda \\|w\\|_1$$\n"
                ),
                code_cell("figure()", [image_output((200, 30, 30), figure_alt)]),
                code_cell("explorer()", [image_output((30, 200, 30), EXPLORER_ALT, widget=True)]),
                code_cell("figure(html=True)", [html_image_output((30, 30, 200), HTML_FIGURE_ALT)]),
                markdown_cell(
                    "Back to the [course map](../README.md#course-map); try the "
                    "[exercises](../exercises/01_demo.ipynb), then compare with the "
                    "[solutions](../solutions/)." + extra_markdown
                ),
            ],
            widgets=True,
        ),
        encoding="utf-8",
    )
    (root / "exercises" / "README.md").write_text(
        "# exercises/\n\nOne notebook per chapter; solutions in [`../solutions/`](../solutions/).\n", encoding="utf-8"
    )
    (root / "solutions" / "README.md").write_text(
        "# solutions/\n\nTry [`../exercises/`](../exercises/) first.\n", encoding="utf-8"
    )
    for folder in ("exercises", "solutions"):
        (root / folder / "01_demo.ipynb").write_text(
            notebook(
                [
                    markdown_cell(
                        "# 01 · Exercises: demo\n\n"
                        + badges(f"{folder}/01_demo.ipynb")
                        + "\nAfter the [lecture](../notebooks/00_demo.ipynb).\n"
                    ),
                    code_cell(
                        "check()",
                        [
                            {
                                "output_type": "display_data",
                                "metadata": {},
                                "data": {
                                    "text/html": (
                                        '<div style="background:#eef;color:#222">📝 <code>demo.one</code>: '
                                        "not attempted</div>"
                                    ),
                                    "text/plain": "not attempted",
                                },
                            }
                        ],
                    ),
                ]
            ),
            encoding="utf-8",
        )
    return root

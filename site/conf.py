"""Sphinx configuration of the course website: ``python site/build.py`` (see its docstring).

The source folder is the repository itself (the notebooks are read where they are, with their
saved outputs, never executed); this folder holds only the configuration and the extension
``course_site.py``. Nothing here imports the ``regcourse`` package.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The repository, as pyproject.toml's Homepage names it (launch links, links to files that are
# not pages of the site).
_PYPROJECT = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
REPOSITORY_URL = re.search(r'^Homepage\s*=\s*"([^"]+)"', _PYPROJECT, flags=re.MULTILINE).group(1).rstrip("/")

project = "regcourse"
author = "The regcourse maintainers"
copyright = "the regcourse maintainers"
language = "en"
html_title = "regcourse: regularization in machine learning"

extensions = [
    "myst_nb",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: math renders offline
    "course_site",  # badges, links, navigation, alt text (course_site.py)
]

# The home page is the README; the pages are the lectures, exercises and solutions, and the
# two folders' READMEs (their section pages). Everything else in the repository is not read.
root_doc = "README"
include_patterns = [
    "README.md",
    "notebooks/[0-9][0-9]_*.ipynb",
    "exercises/README.md",
    "exercises/[0-9][0-9]_*.ipynb",
    "solutions/README.md",
    "solutions/[0-9][0-9]_*.ipynb",
]
exclude_patterns = ["**/.*", ".*", "build", "dist", "regcourse", "tests", "benchmarks", "site", "**/.ipynb_checkpoints"]

# Notebooks: saved outputs only.
nb_execution_mode = "off"
# Explorers are widgets; a static site has no kernel, so each shows the picture of its starting
# state that `regcourse execute` saved beside the widget view (the widget view is never
# chosen, and no widget JavaScript is loaded from a CDN).
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # ../README.md#course-map and the like

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    # One set of launch links per notebook page: the theme's menu, with exactly the URLs of the
    # notebook's own badges (which course_site.py removes on the site).
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["course.css"]

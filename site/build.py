"""Build the course website from the saved notebooks, offline, without running them.

    python -m pip install -e ".[site]"      # Sphinx, MyST-NB, the book theme, MathJax (bundled)
    python site/build.py                    # -> build/site/index.html (about 15 s on 2 cores)
    python site/check.py                    # links, anchors, alt text, nothing from other sites

The pages are the README (the home page), the lectures ``notebooks/00–14``, then
``exercises/`` and ``solutions/`` (each under its README), in that order. Sphinx reads them
with the configuration in ``site/conf.py`` and the extension ``site/course_site.py``; any
Sphinx warning (a link to a missing file or heading, an unreadable notebook) fails the build.
The output folder is built afresh each time. Nothing here imports the ``regcourse`` package,
and nothing is fetched from the network: MathJax comes from the sphinx-mathjax-offline package
and is copied into the site.

``--source DIR`` builds another folder laid out like the repository (a README.md and
notebooks/, exercises/, solutions/), as the tests do.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent
NEEDED = {
    "sphinx": "Sphinx",
    "myst_nb": "myst-nb",
    "sphinx_book_theme": "sphinx-book-theme",
    "sphinx-mathjax-offline": "sphinx-mathjax-offline",
}


def missing() -> list[str]:
    """The packages of the site extra that this Python lacks."""
    import importlib.util

    return [name for module, name in NEEDED.items() if importlib.util.find_spec(module) is None]


def build(source: Path = ROOT, out: Path | None = None, quiet: bool = True) -> Path:
    """Build the site of ``source`` into ``out`` (default ``source/build/site``); return ``out``.

    Raises RuntimeError, with Sphinx's warnings already printed, when the build fails."""
    from sphinx.cmd.build import build_main

    source = Path(source).resolve()
    out = Path(out).resolve() if out else source / "build" / "site"
    doctrees = out.parent / (out.name + "-doctrees")
    for folder in (out, doctrees):
        shutil.rmtree(folder, ignore_errors=True)
    arguments = ["-b", "html", "-W", "--keep-going", "-c", str(SITE), "-d", str(doctrees), str(source), str(out)]
    if quiet:
        arguments.insert(0, "-q")
    status = build_main(arguments)
    if status != 0:
        raise RuntimeError(f"the site build failed (sphinx-build exit status {status}); see the warnings above")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="the repository (default: this one)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: SOURCE/build/site)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    lacking = missing()
    if lacking:
        print(
            f"site: {', '.join(lacking)} not installed in this Python ({sys.executable}): "
            'python -m pip install -e ".[site]"',
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    try:
        out = build(args.source, args.out, quiet=not args.verbose)
    except RuntimeError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    pages = sum(1 for page in out.rglob("*.html") if "_static" not in page.relative_to(out).parts)
    print(f"site: built {pages} pages in {time.monotonic() - started:.0f} s: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

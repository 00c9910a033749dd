"""The Sphinx extension that turns the repository's notebooks into the course website.

It changes nothing on disk: every change is made to the text Sphinx reads (the ``source-read``
event), so the notebooks keep working as they are in JupyterLab, on GitHub, Colab and Binder.

* **Launch badges.** Each notebook's title cell has its own "Open in Colab" and "Binder" badges.
  On the site the theme's launch menu gives the same two links (a test compares them), so the
  badge lines are taken out of notebooks. The home page (the README, which has no launch menu)
  keeps them as plain text links: no image from another site, and one set of links per page.
* **Links.** Links that work on GitHub are made to work on the site: a folder (``../solutions/``)
  becomes its README page; a file of the repository that is not a page of the site
  (``CONTRIBUTING.md``, ``.ci/run``, ``LICENSE``) becomes its page on the repository's host;
  links to notebooks and to headings (``../README.md#course-map``) are MyST's own. A link to
  a file that does not exist is left alone, so the build warns (and, built with ``-W``, fails).
* **Navigation.** The home page gets the (hidden) table of contents: the lectures in their
  order, then the exercises and the solutions, each folder's README first.
* **Explorers.** A notebook's saved widget state is dropped: the site loads no widget code and
  each explorer shows the static picture saved in its output (site/conf.py never picks the
  widget view).
* **Figures.** An image output's alt text is read from the output's metadata
  (``{"image/png": {"alt": "..."}}``, where the course's figures and explorers put it); MyST-NB
  reads only width and height from there, and without alt docutils writes the image's file path
  as its alt. An output without alt text keeps that path, so ``site/check.py`` and the
  browser test report it.

Nothing here imports the ``regcourse`` package: the site builds from the saved notebooks alone.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

# A badge line: [![text](image)](https://colab... or https://mybinder...), alone on its line.
LAUNCH_HOSTS = ("https://colab.research.google.com/", "https://mybinder.org/")
_BADGE = re.compile(r"\[!\[(?P<text>[^\]]*)\]\((?P<image>[^)\s]+)\)\]\((?P<url>[^)\s]+)\)")
_LINK_TARGET = re.compile(r"\]\((?P<target><[^>]*>|[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def _is_launch_badge(match: re.Match) -> bool:
    return match.group("url").startswith(LAUNCH_HOSTS)


def strip_launch_badges(text: str) -> str:
    """Remove the lines that hold only Colab/Binder badges (and the blank line they leave)."""
    lines = text.split("\n")
    kept: list[str] = []
    removed = False
    for line in lines:
        rest = _BADGE.sub(lambda m: "" if _is_launch_badge(m) else m.group(0), line)
        if rest.strip() == "" and line.strip() != "":
            removed = True
            continue
        if removed and line.strip() == "" and kept and kept[-1].strip() == "":
            continue  # no double blank line where the badges were
        kept.append(line)
    return "\n".join(kept)


def badges_as_text_links(text: str) -> str:
    """Turn each Colab/Binder badge into a text link with the badge's own words."""
    return _BADGE.sub(lambda m: f"[{m.group('text')}]({m.group('url')})" if _is_launch_badge(m) else m.group(0), text)


def launch_badge_urls(text: str) -> list[str]:
    """The Colab/Binder URLs of the badges in ``text`` (what the site's launch menu must offer)."""
    return [m.group("url") for m in _BADGE.finditer(text) if _is_launch_badge(m)]


class LinkMap:
    """Maps the relative links of a page, written for GitHub, to links that work on the site.

    ``root``: the repository; ``pages``: the site's source files, as repository paths
    (``notebooks/00_welcome.ipynb``); ``repository_url``/``branch``: where a file that is not a
    page of the site is linked to."""

    def __init__(self, root: Path, pages: set[str], repository_url: str, branch: str = "main"):
        self.root = Path(root)
        self.pages = set(pages)
        self.repository_url = repository_url.rstrip("/")
        self.branch = branch

    def target(self, page: str, target: str) -> str:
        """The site's version of ``target``, a link written in ``page`` (a repository path)."""
        bracketed = target.startswith("<") and target.endswith(">")
        raw = target[1:-1] if bracketed else target
        if not raw or raw.startswith(("#", "/")) or _SCHEME.match(raw):
            return target
        path, hash_, anchor = raw.partition("#")
        if not path:
            return target
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if resolved.startswith("../") or resolved == "..":
            return target  # outside the repository: leave it for the build to report
        here = posixpath.dirname(page) or "."
        on_disk = self.root / resolved
        if path.endswith("/") or on_disk.is_dir():
            readme = posixpath.join(resolved, "README.md") if resolved != "." else "README.md"
            if readme in self.pages:
                new = posixpath.relpath(readme, here) + hash_ + anchor
            else:
                new = f"{self.repository_url}/tree/{self.branch}/{'' if resolved == '.' else resolved}"
        elif resolved in self.pages or not on_disk.exists():
            return target  # a page (MyST resolves it), or missing (the build warns)
        elif Path(resolved).suffix.lower() in IMAGE_SUFFIXES:
            return target  # an image: Sphinx copies it
        else:
            new = f"{self.repository_url}/blob/{self.branch}/{resolved}" + hash_ + anchor
        return f"<{new}>" if bracketed else new

    def markdown(self, page: str, text: str) -> str:
        """Every link target of a Markdown text, mapped; fenced code is left alone."""
        out: list[str] = []
        fenced = False
        for line in text.split("\n"):
            if _FENCE.match(line):
                fenced = not fenced
            elif not fenced and "](" in line:
                line = _LINK_TARGET.sub(
                    lambda m: "](" + self.target(page, m.group("target")) + (m.group("title") or "") + ")", line
                )
            out.append(line)
        return "\n".join(out)


def toctree(entries: list[str], caption: str | None = None) -> str:
    """A hidden MyST toctree directive."""
    options = [":hidden:"] + ([f":caption: {caption}"] if caption else [])
    return "\n".join(["", "```{toctree}", *options, "", *entries, "```", ""])


SECTIONS = (
    ("notebooks", "Lectures", None),
    ("exercises", "Exercises", "How the exercises work"),
    ("solutions", "Solutions", "About the solutions"),
)


def notebook_title(path: Path) -> str | None:
    """The first ``# `` heading of a notebook's markdown cells."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def site_navigation(pages: set[str], root: Path | None = None) -> str:
    """The home page's toctrees: the lectures, then the exercises and the solutions, each
    folder's README first (under the title given in SECTIONS), then its notebooks in file-name
    order. All at one level: the theme's collapsible sections have toggles without a name.

    A solution notebook has its exercise's title ("04 · Exercises: L1 / lasso"); in the
    navigation (with ``root``, where the notebooks are read) it is called "04 · Solutions: …",
    so the two lists do not read the same."""

    def docname(path: str) -> str:
        return "/" + posixpath.splitext(path)[0]  # absolute: the same from any page

    def entry(folder: str, path: str) -> str:
        title = notebook_title(root / path) if root is not None and folder == "solutions" else None
        if title and "Exercises" in title:
            return f"{title.replace('Exercises', 'Solutions', 1)} <{docname(path)}>"
        return docname(path)

    text = ""
    for folder, caption, readme_title in SECTIONS:
        entries = (
            [f"{readme_title} <{docname(folder + '/README.md')}>"]
            if (readme_title and f"{folder}/README.md" in pages)
            else []
        )
        entries += [entry(folder, p) for p in sorted(pages) if posixpath.dirname(p) == folder and p.endswith(".ipynb")]
        if entries:
            text += toctree(entries, caption)
    return text


def transform_notebook(text: str, page: str, links: LinkMap) -> str:
    """A notebook's JSON made for the site: badges out and links mapped in its markdown cells,
    and no saved widget state (a static page has no kernel and loads no widget code; each
    explorer shows the picture saved in its output)."""
    notebook = json.loads(text)
    notebook.get("metadata", {}).pop("widgets", None)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        cell["source"] = links.markdown(page, strip_launch_badges(source))
    return json.dumps(notebook, ensure_ascii=False)


def output_alt(output_metadata: dict, mime_type: str) -> str | None:
    """The alt text an output's metadata gives its image (``{mime_type: {"alt": ...}}``)."""
    entry = output_metadata.get(mime_type) if isinstance(output_metadata, dict) else None
    alt = entry.get("alt") if isinstance(entry, dict) else None
    return alt.strip() if isinstance(alt, str) and alt.strip() else None


# --- Sphinx ---------------------------------------------------------------------------------------


def _repository_path(app, docname: str) -> str:
    return Path(app.env.doc2path(docname)).resolve().relative_to(Path(app.srcdir).resolve()).as_posix()


def _pages(app) -> set[str]:
    return {_repository_path(app, name) for name in app.env.found_docs}


def _on_source_read(app, docname: str, source: list[str]) -> None:
    page = _repository_path(app, docname)
    pages = _pages(app)
    options = app.config.html_theme_options
    links = LinkMap(
        Path(app.srcdir), pages, options.get("repository_url", ""), options.get("repository_branch", "main")
    )
    if page.endswith(".ipynb"):
        source[0] = transform_notebook(source[0], page, links)
        return
    text = source[0]
    if docname == app.config.root_doc:
        text = badges_as_text_links(text)
    else:
        text = strip_launch_badges(text)
    text = links.markdown(page, text)
    if docname == app.config.root_doc:
        text += site_navigation(pages, Path(app.srcdir))
    source[0] = text


def _patch_image_alt() -> None:
    """Make MyST-NB's image outputs carry the alt text of their output metadata."""
    from myst_nb.core.render import NbElementRenderer

    if getattr(NbElementRenderer.render_image, "_course_site", False):
        return
    original = NbElementRenderer.render_image

    def render_image(self, data):
        rendered = original(self, data)
        alt = output_alt(data.output_metadata, data.mime_type)
        if alt:
            for node in rendered:
                if node.tagname == "image":
                    node["alt"] = alt
        return rendered

    render_image._course_site = True
    NbElementRenderer.render_image = render_image


def _write_index(app, exception) -> None:
    """The site's front door: index.html sends the reader to the home page (the README)."""
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    home = app.builder.get_target_uri(app.config.root_doc)
    title = html.escape(app.config.html_title or app.config.project)
    (Path(app.outdir) / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="{app.config.language or "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{title}</title>\n<meta http-equiv="refresh" content="0; url={home}">\n'
        f'<link rel="canonical" href="{home}">\n</head>\n<body>\n<main>\n'
        f'<p>The course starts at <a href="{home}">its home page</a>.</p>\n</main>\n</body>\n</html>\n',
        encoding="utf-8",
    )


def setup(app):
    _patch_image_alt()
    app.connect("source-read", _on_source_read)
    app.connect("build-finished", _write_index)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

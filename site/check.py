"""Check the built course website offline: links, anchors, images' alt text, outside resources.

    python site/check.py                 # checks build/site (what site/build.py writes)
    python site/check.py DIR --list-external

Every page (``*.html``) is read with the standard library's HTML parser, and it fails (exit 1,
one line per problem) when

* a link inside the site (``href``/``src`` of ``a``, ``link``, ``script``, ``img``, ...)
  points to a file that is not there, or its ``#anchor`` to no ``id`` (or ``name``) of the
  page it points to;
* an ``<img>`` has no alt text, an empty one (an image of the course's content is never
  decorative), or one that is a file path or file name (docutils writes the image's path
  when a notebook output has no alt text);
* a page loads something from another site (a script, style sheet, image or frame by
  ``http(s)://``): the site must work without the network, math included.

Links to other sites (``<a href="https://...">``) are only listed, never fetched: in
``DIR/../site-external-links.txt`` (or printed with ``--list-external``). Needs only Python.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Attributes that load something into the page (a resource) and attributes that only link.
RESOURCE_ATTRIBUTES = {
    ("img", "src"),
    ("script", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("video", "poster"),
}
LINK_RELS_THAT_LOAD = {
    "stylesheet",
    "icon",
    "shortcut",
    "preload",
    "modulepreload",
    "manifest",
    "apple-touch-icon",
    "mask-icon",
}
IMAGE_NAME = re.compile(r"^\S*\.(png|jpe?g|gif|svg|webp|bmp|tiff?)$", re.IGNORECASE)


def alt_problem(alt: str | None, src: str) -> str | None:
    """Why an image's alt text is not one, or None when it is."""
    if alt is None:
        return "has no alt attribute"
    text = alt.strip()
    if not text:
        return "has an empty alt"
    name = "" if src.startswith("data:") else posixpath.basename(urlsplit(src).path)
    if text == src or (name and name in text) or IMAGE_NAME.match(text) or ("/" in text and " " not in text):
        return f"has a file path as its alt ({text[:80]}): the notebook output has no alt text"
    return None


class Page(HTMLParser):
    """The ids, links, resources and images of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url): followed by a reader
        self.resources: list[tuple[str, str]] = []  # (tag, url): loaded with the page
        self.images: list[tuple[str, str | None]] = []  # (src, alt)
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for key in ("id", "name") if tag in {"a", "map"} else ("id",):
            if attributes.get(key):
                self.ids.add(attributes[key])
        if tag == "base" and attributes.get("href"):
            self.base = attributes["href"]
        if tag == "img":
            self.images.append((attributes.get("src") or "", attributes.get("alt")))
        if tag == "link" and attributes.get("href"):
            rels = set((attributes.get("rel") or "").lower().split())
            (self.resources if rels & LINK_RELS_THAT_LOAD else self.links).append((tag, attributes["href"]))
        elif tag in {"a", "area"} and attributes.get("href") is not None:
            self.links.append((tag, attributes["href"]))
        for name, value in attrs:
            if (tag, name) in RESOURCE_ATTRIBUTES and value:
                self.resources.append((tag, value))
            elif name == "srcset" and value:
                for candidate in value.split(","):
                    if candidate.strip():
                        self.resources.append((tag, candidate.split()[0]))

    handle_startendtag = handle_starttag


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def is_external(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return bool(scheme) or url.startswith("//")


def check_site(site: Path) -> tuple[list[str], list[str], dict[str, int]]:
    """(problems, external links, counts) for the built site in ``site``."""
    site = site.resolve()
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    parsed = {p: parse(p) for p in pages}
    problems: list[str] = []
    external: set[str] = set()
    counts = defaultdict(int, pages=len(pages))

    def ids_of(target: Path) -> set[str]:
        if target not in parsed:
            parsed[target] = parse(target)
        return parsed[target].ids

    for path in pages:
        page = parsed[path]
        name = path.relative_to(site).as_posix()
        for src, alt in page.images:
            counts["images"] += 1
            why = alt_problem(alt, src)
            if why:
                problems.append(f"{name}: image {src[:100]} {why}")
        for tag, url in page.resources:
            if urlsplit(url).scheme.lower() == "data":
                continue
            if is_external(url):
                problems.append(f"{name}: <{tag}> loads {url} from another site (the site must work offline)")
            else:
                counts["internal"] += 1
                problems.extend(f"{name}: {why}" for why in _internal_problems(site, path, url, tag, ids_of))
        for tag, url in page.links:
            scheme = urlsplit(url).scheme.lower()
            if scheme in {"javascript", "data"}:
                continue
            if is_external(url):
                if scheme in {"http", "https"} or url.startswith("//"):
                    external.add(url)
                continue
            counts["internal"] += 1
            problems.extend(f"{name}: {why}" for why in _internal_problems(site, path, url, tag, ids_of))
    counts["external"] = len(external)
    return problems, sorted(external), dict(counts)


def _internal_problems(site: Path, page: Path, url: str, tag: str, ids_of) -> list[str]:
    parts = urlsplit(url)
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    try:
        target.relative_to(site)
    except ValueError:
        return [f"<{tag}> {url} leaves the site"]
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return [f"<{tag}> {url}: no such file"]
    anchor = unquote(parts.fragment)
    if anchor and target.suffix == ".html" and anchor not in ids_of(target):
        return [f"<{tag}> {url}: no anchor #{anchor} in {target.relative_to(site).as_posix()}"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="build/site", type=Path, help="the built site (build/site)")
    parser.add_argument("--list-external", action="store_true", help="print the links to other sites")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"site check: no site in {args.site} (build it with: python site/build.py)", file=sys.stderr)
        return 2
    problems, external, counts = check_site(args.site)
    listing = args.site.resolve().parent / "site-external-links.txt"
    listing.write_text("".join(url + "\n" for url in external), encoding="utf-8")
    if args.list_external:
        print("\n".join(external))
    for problem in problems:
        print(problem)
    print(
        f"site check: {counts['pages']} pages, {counts.get('internal', 0)} internal links and resources, "
        f"{counts.get('images', 0)} images, {len(external)} external links listed in {listing} (not fetched); "
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

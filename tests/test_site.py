"""The course website (site/): built offline from the saved notebooks, with working links, one set
of launch links, math, real alt text and explorers as pictures; and its checker (site/check.py).

    python -m pip install -e ".[site]"
    python -m pytest tests/test_site.py

The builds need the site extra; without it those tests skip (REGCOURSE_REQUIRE_SITE=1, as .ci/run
sets, makes that a failure). The browser part (axe-core) is tests/test_site_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from _project import ROOT, pyproject
from _site import (
    EXPLORER_ALT,
    FIGURE_ALT,
    HTML_FIGURE_ALT,
    REPOSITORY,
    badges,
    build_site,
    load,
    require_site_extra,
    site_dir_for_tests,
    small_course,
)

course_site = load("course_site")
site_check = load("check")

PAGES = {
    "README.md",
    "notebooks/00_demo.ipynb",
    "exercises/README.md",
    "exercises/01_demo.ipynb",
    "solutions/README.md",
    "solutions/01_demo.ipynb",
}


def parse(path: Path):
    return site_check.parse(path)


def article(path: Path) -> str:
    """The page's own content: the <article> the theme puts it in."""
    html = path.read_text(encoding="utf-8")
    return html[html.index('<article class="bd-article">') : html.index("</article>")]


# --- the build-time changes, as functions ---------------------------------------------------------


def test_launch_badges_are_taken_out_and_the_rest_kept():
    text = "# 04 · Title\n\n" + badges("notebooks/04_x.ipynb") + "\nProse [a link](x.ipynb).\n"
    stripped = course_site.strip_launch_badges(text)
    assert stripped == "# 04 · Title\n\nProse [a link](x.ipynb).\n"
    other = "[![build](https://example.org/b.svg)](https://example.org/ci)\n"
    assert course_site.strip_launch_badges(other) == other  # only Colab and Binder badges go


def test_home_page_badges_become_text_links():
    text = course_site.badges_as_text_links(badges("notebooks/00_welcome.ipynb"))
    assert "![" not in text and "badge" not in text
    assert "[Open In Colab](https://colab.research.google.com/github/regcourse/regcourse/blob/main/" in text


def test_every_notebook_has_both_launch_badges_the_site_replaces():
    for path in sorted(ROOT.glob("[nes]*/[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        urls = course_site.launch_badge_urls("".join(cells[0]["source"]))
        relative = path.relative_to(ROOT).as_posix()
        assert urls == [
            f"https://colab.research.google.com/github/regcourse/regcourse/blob/main/{relative}",
            f"https://mybinder.org/v2/gh/regcourse/regcourse/main?urlpath=lab/tree/{relative}",
        ], path


@pytest.mark.parametrize(
    "page, target, expected",
    [
        ("notebooks/00_demo.ipynb", "../README.md#course-map", "../README.md#course-map"),  # MyST resolves it
        ("notebooks/00_demo.ipynb", "../exercises/01_demo.ipynb", "../exercises/01_demo.ipynb"),
        ("notebooks/00_demo.ipynb", "../solutions/", "../solutions/README.md"),
        ("exercises/README.md", "../solutions/", "../solutions/README.md"),
        ("README.md", "exercises/", "exercises/README.md"),
        ("README.md", "solutions", "solutions/README.md"),
        ("README.md", "CONTRIBUTING.md", f"{REPOSITORY}/blob/main/CONTRIBUTING.md"),
        ("README.md", "docs/", f"{REPOSITORY}/tree/main/docs"),
        ("README.md", "docs/picture.png", "docs/picture.png"),  # an image: Sphinx copies it
        ("README.md", "missing.md", "missing.md"),  # left for the build to report
        ("README.md", "https://example.org/a/", "https://example.org/a/"),
        ("README.md", "#course-map", "#course-map"),
        ("README.md", "<CONTRIBUTING.md>", f"<{REPOSITORY}/blob/main/CONTRIBUTING.md>"),
    ],
)
def test_link_map(tmp_path, page, target, expected):
    small_course(tmp_path)
    links = course_site.LinkMap(tmp_path, PAGES, REPOSITORY)
    assert links.target(page, target) == expected


def test_link_map_leaves_fenced_code_and_titles_alone(tmp_path):
    small_course(tmp_path)
    links = course_site.LinkMap(tmp_path, PAGES, REPOSITORY)
    text = 'See [it](CONTRIBUTING.md "the guide").\n```\n[x](CONTRIBUTING.md)\n```\n'
    assert links.markdown("README.md", text) == (
        f'See [it]({REPOSITORY}/blob/main/CONTRIBUTING.md "the guide").\n```\n[x](CONTRIBUTING.md)\n```\n'
    )


def test_navigation_lists_lectures_then_exercises_then_solutions(tmp_path):
    small_course(tmp_path)
    entries = re.findall(r"^(?!```|:)(.+)$", course_site.site_navigation(PAGES, tmp_path), flags=re.MULTILINE)
    assert entries == [
        "/notebooks/00_demo",
        "How the exercises work </exercises/README>",
        "/exercises/01_demo",
        "About the solutions </solutions/README>",
        "01 · Solutions: demo </solutions/01_demo>",
    ]


def test_notebook_transform_drops_widget_state_and_keeps_outputs(tmp_path):
    small_course(tmp_path)
    path = tmp_path / "notebooks" / "00_demo.ipynb"
    links = course_site.LinkMap(tmp_path, PAGES, REPOSITORY)
    original = json.loads(path.read_text(encoding="utf-8"))
    changed = json.loads(
        course_site.transform_notebook(path.read_text(encoding="utf-8"), "notebooks/00_demo.ipynb", links)
    )
    assert "widgets" in original["metadata"] and "widgets" not in changed["metadata"]
    assert [c.get("outputs") for c in changed["cells"]] == [c.get("outputs") for c in original["cells"]]
    assert "colab" not in changed["cells"][0]["source"] and "(../solutions/README.md)" in changed["cells"][-1]["source"]


def test_output_alt_reads_the_image_outputs_metadata():
    assert course_site.output_alt({"image/png": {"alt": " A plot "}}, "image/png") == "A plot"
    assert course_site.output_alt({"image/png": {"width": 300}}, "image/png") is None
    assert course_site.output_alt({"image/png": {"alt": ""}}, "image/png") is None
    assert course_site.output_alt({}, "image/png") is None


def test_site_repository_is_the_projects_homepage():
    conf = (ROOT / "site" / "conf.py").read_text(encoding="utf-8")
    assert "pyproject.toml" in conf and "Homepage" in conf
    assert pyproject()["project"]["urls"]["Homepage"] == REPOSITORY


def test_site_extra_brings_what_the_build_needs():
    extra = {
        re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower()
        for spec in pyproject()["project"]["optional-dependencies"]["site"]
    }
    assert extra == {"sphinx", "myst-nb", "sphinx-book-theme", "sphinx-mathjax-offline"}


def test_the_site_does_not_import_the_course_package():
    for path in (ROOT / "site").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+regcourse\b", source, flags=re.MULTILINE), path


# --- the checker -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alt, src, problem",
    [
        ("Training and validation error against the degree", "../_images/ab12.png", None),
        (None, "a.png", "no alt attribute"),
        ("   ", "a.png", "empty alt"),
        ("../_images/ab12.png", "../_images/ab12.png", "file path"),
        ("ab12.png", "../_images/ab12.png", "file path"),
        ("figure.svg", "other.png", "file path"),
        ("docs/images/x", "x.png", "file path"),
        ("A plot", "data:image/png;base64,iVBORw0KGgo/A+plot", None),
    ],
)
def test_alt_problem(alt, src, problem):
    found = site_check.alt_problem(alt, src)
    assert (found is None) if problem is None else (problem in found)


def write_site(root: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>{body}</body></html>", encoding="utf-8"
        )
    return root


def test_checker_finds_broken_links_anchors_alt_and_outside_resources(tmp_path):
    site = write_site(
        tmp_path / "site",
        {
            "index.html": '<a href="a/page.html#here">ok</a> <a href="a/page.html#gone">anchor</a>'
            '<a href="missing.html">missing</a> <a href="https://example.org/x">listed</a>'
            '<a href="#top" id="top">self</a> <a href="a/">folder</a>',
            "a/page.html": '<h2 id="here">Here</h2><img src="../_images/f.png" alt="../_images/f.png">'
            '<img src="../_images/f.png" alt="A red square">'
            '<script src="https://cdn.example.org/mathjax.js"></script>'
            '<link rel="stylesheet" href="../style.css"><a href="../index.html"><img src="i.png"></a>',
            "a/index.html": "folder page",
        },
    )
    (site / "_images").mkdir()
    (site / "_images" / "f.png").write_bytes(b"png")
    (site / "a" / "i.png").write_bytes(b"png")
    problems, external, counts = site_check.check_site(site)
    text = "\n".join(problems)
    assert "index.html: <a> a/page.html#gone: no anchor #gone in a/page.html" in text
    assert "index.html: <a> missing.html: no such file" in text
    assert "a/page.html: <link> ../style.css: no such file" in text
    assert "loads https://cdn.example.org/mathjax.js from another site" in text
    assert "has a file path as its alt" in text and "i.png has no alt attribute" in text
    assert len(problems) == 6, text
    assert external == ["https://example.org/x"] and counts["pages"] == 3 and counts["images"] == 3


def test_checker_command_lists_external_links_and_fails_on_problems(tmp_path, capsys):
    site = write_site(tmp_path / "site", {"index.html": '<a href="https://example.org/">out</a>'})
    assert site_check.main([str(site)]) == 0
    assert (tmp_path / "site-external-links.txt").read_text(encoding="utf-8") == "https://example.org/\n"
    assert "0 problems" in capsys.readouterr().out
    write_site(site, {"index.html": '<a href="nowhere.html">x</a>'})
    assert site_check.main([str(site)]) == 1
    assert site_check.main([str(tmp_path / "empty")]) == 2


# --- a small course, built --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    require_site_extra()
    source = small_course(tmp_path_factory.mktemp("course") / "course")
    out = source.parent / "site"
    result = build_site(source, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_small_site_figures_carry_their_output_alt_text(small_site):
    images = parse(small_site / "notebooks" / "00_demo.html").images
    content = [(src, alt) for src, alt in images if "_images/" in src]
    assert [alt for _, alt in content] == [FIGURE_ALT, EXPLORER_ALT]
    assert all(site_check.alt_problem(alt, src) is None for src, alt in content)
    inline = [(src, alt) for src, alt in images if src.startswith("data:image/png")]  # the text/html one
    assert [alt for _, alt in inline] == [HTML_FIGURE_ALT] and site_check.alt_problem(*inline[0][::-1]) is None


def test_small_site_explorer_is_its_static_picture(small_site):
    html = (small_site / "notebooks" / "00_demo.html").read_text(encoding="utf-8")
    assert "widget-view+json" not in html and "widget-state+json" not in html
    assert "jupyter-widgets" not in html and "require.js" not in html


def test_small_site_has_one_set_of_launch_links(small_site):
    for page, path in (
        ("notebooks/00_demo.html", "notebooks/00_demo.ipynb"),
        ("exercises/01_demo.html", "exercises/01_demo.ipynb"),
        ("solutions/01_demo.html", "solutions/01_demo.ipynb"),
    ):
        html = (small_site / page).read_text(encoding="utf-8")
        body = article(small_site / page)
        assert "colab" not in body and "mybinder" not in body, page  # the badges are gone
        expected = course_site.launch_badge_urls(badges(path))
        launch = re.findall(r'<a href="(https://(?:mybinder\.org|colab\.research\.google\.com)/[^"]+)"', html)
        assert sorted(launch) == sorted(expected), page  # the theme's menu: the badges' own URLs
    home = (small_site / "README.html").read_text(encoding="utf-8")
    assert "colab-badge.svg" not in home and ">Open In Colab</a>" in home


def test_small_site_links_resolve(small_site):
    lecture = parse(small_site / "notebooks" / "00_demo.html")
    links = {url for _, url in lecture.links}
    assert {"../README.html#course-map", "../exercises/01_demo.html", "../solutions/README.html"} <= links
    home = {url for _, url in parse(small_site / "README.html").links}
    assert {"exercises/README.html", "solutions/README.html", f"{REPOSITORY}/blob/main/CONTRIBUTING.md"} <= home
    problems, external, _ = site_check.check_site(small_site)
    assert problems == []
    assert f"{REPOSITORY}/blob/main/CONTRIBUTING.md" in external


def test_small_site_math_is_rendered_by_the_bundled_mathjax(small_site):
    html = (small_site / "notebooks" / "00_demo.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html, flags=re.IGNORECASE)
    assert scripts and all(not re.match(r"https?:|//", src) for src in scripts), scripts
    assert all((small_site / "notebooks" / src.split("?")[0]).is_file() for src in scripts)
    assert r"\(\lambda\sum_j |w_j|\)" in html and r"\[R(w) = \lambda \|w\|_1\]" in html


def test_small_site_navigation_and_front_door(small_site):
    home = (small_site / "README.html").read_text(encoding="utf-8")
    order = [
        re.search(rf'href="{re.escape(page)}"', home).start()
        for page in (
            "notebooks/00_demo.html",
            "exercises/README.html",
            "exercises/01_demo.html",
            "solutions/README.html",
            "solutions/01_demo.html",
        )
    ]
    assert order == sorted(order)
    index = (small_site / "index.html").read_text(encoding="utf-8")
    assert 'url=README.html"' in index and 'href="README.html"' in index


def test_small_site_without_alt_text_fails_the_check(tmp_path):
    require_site_extra()
    source = small_course(tmp_path / "course", figure_alt=None)
    result = build_site(source, tmp_path / "site")
    assert result.returncode == 0, result.stdout + result.stderr
    problems, _, _ = site_check.check_site(tmp_path / "site")
    assert len(problems) == 1 and "notebooks/00_demo.html: image ../_images/" in problems[0]
    assert "file path as its alt" in problems[0]


def test_a_broken_link_fails_the_build(tmp_path):
    require_site_extra()
    source = small_course(tmp_path / "course", extra_markdown=" A [broken link](../notebooks/99_missing.ipynb).")
    result = build_site(source, tmp_path / "site")
    assert result.returncode == 1
    assert "99_missing" in result.stderr and "00_demo.ipynb" in result.stderr


# --- the course's own site --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course_site_dir(tmp_path_factory):
    return site_dir_for_tests(tmp_path_factory)


def course_pages() -> list[str]:
    return [
        path.relative_to(ROOT).with_suffix(".html").as_posix()
        for folder in ("notebooks", "exercises", "solutions")
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
    ]


def test_course_site_has_every_page_in_course_order(course_site_dir):
    home = (course_site_dir / "README.html").read_text(encoding="utf-8")
    navigation = home[home.index("bd-docs-nav") :]
    pages = course_pages()
    positions = [navigation.index(f'href="{page}"') for page in pages]
    assert positions == sorted(positions)
    assert navigation.index('href="exercises/README.html"') < navigation.index('href="exercises/01_overfitting.html"')
    assert all((course_site_dir / page).is_file() for page in pages)


def test_course_site_links_anchors_and_resources_are_whole(course_site_dir):
    problems, external, _ = site_check.check_site(course_site_dir)
    assert [p for p in problems if "alt" not in p] == []
    assert external and all(url.startswith(("https://", "http://")) for url in external)


def test_course_site_launch_links_are_the_notebooks_own_badges(course_site_dir):
    for page in course_pages():
        notebook = json.loads((ROOT / page).with_suffix(".ipynb").read_text(encoding="utf-8"))
        expected = course_site.launch_badge_urls("".join(notebook["cells"][0]["source"]))
        html = (course_site_dir / page).read_text(encoding="utf-8")
        launch = re.findall(r'<a href="(https://(?:mybinder\.org|colab\.research\.google\.com)/[^"]+)"', html)
        assert expected and sorted(launch) == sorted(expected), page
        assert "colab-badge" not in article(course_site_dir / page), page


def test_course_site_figures_have_alt_text(course_site_dir):
    """Every image of the site has real alt text. Fails until the figures and explorers save
    theirs in the outputs' metadata ({"image/png": {"alt": ...}}); the message names each page."""
    problems, _, _ = site_check.check_site(course_site_dir)
    missing = [p for p in problems if "alt" in p]
    by_page: dict[str, int] = {}
    for problem in missing:
        by_page[problem.split(":")[0]] = by_page.get(problem.split(":")[0], 0) + 1
    pages = ", ".join(f"{page} ({count})" for page, count in by_page.items())
    assert not missing, f"{len(missing)} images without alt text: {pages}"

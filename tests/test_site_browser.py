"""The course website in headless Chromium: axe-core finds no critical or serious accessibility
violation in the course's pages, in the light and the dark colour scheme; every figure has real
alt text; math is typeset by the bundled MathJax; explorers are pictures; and no page asks the
network for anything.

    python -m pip install -e ".[site,browser]" axe-playwright-python   # axe-core 4.12 comes in it
    python -m pytest -m browser tests/test_site_browser.py

Marker ``browser`` (deselected by default). The site is REGCOURSE_SITE_DIR when set (.ci/run
builds it just before), else built into a temporary folder. Without Playwright, Chromium or
axe-core the tests skip, unless REGCOURSE_REQUIRE_BROWSER=1 (.ci/run), where they fail.
Screenshots of each page go to build/screenshots/site-*.png.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from _browser import CHROMIUM_ARGS, chromium_path, screenshot_dir
from _project import ROOT
from _site import load, site_dir_for_tests

pytestmark = pytest.mark.browser
site_check = load("check")

# The pages axe checks: the home page; a lecture with figures, math and an explorer (04); a lecture
# with an explorer and figures (01); an exercise notebook, whose outputs are the checks' HTML feedback.
PAGES = ["README.html", "notebooks/04_l1_lasso.html", "notebooks/01_overfitting.html", "exercises/04_l1_lasso.html"]
FAILING_IMPACTS = {"critical", "serious"}

# Violations of the theme's own markup that the course cannot fix, each excused for one rule
# inside one selector, with its reason: (rule id, CSS selector, reason). Empty today: the one
# serious theme issue found (rule summary-name: the book theme's collapsible sidebar sections have a
# <summary> toggle with an icon and no name) is avoided by a one-level navigation (site/course_site.py,
# site_navigation). Minor and moderate findings (the theme's sidebar brand outside a landmark, an
# empty table header in the README's instructor table, the exercises' <h4> score after <h1>) are
# reported by axe but do not fail the test.
THEME_EXCEPTIONS: list[tuple[str, str, str]] = []


def unavailable(reason: str):
    if os.environ.get("REGCOURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REGCOURSE_REQUIRE_BROWSER=1: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def axe_script() -> Path:
    try:
        import axe_playwright_python
    except ImportError:
        unavailable("axe-core is not installed: python -m pip install axe-playwright-python (it ships axe.min.js)")
    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """The built site, served on 127.0.0.1 for the module's tests."""
    site = site_dir_for_tests(tmp_path_factory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable('Playwright is not installed: python -m pip install -e ".[browser]"')
    executable = chromium_path()
    if executable is None or not os.access(executable, os.X_OK):
        unavailable("Chromium is not installed: apt-get install chromium (or set REGCOURSE_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """One page in one colour scheme; requests that leave 127.0.0.1 are refused and recorded."""

    def __init__(self, chromium, base: str, page: str, scheme: str = "light"):
        self.context = chromium.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []

        def route(route):
            if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.goto(base + page)
        self.page.wait_for_load_state("networkidle")
        # MathJax typesets after load; wait for it where the page has it.
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        self.name = page
        self.scheme = scheme

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(chromium, site_url):
    opened: dict[tuple[str, str], Visit] = {}

    def visit(page: str, scheme: str = "light") -> Visit:
        if (page, scheme) not in opened:
            opened[(page, scheme)] = Visit(chromium, site_url, page, scheme)
        return opened[(page, scheme)]

    yield visit
    for opened_visit in opened.values():
        opened_visit.close()


_EXCUSED = """
([violations, exceptions]) => violations.map(v => ({...v, nodes: v.nodes.filter(node => {
  const element = document.querySelector(node.target[node.target.length - 1]);
  return !exceptions.some(([rule, selector]) => rule === v.id && element && element.closest(selector));
})})).filter(v => v.nodes.length > 0)
"""


def axe_violations(visit: Visit, axe: Path) -> list[dict]:
    """axe-core's violations of the page, the theme's excused ones taken out."""
    visit.page.add_script_tag(path=str(axe))
    results = visit.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return visit.page.evaluate(_EXCUSED, [results["violations"], [[rule, sel] for rule, sel, _ in THEME_EXCEPTIONS]])


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']} {node['html'][:160]}" for node in violation["nodes"][:8]]
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_serious_violation(visits, page, scheme):
    axe = axe_script()
    visit = visits(page, scheme)
    visit.page.screenshot(path=str(screenshot_dir() / f"site-{page.replace('/', '-')[:-5]}-{scheme}.png"))
    violations = axe_violations(visit, axe)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    print(f"{page} ({scheme}): axe found {describe(violations) or 'nothing'}")  # shown with -rA or -s
    assert not failing, f"{page} ({scheme}):\n{describe(failing)}"


def test_theme_exceptions_have_reasons():
    for rule, selector, reason in THEME_EXCEPTIONS:
        assert rule and selector and len(reason.split()) >= 5, (rule, selector, reason)


@pytest.mark.parametrize("page", PAGES[:3])
def test_pages_ask_nothing_of_the_network(visits, page):
    visit = visits(page)
    assert visit.outside == [], f"{page} requested {visit.outside}"


def test_math_is_typeset_offline(visits):
    visit = visits("notebooks/04_l1_lasso.html")
    typeset = visit.page.evaluate("() => document.querySelectorAll('article mjx-container').length")
    errors = visit.page.evaluate("() => document.querySelectorAll('article mjx-merror').length")
    raw = visit.page.evaluate("() => document.querySelectorAll('article .math').length")
    assert typeset > 0 and typeset >= raw and errors == 0, (typeset, raw, errors)


@pytest.mark.parametrize("page", ["notebooks/01_overfitting.html", "notebooks/04_l1_lasso.html"])
def test_explorers_are_their_saved_pictures(visits, page):
    """Each image output of the notebook (figures and explorers) is one picture on the page, shown."""
    notebook = json.loads((ROOT / page).with_suffix(".ipynb").read_text(encoding="utf-8"))
    outputs = [output.get("data", {}) for cell in notebook["cells"] for output in cell.get("outputs", [])]
    figures = sum("image/png" in data for data in outputs)  # (a figure's HTML twin is not shown as well)
    # a saved explorer: its picture as an <img> in HTML only (regcourse.widgets.STATIC_IMAGE_KEY)
    explorers = sum("image/png" not in data and "<img" in "".join(data.get("text/html", "")) for data in outputs)
    shown = visits(page).page.evaluate("""() => [...document.querySelectorAll('article .cell_output img')]
        .map(img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0)""")
    assert explorers >= 1 and len(shown) == figures + explorers and all(shown), (page, figures, explorers, shown)


@pytest.mark.parametrize("page", PAGES[:3])
def test_every_image_has_real_alt_text(visits, page):
    """axe accepts any non-empty alt, a file path too; this does not. Fails until the figures and
    explorers save their alt text in the outputs' metadata."""
    images = visits(page).page.evaluate("""() => [...document.querySelectorAll('article img')]
        .map(img => [img.getAttribute('src'), img.getAttribute('alt')])""")
    problems = [f"{src}: {why}" for src, alt in images if (why := site_check.alt_problem(alt, src))]
    assert not problems, f"{page}: {len(problems)} of {len(images)} images:\n" + "\n".join(problems)

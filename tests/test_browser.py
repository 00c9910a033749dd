"""The course where learners use it: JupyterLab in a real browser (headless Chromium).

    python -m pip install -e ".[dev,browser]"   # and Chromium: apt-get install chromium
    python -m pytest -m browser

Deselected by default (pyproject's addopts say ``-m "not browser"``); without Playwright or
Chromium these tests skip, except under REGCOURSE_REQUIRE_BROWSER=1 (set by .ci/run), where
they fail. Screenshots go to build/screenshots/ (or REGCOURSE_SCREENSHOTS);
REGCOURSE_README_IMAGE=1 also refreshes docs/images/geometry_explorer.png, the README's picture.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile

import nbformat
import numpy as np
import pytest
from PIL import Image

from _browser import (
    CHROMIUM_ARGS,
    JupyterLab,
    cell_locator,
    chromium_path,
    html_outputs,
    jupyterlab_missing,
    open_notebook,
    problems,
    run_all,
    screenshot_dir,
    wait_until_idle,
)
from _project import ROOT

pytestmark = pytest.mark.browser

README_IMAGE = ROOT / "docs" / "images" / "geometry_explorer.png"


def unavailable(reason: str):
    if os.environ.get("REGCOURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REGCOURSE_REQUIRE_BROWSER=1: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable('Playwright is not installed: python -m pip install -e ".[browser]"')
    executable = chromium_path()
    if executable is None or not os.access(executable, os.X_OK):
        unavailable("Chromium is not installed: apt-get install chromium (or set REGCOURSE_CHROMIUM)")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="regcourse-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def lab(browser):
    from importlib.metadata import version

    if int(version("ipywidgets").split(".")[0]) < 8:  # e.g. after .ci/run's downgrade to Colab's 7.7.1
        unavailable(f"JupyterLab 4 renders widgets of ipywidgets 8, and this environment has {version('ipywidgets')}")
    missing = jupyterlab_missing()
    if missing:
        unavailable(missing)
    server = JupyterLab()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def page(browser, lab):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    crashes: list[str] = []
    page.on("pageerror", lambda error: crashes.append(str(error)))
    yield page
    page.close()
    assert not crashes, f"JavaScript errors in JupyterLab: {crashes}"


def code_sources(path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]


def first_lecture_calling(name: str) -> str:
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if any(f"{name}(" in source for _, source in code_sources(path)):
            return f"notebooks/{path.name}"
    pytest.fail(f"no lecture calls {name}()")


def png_of(image) -> str:
    """The picture an <img> shows, as a PNG data URL (the Image widget's src is a blob: URL)."""
    return image.evaluate("""(img) => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext('2d').drawImage(img, 0, 0);
      return canvas.toDataURL('image/png');
    }""")


def pixels(data_url: str) -> np.ndarray:
    import base64

    png = base64.b64decode(data_url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def content_clip(page, locator) -> dict:
    """The widget's box, cropped on the right to what it shows (a VBox spans the notebook's width)."""
    return locator.evaluate("""(box) => {
      const outer = box.getBoundingClientRect();
      let right = outer.left;
      for (const node of box.querySelectorAll('.widget-hbox > * > *, img, [role=status]')) {
        right = Math.max(right, node.getBoundingClientRect().right);
      }
      return {x: outer.left, y: outer.top, width: Math.min(right, outer.right) - outer.left + 12, height: outer.height};
    }""")


def test_the_error_check_sees_a_traceback_and_stderr(page, lab):
    """The assertion the lecture test relies on, proven on a notebook that fails."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(source)
        for source in (
            'print("fine")',
            'import sys\nprint("a warning on stderr", file=sys.stderr)',
            "1 / 0",
            'print("never runs")',
        )
    ]
    nbformat.write(notebook, lab.root / "failing.ipynb")
    open_notebook(page, lab, "failing.ipynb")
    run_all(page, "failing.ipynb")
    found = problems(page, "failing.ipynb")
    page.screenshot(path=screenshot_dir() / "browser_error_check.png")
    assert [(p["cell"], p["kind"]) for p in found["saved"]] == [(1, "stderr"), (2, "error")]
    assert "ZeroDivisionError" in found["saved"][1]["text"]
    rendered = {p["cell"]: p["text"] for p in found["rendered"]}
    assert set(rendered) == {1, 2}
    assert "a warning on stderr" in rendered[1] and "ZeroDivisionError" in rendered[2]
    assert not html_outputs(page, "failing.ipynb", 3)  # Run All stopped at the error
    assert cell_locator(page, "failing.ipynb", 3).locator(".jp-OutputArea-output").count() == 0


def test_a_lecture_runs_all_cells_and_its_geometry_explorer_follows_the_slider(page, lab):
    path = first_lecture_calling("geometry_explorer")
    shots = screenshot_dir()
    open_notebook(page, lab, path)
    run_all(page, path)
    assert problems(page, path) == {"saved": [], "rendered": []}, f"{path} shows errors in JupyterLab"
    page.screenshot(path=shots / "lecture_run_all.png")

    # The explorer: a widget view, with the budget slider, and one picture. Its output also carries a
    # static picture for readers without a kernel, which JupyterLab must not show beside the live one.
    budget = page.get_by_role("slider", name="budget", exact=True)  # found by its accessible name
    explorer = page.locator(".widget-vbox", has=budget).last
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.regcourse-picture")
    image.wait_for()
    cell = next(i for i, source in code_sources(ROOT / path) if "geometry_explorer(" in source)
    outputs = cell_locator(page, path, cell).locator(".jp-OutputArea-output")
    assert outputs.count() == 1 and outputs.locator("img").count() == 1, (
        "the explorer's cell shows more than one picture"
    )
    readout = explorer.get_by_role("status")
    assert "budget 1.00" in readout.inner_text()
    before = png_of(image)
    page.screenshot(path=shots / "geometry_explorer_before.png", clip=content_clip(page, explorer))
    if os.environ.get("REGCOURSE_README_IMAGE") == "1":
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=README_IMAGE, clip=content_clip(page, explorer))

    # A learner moves the budget slider (a native range input): it takes the focus and six presses
    # of the left arrow key, one step (0.05) each.
    budget.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    readout.filter(has_text="budget 0.70").wait_for()
    wait_until_idle(page, path)  # the kernel has drawn the last frame
    assert budget.get_attribute("aria-valuetext") == "0.70"
    after = png_of(image)
    page.screenshot(path=shots / "geometry_explorer_after.png", clip=content_clip(page, explorer))
    assert after != before
    old, new = pixels(before), pixels(after)
    assert old.shape == new.shape and np.abs(old - new).sum() > 0  # the figure changed
    assert "budget 0.70" in image.get_attribute("alt")  # the alt text follows the picture
    assert problems(page, path) == {"saved": [], "rendered": []}  # and no callback failed


def test_an_exercise_notebook_shows_the_checks_feedback(page, lab):
    exercise = min((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    path = f"exercises/{exercise.name}"
    sources = dict(code_sources(exercise))
    checks = [i for i, source in sources.items() if re.search(r"^check\(", source, flags=re.MULTILINE)]
    assert checks, f"{path} has no check(...) cell"
    shots = screenshot_dir()
    open_notebook(page, lab, path)
    run_all(page, path)
    assert problems(page, path) == {"saved": [], "rendered": []}
    for i in checks:
        feedback = html_outputs(page, path, i)
        assert len(feedback) == 1 and "not attempted" in feedback[0], (i, feedback)
    cell_locator(page, path, checks[0]).scroll_into_view_if_needed()
    page.screenshot(path=shots / "exercise_not_attempted.png")

    # The learner writes the answer (here: the worked solution's code) into the first exercise
    # cell and runs it and the check below it with Shift+Enter.
    first = next(i for i, source in sources.items() if "# YOUR CODE HERE" in source)
    solution = dict(code_sources(ROOT / "solutions" / exercise.name))[first]
    assert "### BEGIN SOLUTION" in solution
    target = next(i for i in checks if i >= first)
    cell_locator(page, path, first).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(solution)
    for _ in range(target - first + 1):
        page.keyboard.press("Shift+Enter")
    feedback = cell_locator(page, path, target).locator('.jp-OutputArea-output[data-mime-type="text/html"]')
    feedback.filter(has_text="passed").wait_for()
    wait_until_idle(page, path)
    text = html_outputs(page, path, target)
    assert len(text) == 1 and "✅" in text[0] and "passed" in text[0], text
    assert problems(page, path) == {"saved": [], "rendered": []}
    cell_locator(page, path, first).scroll_into_view_if_needed()
    page.screenshot(path=shots / "exercise_passed.png")


# --- accessibility of the explorers -------------------------------------------------------------------

BLOCKING = {"critical", "serious"}


def axe_violations(page, locator) -> list[dict]:
    """axe-core's violations inside ``locator`` only (the copy that axe-playwright-python ships)."""
    try:
        import axe_playwright_python
    except ImportError:
        unavailable('axe-playwright-python is not installed: python -m pip install -e ".[browser]"')
    from pathlib import Path

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    return locator.evaluate("""async (node) => {
      const result = await axe.run(node, {resultTypes: ['violations']});
      return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")


def explorer_cells(path: str) -> list[int]:
    return [i for i, source in code_sources(ROOT / path) if re.search(r"\b\w+_explorer\(", source)]


def test_the_lp_explorer_is_accessible_keeps_p_at_2_and_its_natural_size(page, lab):
    """Lecture 10's explorer, run in JupyterLab: no critical or serious axe violation of its own, each
    control named (sliders by their labels, the toggle buttons' state in aria-pressed elsewhere), the
    value read out as text, the numbers a live region, the picture with alt text at its natural size,
    and p = 2 still 2 once the slider has rendered (a log slider snapped it to 1.99)."""
    path = first_lecture_calling("lp_explorer")
    open_notebook(page, lab, path)
    run_all(page, path)
    assert problems(page, path) == {"saved": [], "rendered": []}
    (cell,) = [i for i in explorer_cells(path) if "lp_explorer(" in dict(code_sources(ROOT / path))[i]]
    output = cell_locator(page, path, cell).locator(".jp-OutputArea-output")
    assert output.count() == 1
    output.scroll_into_view_if_needed()
    p = output.get_by_role("slider", name="p", exact=True)
    budget = output.get_by_role("slider", name="budget", exact=True)
    image = output.get_by_role("img")
    status = output.get_by_role("status")
    image.wait_for()
    assert p.get_attribute("aria-valuetext") == "2" and budget.get_attribute("aria-valuetext") == "1.00"
    assert "p = 2.00" in status.inner_text() and status.get_attribute("aria-live") == "polite"
    assert "for p = 2:" in image.get_attribute("alt")
    size = image.evaluate(
        "(img) => [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width, "
        "img.getBoundingClientRect().height]"
    )
    assert size == [520, 500, 520, 500], f"the picture is not shown at its natural size: {size}"
    found = axe_violations(page, output)
    page.screenshot(path=screenshot_dir() / "lp_explorer.png", clip=content_clip(page, output))
    assert not [v for v in found if v["impact"] in BLOCKING], found

    p.focus()
    page.keyboard.press("ArrowRight")  # the next round value
    status.filter(has_text="p = 2.25").wait_for()
    wait_until_idle(page, path)
    assert p.get_attribute("aria-valuetext") == "2.25" and "for p = 2.25:" in image.get_attribute("alt")
    assert problems(page, path) == {"saved": [], "rendered": []}


def test_the_geometry_explorers_toggles_say_which_is_pressed_and_nothing_serious_is_left(page, lab):
    path = first_lecture_calling("geometry_explorer")
    open_notebook(page, lab, path)
    run_all(page, path)
    (cell,) = [i for i in explorer_cells(path) if "geometry_explorer(" in dict(code_sources(ROOT / path))[i]]
    output = cell_locator(page, path, cell).locator(".jp-OutputArea-output")
    output.scroll_into_view_if_needed()
    penalty = output.get_by_role("group", name="penalty")
    penalty.wait_for()
    assert [b.get_attribute("aria-pressed") for b in penalty.get_by_role("button").all()] == ["true", "false", "false"]
    names = [s.get_attribute("aria-valuetext") for s in output.get_by_role("slider").all()]
    assert names == ["1.00", "0.5", "0.50", "1.6", "0.4", "0.40"]  # λ = 0.5, not the exponent -0.30103
    for name in ("budget", "λ", "L1 share", "centre w₁", "centre w₂", "correlation"):
        assert output.get_by_role("slider", name=name, exact=True).count() == 1, name
    penalty.get_by_role("button", name="L2").click()
    output.get_by_role("status").filter(has_text="L2").wait_for()
    wait_until_idle(page, path)
    assert [b.get_attribute("aria-pressed") for b in penalty.get_by_role("button").all()] == ["false", "true", "false"]
    assert output.get_by_role("img").get_attribute("alt").startswith("L2 (ridge)")
    found = axe_violations(page, output)
    assert not [v for v in found if v["impact"] in BLOCKING], found


def test_a_saved_lecture_shows_each_explorer_as_one_picture_with_alt_text_before_it_runs(page, lab):
    """Opened without running: the saved picture (no widget state, so no "model not found" error and
    no second picture), with alt text, and nothing serious for axe."""
    path = first_lecture_calling("lp_explorer")
    open_notebook(page, lab, path)
    for cell in explorer_cells(path):
        output = cell_locator(page, path, cell).locator(".jp-OutputArea-output")
        output.first.scroll_into_view_if_needed()
        assert output.count() == 1, f"cell {cell}: {output.count()} outputs"
        image = output.locator("img")
        assert image.count() == 1 and len(image.get_attribute("alt")) > 80, f"cell {cell}"
        assert "Error" not in output.inner_text() and "model not found" not in output.inner_text()
        found = axe_violations(page, output)
        assert not [v for v in found if v["impact"] in BLOCKING], found


COURSE_NOTEBOOKS = sorted(
    f"{folder}/{path.name}"
    for folder in ("notebooks", "exercises", "solutions")
    for path in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")
)


# JupyterLab's own elements inside rendered Markdown, excluded from the course's content:
# - .jp-collapseHeadingButton: the button JupyterLab puts in every heading to fold its section,
#   without an accessible name (axe button-name, critical): JupyterLab's code, not the course's.
JUPYTERLABS_OWN = [".jp-collapseHeadingButton"]


def course_content_violations(page) -> list[dict]:
    """axe-core on what the course wrote in the open notebook, as saved: every rendered Markdown cell
    and every output (JupyterLab's own toolbars, prompts and editors are JupyterLab's, not ours)."""
    from pathlib import Path

    import axe_playwright_python  # the browser extra brings it; axe_violations says so when missing

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    return page.evaluate(
        """async (own) => {
      const nodes = [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput, '
        + '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')];
      const result = await axe.run({include: nodes, exclude: own}, {resultTypes: ['violations']});
      return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""",
        JUPYTERLABS_OWN,
    )


def pictures_without_a_description(page) -> list[str]:
    """The alt text of each picture in the open notebook's outputs that does not describe it: none,
    empty, or the "Image" JupyterLab puts on a picture that has none (axe accepts that one)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img')]
      .map(img => img.getAttribute('alt') ?? '')
      .filter(alt => alt.trim().length < 20 || alt === 'Image')""")


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS)
def test_the_course_content_has_no_critical_or_serious_axe_violation(page, lab, path):
    """Every lecture, exercise and solution as saved, opened in JupyterLab: its prose, figures
    (alt text), tables and explorer pictures pass axe-core's critical and serious rules."""
    open_notebook(page, lab, path)
    rendered = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput"
    try:  # the kernel is idle before JupyterLab has rendered every cell (seen once in CI: 3 of them)
        page.wait_for_function(f"() => document.querySelectorAll({rendered!r}).length > 3", timeout=30_000)
    except Exception:  # noqa: BLE001 — Playwright's timeout; the assertion below says what was missing
        pass
    count = page.locator(rendered).count()
    assert count > 3, f"{path}: only {count} Markdown cells rendered"
    found = course_content_violations(page)
    assert not [v for v in found if v["impact"] in BLOCKING], found
    assert pictures_without_a_description(page) == []


def test_the_content_check_sees_a_picture_without_alt_text(page, lab):
    """The check above can fail: a notebook whose output is a picture with no alt text is caught."""
    from nbformat.v4 import new_markdown_cell, new_notebook, new_output

    probe = lab.root / "notebooks" / "axe_probe.ipynb"  # the course copy JupyterLab serves
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    notebook = new_notebook(cells=[new_markdown_cell(f"# Probe\n\nText {i}.") for i in range(5)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells.append(nbformat.v4.new_code_cell("picture()"))
    notebook.cells[-1].outputs = [
        new_output("display_data", data={"text/html": f'<img src="data:image/png;base64,{png}">'})
    ]
    nbformat.write(notebook, probe)
    try:
        open_notebook(page, lab, "notebooks/axe_probe.ipynb")
        undescribed = pictures_without_a_description(page)
    finally:
        probe.unlink()
    # JupyterLab gives such a picture alt="Image", which satisfies axe's image-alt rule and says nothing
    assert undescribed == ["Image"]

"""The README tells the truth: its two commands, its links, its example, its course map."""

import json
import re

import numpy as np
import pytest

from _project import ROOT, pyproject

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return [block.strip() for block in re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)]


def quick_start_steps() -> list[tuple[str, list[str]]]:
    """The quick start's numbered steps ("**1. A virtual environment.**", ...) with their code
    blocks, in order, up to the first note that is not a step (conda)."""
    quick_start = section("Quick start")
    parts = re.split(r"^\*\*(\d+\. [^*]+)\*\*", quick_start, flags=re.M)
    steps = []
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        steps.append((title, code_blocks(re.split(r"^\*\*", body, flags=re.M)[0], "bash")))
    return steps


def quick_start_commands() -> list[str]:
    """The two commands: the last step's code blocks."""
    title, blocks = quick_start_steps()[-1]
    assert "two commands" in title, title
    return blocks


def test_quick_start_has_exactly_two_one_line_commands():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands), commands


def test_a_reader_makes_a_venv_and_gets_cpu_torch_before_the_two_commands():
    """Read top to bottom, the quick start must not install anything into the system's Python,
    nor let Linux's pip fetch the CUDA build of torch before the CPU wheel is there."""
    steps = quick_start_steps()
    assert [len(blocks) for _, blocks in steps] == [1, 1, 2], steps
    (venv_title, [venv]), (torch_title, [cpu_torch]), _ = steps
    assert "virtual environment" in venv_title and re.search(r"-m venv (\S+) && source \1/bin/activate$", venv)
    assert "Linux" in torch_title and "CPU" in torch_title
    assert cpu_torch == "python -m pip install torch --index-url https://download.pytorch.org/whl/cpu"
    venv_folder = re.search(r"-m venv (\S+)", venv).group(1)
    assert f"{venv_folder}/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_first_command_installs_the_lab_and_opens_an_existing_notebook():
    install_and_open = quick_start_commands()[0]
    assert 'pip install -e ".[lab]"' in install_and_open
    # A notebook path alone would make its folder the server's root, hiding exercises/.
    notebook = re.search(r"jupyter lab --notebook-dir=\. (\S+\.ipynb)$", install_and_open).group(1)
    assert (ROOT / notebook).is_file()


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = quick_start_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines
    assert "python -m pip install --quiet torch==2.13.0" in ci_lines
    assert ci_lines.index("python -m pip install --quiet torch==2.13.0") < ci_lines.index(test_command)


def documents_with_links():
    yield ROOT / "README.md", README
    yield ROOT / "CONTRIBUTING.md", (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for path in sorted(ROOT.glob("*/*.ipynb")):  # notebooks/, solutions/, exercises/
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_relative_links_point_to_files_that_exist():
    for path, text in documents_with_links():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: broken link {target}"


def test_every_repository_url_names_the_one_repository():
    homepage = pyproject()["project"]["urls"]["Homepage"]
    repository = re.fullmatch(r"https://github.com/([\w.-]+/[\w.-]+)", homepage).group(1)
    texts = [text for _, text in documents_with_links()]
    texts += [path.read_text(encoding="utf-8") for path in ROOT.glob("*/*.ipynb")]
    patterns = [
        r"github\.com/([\w.-]+/[\w.-]+?)(?:/|\.git|\"|\)|@|$)",  # @: a setup cell's git+URL@tag
        r"/gh/([\w.-]+/[\w.-]+?)/",
        r"/github/([\w.-]+/[\w.-]+?)/",
    ]
    found = {match for text in texts for pattern in patterns for match in re.findall(pattern, text, flags=re.M)}
    assert found == {repository}


def test_course_map_links_every_lecture():
    course_map = section("Course map")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{path.name})" in course_map, f"{path.name} is missing from the course map"


def test_the_package_example_gives_the_values_its_comments_state():
    example = code_blocks(section("The package in one minute"), "python")[0]
    namespace: dict = {}
    exec(example, namespace)  # the block itself must run
    checked = 0
    for line in example.splitlines():
        code, _, comment = line.partition("#")
        stated = re.search(r"=\s+([\d.]+)", comment)
        if re.fullmatch(r"(L1|L2|ElasticNet)\(.*\)\(w\)", code.strip()) and stated:
            assert float(eval(code, namespace)) == pytest.approx(float(stated.group(1))), line
            checked += 1
    assert checked == 3
    np.testing.assert_allclose(eval("L1(0.1).prox(w, step=10.0)", namespace), [0.0, -1.0, 0.0, 2.0])


def test_the_emoji_font_note_names_the_words_the_feedback_really_shows():
    from regcourse.exercises._result import _LOOK, FAILED, NOT_ATTEMPTED, PASSED

    assert "fonts-noto-color-emoji" in README
    for status in (PASSED, FAILED, NOT_ATTEMPTED):
        icon, word, _, _ = _LOOK[status]
        assert icon in README and f'"{word}"' in README, word

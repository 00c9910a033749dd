"""Paths and files of the project, shared by the tests that check the set-up."""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def chapter_answer_modules() -> list:
    """The modules tests/answers_chNN.py: right and wrong answers of one chapter's exercises."""
    import importlib

    return [importlib.import_module(path.stem) for path in sorted((ROOT / "tests").glob("answers_ch*.py"))]

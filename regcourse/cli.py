"""The ``regcourse`` command (also ``python -m regcourse``).

Subcommands:
    info      versions of the course and of the libraries it uses, and whether each imports
    execute   (maintainers) run notebooks top to bottom and save them with their outputs
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys

import regcourse
from regcourse._keras import import_keras

# The libraries the notebooks use, with the module name to import.
COURSE_LIBRARIES = {
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "scikit-learn": "sklearn",
    "torch": "torch",
    "keras": "keras",
    "tqdm": "tqdm",
}


def _library_report() -> list[tuple[str, str]]:
    rows = []
    for name, module_name in COURSE_LIBRARIES.items():
        try:
            module = import_keras() if name == "keras" else importlib.import_module(module_name)
        except Exception as err:  # a broken install should be reported, not crash the report
            rows.append((name, f"missing ({type(err).__name__}: {err})"))
        else:
            rows.append((name, getattr(module, "__version__", "unknown version")))
    return rows


def cmd_info(args: argparse.Namespace) -> int:
    print(f"regcourse {regcourse.__version__}")
    print(f"python    {platform.python_version()} ({sys.executable})")
    rows = _library_report()
    width = max(len(name) for name, _ in rows)
    for name, version in rows:
        print(f"{name:<{width}}  {version}")
    missing = [name for name, version in rows if version.startswith("missing")]
    if missing:
        print(f"\nMissing: {', '.join(missing)}. See the README for how to install the course.")
        return 1
    return 0


def cmd_execute(args: argparse.Namespace) -> int:
    from regcourse.authoring import execute_notebook

    for path in args.notebooks:
        seconds = execute_notebook(path, timeout=args.timeout)
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regcourse",
        description="Tools for the regularization course: check your setup, build and grade exercises.",
    )
    parser.add_argument("--version", action="version", version=f"regcourse {regcourse.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser("info", help="show the versions of the course and its libraries")
    info.set_defaults(func=cmd_info)
    execute = commands.add_parser(
        "execute", help="(maintainers) run notebooks in a fresh kernel and save their outputs"
    )
    execute.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    execute.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell (default 120)")
    execute.set_defaults(func=cmd_execute)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)

"""regcourse.conventions is split by job: conversion formulas apart from the live verification.
The public names stay where notebooks import them, and imports run one way."""

import ast
import subprocess
import sys
from pathlib import Path

import regcourse.conventions as conventions

PACKAGE = Path(conventions.__file__).parent
CONVERSIONS = ("sklearn_models", "torch_optimizers", "keras_regularizers", "glmnet_settings")


def package_imports(module: str) -> set[str]:
    """The regcourse.conventions submodules that ``module`` imports, at any depth of its code."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("regcourse.conventions."):
            found.add(node.module.rsplit(".", 1)[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "regcourse.conventions":
            found.add("__init__")
    return found


def test_every_public_name_is_importable_from_the_package():
    for name in conventions.__all__:
        assert callable(getattr(conventions, name)), name
    assert {
        "to_sklearn",
        "from_sklearn",
        "torch_weight_decay",
        "from_torch_weight_decay",
        "to_keras",
        "from_keras",
        "to_glmnet",
        "from_glmnet",
        "verification_table",
    } <= set(conventions.__all__)


def test_imports_run_one_way():
    assert package_imports("_checks") == set()
    for module in CONVERSIONS:  # the formulas know nothing of each other or of the verification
        assert package_imports(module) <= {"_checks"}, module
    assert package_imports("verification") <= {"_checks", *CONVERSIONS}
    assert {p.stem for p in PACKAGE.glob("*.py")} == {"__init__", "_checks", "verification", *CONVERSIONS}


def test_the_formulas_and_the_verification_import_no_heavy_library():
    code = (
        "import sys, regcourse.conventions, regcourse.conventions.verification; "
        "print(sorted(m for m in ('sklearn', 'torch', 'keras', 'glmnet', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

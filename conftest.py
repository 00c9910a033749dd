"""Project-wide pytest set-up, loaded for tests/, notebooks/, solutions/ and exercises/ alike.

Notebook kernels inherit this process's environment when nbval starts them, so the
variables they need are set here: Keras on the torch backend and a non-interactive matplotlib
backend for every kernel; strict checks (anything but a pass raises) for lectures and
solutions, and not for exercises, whose saved outputs are the untouched state (📝 on every
check), compared by nbval like any other output.

nbval compares every output (strict) by default: pyproject's addopts pass ``--nbval``, so
``python -m pytest --nbval notebooks/03_l2_ridge.ipynb`` is strict as nbval users expect;
``--nbval-lax`` on the command line compares only cells tagged ``nbval-check-output``.
"""

import os
from pathlib import Path

import pytest

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("MPLBACKEND", "Agg")
# torch's portable CPU kernels and MKL's processor-independent path, as when the saved outputs were
# made (regcourse.authoring.REPRODUCIBLE, repeated here so that nothing is imported before it is set):
# the processor's own SIMD paths round differently and move the third digit of a 600-epoch training's loss.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")
os.environ.setdefault("MKL_CBWR", "COMPATIBLE")
os.environ["REGCOURSE_STRICT"] = "1"


def is_exercise_notebook(path: Path, root: Path) -> bool:
    return path.suffix == ".ipynb" and (root / "exercises") in path.resolve().parents


# A figure's text/html output is its PNG in an <img alt="…"> (regcourse.plots._style.figure_class):
# nbval compares the alt text, not the PNG's bytes (images are not compared).
EMBEDDED_PNG = (r'src="data:image/png;base64,[A-Za-z0-9+/=\s]*"', 'src="data:image/png;base64,…"')


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before nbval starts a notebook's kernel: strict checks for lectures and solutions only."""
    path = Path(str(item.fspath))
    if path.suffix != ".ipynb":
        return
    patterns = getattr(item.parent, "sanitize_patterns", None)
    if patterns is not None:
        patterns.setdefault(*EMBEDDED_PNG)
    if is_exercise_notebook(path, item.config.rootpath.resolve()):
        os.environ.pop("REGCOURSE_STRICT", None)
    else:
        os.environ["REGCOURSE_STRICT"] = "1"

"""Project-wide pytest set-up, loaded for tests/, notebooks/ and solutions/ alike.

Notebook kernels inherit this process's environment when nbval starts them, so the
variables they need are set here: Keras on the torch backend, a non-interactive matplotlib
backend, and strict checks (anything but a pass raises) for every notebook that is tested.
Exercise notebooks are never run by nbval; tests/test_exercise_notebooks.py runs them
without strict mode and asserts that no check passes.
"""

import os

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["REGCOURSE_STRICT"] = "1"

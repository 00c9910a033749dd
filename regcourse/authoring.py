"""Maintainer tools for the course's notebooks.

``execute_notebook`` runs a notebook top to bottom in a fresh kernel and saves it with its
outputs, the way lectures and solutions are committed: no timing metadata, so re-running an
unchanged, seeded notebook leaves the file unchanged.
"""

from __future__ import annotations

import time
from pathlib import Path


def execute_notebook(path: str | Path, *, timeout: int = 120, kernel_name: str = "python3") -> float:
    """Execute the notebook at ``path`` in place and return the wall time in seconds.

    Raises ``nbclient.exceptions.CellExecutionError`` (naming the cell) if a cell fails;
    the file is then left as it was.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    nbformat.write(notebook, path)
    return elapsed

"""Maintainer tools for the course's notebooks.

``execute_notebook`` runs a notebook top to bottom in a fresh kernel and saves it with its
outputs, the way lectures and solutions are committed: no timing metadata, so re-running an
unchanged, seeded notebook leaves the file unchanged.

``build_exercises`` writes exercises/ from solutions/ and executes each exercise notebook it
writes, untouched and outside strict mode, so exercises/ keeps the outputs a learner sees
before answering (📝 on every check) and nbval can compare them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# Variables that change what a check does; an exercise notebook runs without them (a learner's
# kernel has neither), so its saved outputs show "not attempted" rather than an error.
CHECK_VARIABLES = ("REGCOURSE_STRICT", "REGCOURSE_CHECK_LOG")


# The kernel that makes a notebook's saved outputs uses torch's portable CPU kernels and MKL's
# processor-independent code path: both pick SIMD kernels by processor otherwise, which round
# differently (torch's AVX-512 kernels on an Intel machine, MKL's paths on an AMD one, each moved
# the third digit of a 600-epoch training's loss), and the saved outputs must be the same wherever
# they are made and checked (conftest.py sets the same for nbval).
REPRODUCIBLE = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}


def execute_notebook(
    path: str | Path, *, timeout: int = 120, kernel_name: str = "python3", learner: bool = False
) -> float:
    """Execute the notebook at ``path`` in place and return the wall time in seconds.

    ``learner=True`` runs the kernel without ``REGCOURSE_STRICT`` and ``REGCOURSE_CHECK_LOG``,
    as a learner's kernel runs (for exercise notebooks). Raises
    ``nbclient.exceptions.CellExecutionError`` (naming the cell) if a cell fails; the file is
    then left as it was.
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
    environment = {**os.environ, **REPRODUCIBLE}
    if learner:
        environment = {k: v for k, v in environment.items() if k not in CHECK_VARIABLES}
    kernel_env = {"env": environment}
    started = time.perf_counter()
    client.execute(**kernel_env)
    elapsed = time.perf_counter() - started
    static_images_into_outputs(notebook)
    alt_text_into_cells(notebook)
    nbformat.write(notebook, path)
    return elapsed


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NBVAL_IGNORE_OUTPUT = "nbval-ignore-output"


def static_images_into_outputs(notebook) -> int:
    """Save each explorer's output as its static picture alone, in place; returns how many.

    A live explorer output holds the widget view as data and an ``<img>`` (a PNG data URL with alt
    text) in its metadata (``widgets.STATIC_IMAGE_KEY``). The saved output keeps the ``<img>`` as
    its ``text/html`` and its ``text/plain``, and loses the widget view; the notebook's saved
    widget state loses that explorer's models (its controls, and an Image widget that held the
    PNG a second time). So every reader without a kernel shows the one picture with its alt text:
    JupyterLab (no "model not found" error, no second picture), nbconvert and nbviewer (no widget
    script from a CDN, which drew nothing offline), GitHub. The cell gets the ``nbval-ignore-output``
    tag: running it makes a widget view, never that picture, and its pixels are not compared anyway.
    """
    from regcourse.widgets import STATIC_IMAGE_KEY, WIDGET_VIEW

    moved, explorer_models, kept_views = 0, set(), set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            static = output.get("metadata", {}).pop(STATIC_IMAGE_KEY, None)
            data = output.get("data", {})
            if static and "data" in output:
                view = data.pop(WIDGET_VIEW, None)
                if view:
                    explorer_models.add(view.get("model_id"))
                output["metadata"].pop(WIDGET_VIEW, None)  # Colab's widget manager note, if any
                output["data"] = {**static, **{k: v for k, v in data.items() if k == "text/plain"}}
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                if NBVAL_IGNORE_OUTPUT not in tags:
                    tags.append(NBVAL_IGNORE_OUTPUT)
                moved += 1
            elif WIDGET_VIEW in data:
                kept_views.add(data[WIDGET_VIEW].get("model_id"))
    _forget_widget_models(notebook, explorer_models, kept_views)
    return moved


def alt_text_into_cells(notebook) -> int:
    """Copy each figure's alt text from its output's metadata (``{"image/png": {"alt": ...}}``) into
    its cell's metadata as ``mystnb.image.alt``, in place; returns how many cells carry one.

    Jupyter Book (myst-nb) reads an image's alt text only there; nbconvert reads the output's.
    Only a cell with exactly one PNG carrying alt text gets it (the key applies to every image of
    the cell); a cell without one loses an old copy.
    """
    carried = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        alts = [
            output.get("metadata", {}).get("image/png", {}).get("alt")
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        options = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
        if len(alts) == 1 and alts[0]:
            options["alt"] = alts[0]
            carried += 1
        else:
            options.pop("alt", None)
        if not cell.metadata["mystnb"]["image"]:
            del cell.metadata["mystnb"]["image"]
        if not cell.metadata["mystnb"]:
            del cell.metadata["mystnb"]
    return carried


def _forget_widget_models(notebook, roots, kept_roots) -> None:
    """Drop from the notebook's saved widget state the models that only ``roots`` reach (a model
    reaches the models it names as ``IPY_MODEL_<id>``); no state left: no widget metadata."""
    widgets = notebook.metadata.get("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state")
    if not roots or not state:
        return

    def reached(starts) -> set:
        seen, todo = set(), [m for m in starts if m in state]
        while todo:
            model = todo.pop()
            if model not in seen:
                seen.add(model)
                todo += [m for m in _model_references(state[model]) if m in state]
        return seen

    for model in reached(roots) - reached(kept_roots):
        del state[model]
    if not state:
        del widgets[WIDGET_STATE]
    if not widgets:
        notebook.metadata.pop("widgets", None)


def _model_references(value) -> list:
    """The model ids that ``IPY_MODEL_<id>`` strings anywhere in ``value`` name."""
    if isinstance(value, str):
        return [value[len("IPY_MODEL_") :]] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, dict):
        return [m for item in value.values() for m in _model_references(item)]
    if isinstance(value, list):
        return [m for item in value for m in _model_references(item)]
    return []


# --- building exercises/ from solutions/ ---------------------------------------------

CODE_BEGIN = "### BEGIN SOLUTION"
CODE_END = "### END SOLUTION"
MARKDOWN_BEGIN = "<!-- BEGIN SOLUTION -->"
MARKDOWN_END = "<!-- END SOLUTION -->"
STUB_COMMENT = "# YOUR CODE HERE"
ANSWER_PROMPT = "✍️ **Your answer:** *replace this line with your answer.*"


class AuthoringError(ValueError):
    """A solution notebook cannot be turned into an exercise; the message names where."""


def _stub_top_level(region: list[str], where: str) -> list[str]:
    """Replace top-level solution code by stubs that keep every name defined.

    A function keeps its decorators, signature and docstring and gets ``...`` for a body;
    an assignment ``name = value`` becomes ``name = ...``; anything else is dropped.
    """
    import ast

    text = "\n".join(region)
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise AuthoringError(f"{where}: the solution code does not parse ({err.msg}, line {err.lineno})") from None
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            has_docstring = (
                isinstance(first, ast.Expr)
                and isinstance(getattr(first, "value", None), ast.Constant)
                and isinstance(first.value.value, str)
            )
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            end = first.end_lineno if has_docstring else first.lineno - 1
            body_indent = " " * first.col_offset
            out += region[start:end] + [body_indent + STUB_COMMENT, body_indent + "..."]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            out += [f"{name} = ...  {STUB_COMMENT}" for name in names]
    return out or [STUB_COMMENT]


def stub_code(source: str, where: str) -> str:
    """The learner's version of a code cell: each solution region becomes a stub."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == CODE_END:
            raise AuthoringError(f"{where}: {CODE_END!r} without a {CODE_BEGIN!r} before it")
        if stripped != CODE_BEGIN:
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        end = next((k for k in range(i + 1, len(lines)) if lines[k].strip() in (CODE_BEGIN, CODE_END)), None)
        if end is None or lines[end].strip() != CODE_END:
            raise AuthoringError(f"{where}: {CODE_BEGIN!r} without a matching {CODE_END!r}")
        region = lines[i + 1 : end]
        out += _stub_top_level(region, where) if not indent else [indent + STUB_COMMENT, indent + "..."]
        i = end + 1
    return "\n".join(out)


def prompt_markdown(source: str, where: str) -> str:
    """The learner's version of a markdown cell: each written answer becomes a prompt."""
    out, rest = [], source
    while True:
        begin, end = rest.find(MARKDOWN_BEGIN), rest.find(MARKDOWN_END)
        if begin < 0 and end < 0:
            return "".join(out) + rest
        if begin < 0 or (0 <= end < begin):
            raise AuthoringError(f"{where}: {MARKDOWN_END!r} without a {MARKDOWN_BEGIN!r} before it")
        if end < 0:
            raise AuthoringError(f"{where}: {MARKDOWN_BEGIN!r} without a matching {MARKDOWN_END!r}")
        nested = rest.find(MARKDOWN_BEGIN, begin + 1)
        if 0 <= nested < end:
            raise AuthoringError(f"{where}: {MARKDOWN_BEGIN!r} twice before {MARKDOWN_END!r}")
        out.append(rest[:begin] + ANSWER_PROMPT)
        rest = rest[end + len(MARKDOWN_END) :]


def exercise_notebook(solution, name: str):
    """The exercise version of a solution notebook (an nbformat NotebookNode), outputs cleared."""
    import copy

    notebook = copy.deepcopy(solution)
    chapter = notebook.metadata.get("regcourse", {}).get("chapter")
    if not isinstance(chapter, int):
        raise AuthoringError(f"{name}: metadata.regcourse.chapter must be the chapter number (an int)")
    for index, cell in enumerate(notebook.cells, start=1):
        where = f"{name}, cell {index}"
        if cell.cell_type == "code":
            cell.source = stub_code(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        elif cell.cell_type == "markdown":
            # Links and badges point to the learner's copy, not to the solutions.
            cell.source = prompt_markdown(cell.source, where).replace("solutions/", "exercises/")
    return notebook


def without_outputs(notebook):
    """A copy of ``notebook`` as the builder writes it before executing: what ``--check`` compares.

    Outputs, execution counts, timing, saved widget state and the kernel's language_info are
    what executing adds, so they are left out of the comparison.
    """
    import copy

    notebook = copy.deepcopy(notebook)
    for key in ("widgets", "language_info"):
        notebook.metadata.pop(key, None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return notebook


def is_executed(notebook) -> bool:
    """True when every code cell of ``notebook`` has run (an execution count)."""
    return all(cell.execution_count is not None for cell in notebook.cells if cell.cell_type == "code")


def _up_to_date(target: Path, wanted: str) -> bool:
    """True when ``target`` is the wanted exercise notebook, executed."""
    import nbformat

    if not target.exists():
        return False
    try:
        current = nbformat.reads(target.read_text(encoding="utf-8"), as_version=4)
    except Exception:
        return False
    return is_executed(current) and nbformat.writes(without_outputs(current)) == nbformat.writes(
        without_outputs(nbformat.reads(wanted, as_version=4))
    )


def build_exercises(
    source: str | Path = "solutions",
    dest: str | Path = "exercises",
    *,
    check: bool = False,
    execute: bool = True,
    timeout: int = 120,
) -> list[str]:
    """Generate dest/ from the solution notebooks in source/.

    Each exercise notebook whose content differs from a fresh build (or that has not been
    executed) is written and, with ``execute=True``, executed untouched as a learner's kernel
    would run it (``execute_notebook(..., learner=True)``), so it keeps the outputs a learner
    first sees. Returns the notebooks that were (or, with ``check=True``, would be) written or
    removed; with ``check=True`` nothing is written, so an empty list means dest/ is in sync.
    """
    import nbformat

    source, dest = Path(source), Path(dest)
    solutions = sorted(source.glob("*.ipynb"))
    wanted: dict[Path, str] = {}
    for path in solutions:
        try:
            solution = nbformat.read(path, as_version=4)
        except Exception as err:
            raise AuthoringError(f"{path}: not a readable notebook ({err})") from None
        notebook = exercise_notebook(solution, str(path))
        nbformat.validate(notebook)
        wanted[dest / path.name] = nbformat.writes(notebook) + "\n"
    changed = [str(target) for target, text in wanted.items() if not _up_to_date(target, text)]
    stale = [str(p) for p in sorted(dest.glob("*.ipynb")) if p not in wanted]
    if not check:
        dest.mkdir(parents=True, exist_ok=True)
        for target in map(Path, changed):
            target.write_text(wanted[target], encoding="utf-8")
            if execute:
                try:
                    execute_notebook(target, timeout=timeout, learner=True)
                except Exception as err:  # nbclient names the cell and the error
                    raise AuthoringError(
                        f"{target}: an untouched exercise notebook must run without an error, "
                        f"but {type(err).__name__}: {str(err)[-1500:]}"
                    ) from None
        for path in stale:
            Path(path).unlink()
    return changed + stale

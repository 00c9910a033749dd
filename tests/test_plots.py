"""The figures contain what they claim."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from regcourse import linear
from regcourse.data import load_diabetes, make_polynomial
from regcourse.penalties import L1
from regcourse.plots import (
    coefficient_path,
    constraint_geometry,
    cv_curve,
    overfitting_curves,
    penalty_landscape,
    polynomial_fits,
    weight_histogram,
)
from regcourse.plots.geometry import quadratic_problem
from regcourse.selection import cross_validate


def optimum(fig):
    x, y = fig.regcourse_drawing.optimum.get_data()
    return np.array([x[0], y[0]])


def test_on_the_canonical_example_the_l1_optimum_is_on_an_axis_and_the_l2_one_is_not():
    w1 = optimum(constraint_geometry("l1"))
    w2 = optimum(constraint_geometry("l2"))
    assert np.sum(w1 == 0.0) == 1  # exactly one weight exactly zero: a corner of the diamond
    assert np.all(np.abs(w2) > 0.1)


@pytest.mark.parametrize("kind", ["l1", "l2", "elastic_net"])
def test_the_optimum_lies_on_the_region_boundary_where_a_contour_touches(kind):
    fig = constraint_geometry(kind, radius=0.8)
    drawing = fig.regcourse_drawing
    w = optimum(fig)
    shape = {"l1": L1(1.0)}.get(kind)
    region = np.column_stack(drawing.region.get_data())
    assert np.min(np.linalg.norm(region - w, axis=1)) < 0.02  # on the drawn boundary
    touching = np.column_stack(drawing.touching.get_data())
    assert np.min(np.linalg.norm(touching - w, axis=1)) < 0.02  # the highlighted contour goes through it
    X, y, H = quadratic_problem(drawing.state["centre"], drawing.state["correlation"])
    inside = [p for p in region if np.linalg.norm(p - w) > 0.05]
    loss = lambda v: (v - drawing.state["centre"]) @ H @ (v - drawing.state["centre"])  # noqa: E731
    assert all(loss(p) >= loss(w) - 1e-9 for p in inside)  # no point of the boundary does better
    if shape is not None:
        assert shape.budget(w) == pytest.approx(0.8, rel=1e-6)


def test_giving_lambda_draws_the_budget_of_the_penalized_solution():
    fig = constraint_geometry("l1", lam=0.8)
    X, y, _ = quadratic_problem(fig.regcourse_drawing.state["centre"], fig.regcourse_drawing.state["correlation"])
    penalized = linear.fit(X, y, L1(0.8), fit_intercept=False)
    np.testing.assert_allclose(optimum(fig), penalized.coef, atol=1e-6)
    assert fig.regcourse_drawing.result.lam == pytest.approx(0.8, rel=1e-5)


def test_the_drawing_updates_in_place():
    fig = constraint_geometry("l1")
    drawing = fig.regcourse_drawing
    region, optimum_artist = drawing.region, drawing.optimum
    before = optimum(fig)
    drawing.update(radius=0.4)
    assert drawing.region is region and drawing.optimum is optimum_artist  # same artists, new data
    assert not np.allclose(optimum(fig), before)
    with pytest.raises(TypeError, match="unknown setting"):
        drawing.update(colour="red")


def test_coefficient_paths_start_at_zero_at_lambda_max():
    data = load_diabetes()
    result = linear.path(data.X, data.y, "l1", n_lams=30)
    fig = coefficient_path(result, data.feature_names)
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 30]
    assert len(lines) == 10
    top = np.argmax(lines[0].get_xdata())
    assert lines[0].get_xdata()[top] == pytest.approx(linear.lam_max(data.X, data.y, "l1"))
    assert all(line.get_ydata()[top] == 0.0 for line in lines)
    assert {t.get_text() for t in ax.findobj(Text)} >= set(data.feature_names)


def label_boxes(fig, names):
    """The drawn boxes of the line-end labels, by name (they must be exactly ``names``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    from regcourse.plots._labels import EndLabels

    texts = {t.get_text(): t for labels in fig.findobj(EndLabels) for t in labels.texts}
    assert set(texts) == set(names)
    return {name: text.get_window_extent(renderer) for name, text in texts.items()}


def assert_no_two_overlap(boxes):
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not boxes[a].overlaps(boxes[b]), (a, b, boxes[a], boxes[b])


@pytest.mark.parametrize("kind", ["l1", "elastic_net"])
def test_path_labels_never_overlap_on_the_diabetes_path(kind):
    """The lasso path's right edge had s3 over age and s2 over bp."""
    data = load_diabetes()
    fig = coefficient_path(linear.path(data.X, data.y, kind), data.feature_names)
    boxes = label_boxes(fig, data.feature_names)
    assert_no_two_overlap(boxes)
    ax = fig.axes[0]
    paths = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]  # not the zero line
    right_end = max(ax.transData.transform(np.column_stack(line.get_data()))[:, 0].max() for line in paths)
    assert all(box.x0 > right_end for box in boxes.values())  # right of every line's end
    assert all(fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1) for box in boxes.values())


def test_path_labels_keep_the_order_of_the_line_ends_and_point_at_them():
    data = load_diabetes()
    result = linear.path(data.X, data.y, "l1")
    fig = coefficient_path(result, data.feature_names)
    boxes = label_boxes(fig, data.feature_names)
    ends = result.coefs[np.argmin(result.lams)]
    by_end = [data.feature_names[j] for j in np.argsort(ends, kind="stable")]
    centres = [boxes[name].y0 + boxes[name].height / 2 for name in by_end]
    assert centres == sorted(centres)
    from regcourse.plots._labels import EndLabels

    labels = fig.axes[0].findobj(EndLabels)[0]
    for leader, end in zip(labels.leaders, fig.axes[0].transData.transform(labels.points)):
        x, y = leader.get_data()
        assert y[0] == pytest.approx(end[1]) and x[0] == pytest.approx(end[0], abs=3)  # starts at its line's end


def test_path_labels_stay_apart_when_every_line_ends_at_the_same_value():
    from types import SimpleNamespace

    path = SimpleNamespace(kind="l1", lams=np.geomspace(1.0, 0.01, 5), coefs=np.zeros((5, 12)))  # what it reads
    names = [f"feature {j}" for j in range(12)]
    assert_no_two_overlap(label_boxes(coefficient_path(path, names), names))


def test_path_explorer_labels_never_overlap(capsys):
    pytest.importorskip("ipywidgets")
    from regcourse.widgets import path_explorer

    data = load_diabetes()
    explorer = path_explorer()
    assert_no_two_overlap(label_boxes(explorer.figure, data.feature_names))


def test_spread_keeps_the_order_and_the_gaps_and_moves_nothing_that_fits():
    from regcourse.plots._labels import spread

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 15))
        wanted, sizes, gap = rng.normal(size=n) * rng.uniform(0.1, 10), rng.uniform(0.1, 2.0, n), rng.uniform(0, 1)
        placed = spread(wanted, sizes, gap)
        order = np.argsort(wanted, kind="stable")
        p, s = placed[order], sizes[order]
        assert np.all(np.diff(p) >= (s[:-1] + s[1:]) / 2 + gap - 1e-9)
        # optimal: the mean displacement of a block that moved together is zero, so the centre of
        # mass of the labels stays where the line ends are
        assert placed.mean() == pytest.approx(wanted.mean())
    apart = np.array([0.0, 5.0, 10.0])
    assert np.array_equal(spread(apart, [1.0, 1.0, 1.0], 0.5), apart)


def test_weight_histogram_reports_exact_zeros_and_accepts_torch_modules():
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        net[0].weight[:2] = 0.0  # 8 of the 40 penalized weights
    fig = weight_histogram({"net": net, "array": np.array([0.0, 0.0, 1.0, -1.0])})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["net: 20% exactly 0", "array: 50% exactly 0"]
    assert "torch" not in vars(sys.modules["regcourse.plots.weights"])


def test_penalty_landscape_shows_soft_thresholding_zeroing_the_middle():
    fig = penalty_landscape(1.0, step=0.5, panel="prox")
    l1 = fig.axes[0].get_lines()[0]
    w, z = l1.get_data()
    assert np.all(np.asarray(z)[np.abs(w) <= 0.5] == 0.0) and np.all(np.asarray(z)[np.abs(w) > 0.6] != 0.0)
    assert len(penalty_landscape(1.0).axes) == 3
    with pytest.raises(ValueError, match="panel must be one of"):
        penalty_landscape(panel="nope")


def test_curves_mark_the_chosen_values():
    data = load_diabetes()
    cv = cross_validate(data.X, data.y, "l1", n_lams=20)
    labels = [t.get_text() for t in cv_curve(cv).axes[0].get_legend().get_texts()]
    assert f"best λ = {cv.best_lam:.3g}" in labels and f"one-SE λ = {cv.lam_1se:.3g}" in labels
    fig = overfitting_curves([1, 2, 3], [3.0, 2.0, 1.0], [3.0, 1.5, 2.5], xlabel="degree", log_x=False, chosen=2)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][-1] == "chosen: 2"


def test_polynomial_fits_draw_one_curve_per_degree_through_the_data():
    data = make_polynomial(n_samples=20)
    fig = polynomial_fits(data.x, data.y, degrees=(1, 3), truth=data.truth)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["true function", "degree 1", "degree 3", "training data"] or set(labels) == {
        "true function",
        "degree 1",
        "degree 3",
        "training data",
    }
    line = [artist for artist in fig.axes[0].get_lines() if artist.get_label() == "degree 1"][0]
    x, fitted = line.get_data()
    slope, intercept = np.polyfit(data.x, data.y, 1)
    np.testing.assert_allclose(fitted, slope * x + intercept, atol=1e-8)  # the least-squares line


def test_every_figure_function_draws_on_a_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert constraint_geometry("l2", ax=ax) is fig
    assert ax.get_title().startswith("L2")


def test_importing_the_plots_does_not_import_matplotlib():
    code = (
        "import sys, regcourse.plots, regcourse.widgets; "
        "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_figures_show_themselves_as_png_in_jupyter():
    """They are made without pyplot, so the inline backend would not display them by itself."""
    for fig in (
        constraint_geometry("l1"),
        penalty_landscape(1.0),
        coefficient_path(linear.path(*problem_for_png(), "l1", n_lams=5)),
    ):
        assert fig._repr_png_().startswith(b"\x89PNG")


def problem_for_png():
    data = load_diabetes()
    return data.X, data.y


def test_lecture_notebooks_keep_their_pictures():
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0[1-9]_*.ipynb")):
        outputs = [o for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} shows no figure"

        def text(o):
            value = o.get("data", {}).get("text/plain", "")
            return "".join(value) if isinstance(value, list) else value

        assert not any(text(o).startswith("<Figure size") and "image/png" not in o["data"] for o in outputs), (
            f"{path.name} has a figure shown as text"
        )


def test_panels_gives_a_row_of_styled_axes_sized_per_panel():
    from regcourse.plots import panels

    fig, axes = panels(3, panel_size=(4.0, 3.0))
    assert len(axes) == 3 and tuple(fig.get_size_inches()) == (12.0, 3.0)
    assert not axes[0].spines["top"].get_visible()
    constraint_geometry("l1", ax=axes[1])
    assert axes[1].lines and not axes[0].lines
    with pytest.raises(ValueError, match="ncols"):
        panels(0)


def test_weight_bars_marks_exact_zeros_and_refuses_mismatched_sizes():
    from regcourse.plots import weight_bars

    fig = weight_bars({"a": np.array([0.0, 0.5, -1e-9]), "b": np.array([0.0, 0.0, 2.0])})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a: 1 exactly 0", "b: 2 exactly 0"]  # -1e-9 is small, not zero
    rings = [c.get_offsets() for c in ax.collections]
    assert [len(r) for r in rings] == [1, 2]
    with pytest.raises(ValueError, match="same number of weights"):
        weight_bars({"a": np.zeros(3), "b": np.zeros(4)})
    with pytest.raises(ValueError, match="non-empty dict"):
        weight_bars({})

"""The explorers build and update with no frontend attached, on ipywidgets 7.7 and 8.x.

CI runs this file twice: with the ipywidgets the project installs (8.x) and again after
installing ipywidgets 7.7.1, the version Google Colab ships (see .ci/run).
"""

import base64
import html
import importlib.util
import io
import re

import numpy as np
import pytest
from PIL import Image

from regcourse.widgets import (
    STATIC_IMAGE_KEY,
    WIDGET_VIEW,
    geometry_explorer,
    lp_explorer,
    overfitting_explorer,
    path_explorer,
)

pytestmark = pytest.mark.widgets

EXPLORERS = {
    "geometry": (
        geometry_explorer,
        {"radius": 0.4},
        {"kind", "mode", "radius", "lam", "l1_ratio", "centre_x", "centre_y", "correlation"},
    ),
    "overfitting": (overfitting_explorer, {"degree": 9}, {"degree", "lam"}),
    "path": (path_explorer, {"step": 80}, {"step"}),
    "lp": (lp_explorer, {"p": 0.5, "budget": 0.6}, {"p", "budget"}),
}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_builds_updates_and_renders_without_a_frontend(name, capsys):
    make, move, names = EXPLORERS[name]
    explorer = make()
    assert set(explorer.controls) == names
    before = pixels(explorer.render_png())
    explorer.update(**move)
    for control, value in move.items():
        assert explorer.controls[control].value == value  # update moves the control itself
    after = pixels(explorer.render_png())
    assert after.shape == before.shape and np.abs(after - before).sum() > 0  # the picture changed
    assert explorer.info.value  # the numbers beside the figure
    data, metadata = explorer._repr_mimebundle_()  # one picture live: the widget; its <img> rides in metadata
    assert data[WIDGET_VIEW]["model_id"] == explorer.widget.model_id
    assert set(data) == {WIDGET_VIEW, "text/plain"}
    static = metadata[STATIC_IMAGE_KEY]["text/html"]
    assert pixels(static_png(static)).shape == after.shape
    assert html.unescape(re.search(r'alt="([^"]*)"', static).group(1)) == explorer.image.alt
    assert explorer.image in explorer.widget.children and explorer.image.value == explorer.render_png()


def static_png(img: str) -> bytes:
    return base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', img).group(1))


@pytest.mark.parametrize("name", EXPLORERS)
def test_the_blitted_frame_equals_a_full_redraw(name, capsys):
    make, move, _ = EXPLORERS[name]
    explorer = make()
    explorer.update(**move)
    blitted = pixels(explorer.render_png())
    explorer.forget_backgrounds()  # force everything to be drawn again
    full = pixels(explorer.render_png())
    assert np.abs(blitted - full).max() <= 2  # identical up to anti-aliasing rounding


def test_moving_a_control_redraws_like_update(capsys):
    explorer = geometry_explorer()
    explorer.controls["radius"].value = 0.3  # what a slider does
    x, y = explorer.drawing.optimum.get_data()
    explorer2 = geometry_explorer()
    explorer2.update(radius=0.3)
    assert (x[0], y[0]) == tuple(v[0] for v in explorer2.drawing.optimum.get_data())


def test_geometry_explorer_follows_lambda_in_lambda_mode(capsys):
    explorer = geometry_explorer()
    explorer.update(mode="lam", lam=2.0)
    assert explorer.drawing.result.lam == pytest.approx(2.0, rel=1e-4)
    explorer.update(kind="l2")
    assert explorer.drawing.region.get_color() != "#D55E00"
    assert "L2" in explorer.info.value


def test_unknown_controls_are_refused(capsys):
    with pytest.raises(TypeError, match="unknown control"):
        path_explorer().update(lam=1.0)


def test_with_ipympl_the_live_canvas_is_shown_and_updated():
    """ipympl chooses the backend for the whole process, so this runs in a fresh interpreter. The
    canvas cannot carry alt text: its description follows the state in a caption beneath it."""
    import subprocess
    import sys

    if importlib.util.find_spec("ipympl") is None:  # not importorskip: importing it here makes every
        pytest.skip("ipympl is not installed")  # later explorer of this process live
    code = (
        "import matplotlib; matplotlib.use('module://ipympl.backend_nbagg')\n"
        "from regcourse.widgets import geometry_explorer\n"
        "e = geometry_explorer()\n"
        "assert e.live and e.widget.children[-2] is e.figure.canvas and e.widget.children[-1] is e.caption\n"
        "before = e.caption.value\n"
        "assert before == e.alt_text() and before\n"
        "e.update(radius=0.4)\n"
        "assert e.caption.value and e.caption.value == e.alt_text() != before, (before, e.caption.value)\n"
        "x, y = e.drawing.optimum.get_data()\n"
        "print(x[0], y[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert [float(v) for v in out.stdout.split()] == pytest.approx([0.4, 0.0])


def test_nothing_in_the_cached_background_shows_a_value_the_sliders_change(capsys):
    explorer = geometry_explorer()
    explorer.update(radius=0.35)
    legend = [t.get_text() for t in explorer.drawing.ax.get_legend().get_texts()]
    assert not any("0.35" in text or "1.00" in text for text in legend)  # the budget lives in the readout
    assert "budget 0.35" in explorer.info.value


def full_redraw(explorer) -> np.ndarray:
    """The figure drawn from scratch, every artist in place (the cached backgrounds stay)."""
    explorer.figure.canvas.draw()
    return np.asarray(explorer.figure.canvas.buffer_rgba())[:, :, :3].astype(int)


GEOMETRY_MOVES = [
    {"correlation": -0.8},
    {"centre_x": -1.8, "centre_y": -1.6},  # contours and optimum under the legend
    {"kind": "l2"},
    {"radius": 2.5},
    {"kind": "elastic_net"},
    {"l1_ratio": 0.2},
    {"kind": "l1"},
    {"mode": "lam"},
    {"lam": 0.05},
    {"correlation": 0.85},
    {"kind": "l2"},
    {"mode": "budget"},
    {"radius": 0.1},
]


def test_every_geometry_control_keeps_the_blitted_frame_equal_to_a_full_redraw(capsys):
    explorer = geometry_explorer()
    for move in GEOMETRY_MOVES:
        explorer.update(**move)
        blitted = pixels(explorer.render_png())
        assert np.abs(blitted - full_redraw(explorer)).max() <= 2, move


@pytest.mark.parametrize(
    "name, moves",
    [
        ("overfitting", [{"degree": 12}, {"lam": 1e-3}, {"degree": 2, "lam": 1.0}]),
        ("path", [{"step": 0}, {"step": 99}, {"step": 42}]),
        ("lp", [{"p": 0.25}, {"p": 8.0}, {"budget": 2.0}, {"p": 1.0, "budget": 0.1}]),
    ],
)
def test_every_control_keeps_the_blitted_frame_equal_to_a_full_redraw(name, moves, capsys):
    explorer = EXPLORERS[name][0]()
    for move in moves:
        explorer.update(**move)
        assert np.abs(pixels(explorer.render_png()) - full_redraw(explorer)).max() <= 2, move


def test_a_slider_never_redraws_the_geometry_background_and_each_kind_draws_it_once(capsys, monkeypatch):
    explorer = geometry_explorer()
    draws = []
    original = explorer.figure.canvas.draw
    monkeypatch.setattr(explorer.figure.canvas, "draw", lambda *a, **k: (draws.append(1), original(*a, **k)))
    for move in [
        {"radius": 0.5},
        {"centre_x": 0.3},
        {"correlation": -0.5},
        {"l1_ratio": 0.3},
        {"mode": "lam"},
        {"lam": 0.2},
        {"centre_y": -1.0},
    ]:
        explorer.update(**move)
    assert draws == []
    for kind in ["l2", "elastic_net", "l1", "l2", "elastic_net"]:
        explorer.update(kind=kind)
    assert len(draws) == 2  # l2 and elastic_net once each; l1's background was cached at the start


def test_saving_keeps_the_static_picture_alone_and_forgets_the_explorers_widget_state(capsys):
    import nbformat

    from regcourse.authoring import static_images_into_outputs

    explorer = geometry_explorer()
    data, metadata = explorer._repr_mimebundle_()
    output = nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=1)
    plain = nbformat.v4.new_output("stream", name="stdout", text="hi\n")
    other = nbformat.v4.new_output(
        "display_data", data={WIDGET_VIEW: {"model_id": "other", "version_major": 2, "version_minor": 0}}
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("geometry_explorer()", outputs=[output, plain]),
            nbformat.v4.new_code_cell("a_slider", outputs=[other]),
        ]
    )
    # What nbclient saves: every live model, the explorer's (its Image held the PNG again) and another widget's.
    state = {
        explorer.widget.model_id: {"state": {"children": [f"IPY_MODEL_{c.model_id}" for c in explorer.widget.children]}}
    }
    state.update({c.model_id: {"state": {"value": "…"}} for c in explorer.widget.children})
    state["other"] = {"state": {"layout": "IPY_MODEL_shared"}}
    state["shared"] = {"state": {}}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    assert static_images_into_outputs(notebook) == 1
    saved = notebook.cells[0].outputs[0]
    assert set(saved.data) == {"text/html", "text/plain"} and saved.metadata == {}
    img = saved.data["text/html"]
    assert img.startswith("<img ") and f'alt="{html.escape(explorer.image.alt)}"' in img
    assert pixels(static_png(img)).size
    assert notebook.cells[0].metadata["tags"] == ["nbval-ignore-output"]  # running it makes a widget view instead
    assert notebook.cells[1].outputs == [other] and "tags" not in notebook.cells[1].metadata
    kept = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert set(kept) == {"other", "shared"}
    nbformat.validate(notebook)
    notebook.cells.pop()
    explorer_state = {k: v for k, v in state.items() if k not in ("other", "shared")}
    notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"] = explorer_state
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=1)
    ]
    static_images_into_outputs(notebook)
    assert "widgets" not in notebook.metadata  # nothing else was a widget: nbconvert loads no widget script
    assert notebook.cells[0].metadata["tags"] == ["nbval-ignore-output"]  # once, however often it is saved


def test_sliders_stay_on_round_values_and_announce_them(capsys):
    """The front end only sends a chosen index: p = 2 stays 2 (a log slider snapped it to 1.99 when it
    rendered), λ = 0.5 stays 0.5 (it became 10^-0.3 = 0.501), and each label is the value as shown."""
    lp = lp_explorer()
    p = lp.controls["p"]
    assert p.value == 2.0 and p.labels[p.index] == "2" and "p = 2.00" in lp.info.value
    assert p.values == sorted(p.values) and p.values[0] == 0.25 and p.values[-1] == 8.0
    p.index = p.index + 1  # what the slider's arrow key sends
    assert p.value == 2.25 and "p = 2.25" in lp.info.value and "p = 2.25" in lp.image.alt
    lp.update(p=1.37)  # between two positions: the nearest, as a dragged slider would
    assert p.value == 1.4 and p.labels[p.index] == "1.4"
    assert lp_explorer(p=1.37).controls["p"].value == 1.37  # a starting value is kept exactly
    geometry = geometry_explorer()
    lam = geometry.controls["lam"]
    assert lam.value == 0.5 and lam.labels[lam.index] == "0.5"
    assert geometry.controls["centre_y"].labels == [f"{v:.1f}" for v in geometry.controls["centre_y"].values]
    assert geometry.controls["radius"].value == 1.0
    assert 0.35 in geometry.controls["radius"].values  # not 0.35000000000000003
    path = path_explorer()
    step = path.controls["step"]
    assert step.labels[step.index] == f"{path.path.lams[step.value]:.3g}" and step.description == "λ"
    overfitting = overfitting_explorer()
    assert overfitting.controls["lam"].labels[:3] == ["1e-8", "2e-8", "5e-8"]
    with pytest.raises(Exception, match=r"must lie in \[0.25, 8\]"):
        lp.update(p=9.0)
    with pytest.raises(Exception, match="penalty must be one of"):
        geometry.update(kind="l3")


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_control_is_named_and_the_picture_has_alt_text_that_follows_the_state(name, capsys):
    make, move, _ = EXPLORERS[name]
    explorer = make()
    for control in explorer.controls.values():
        assert control.description and control.labels and len(control.labels) == len(control.values)
        assert control.part in ("slider", "toggles")
    assert explorer.info.part == "readout" and explorer.image.part == "picture"
    before = explorer.image.alt
    assert len(before) > 80
    explorer.update(**move)
    assert explorer.image.alt != before and explorer.image.alt == explorer.alt_text()


def test_the_picture_keeps_its_natural_size(capsys):
    """The <img> is never stretched to the cell: the PNG's pixels are its size (figure inches × 100 dpi)."""
    for make, size in [(lp_explorer, (520, 500)), (geometry_explorer, (560, 540))]:
        explorer = make()
        assert pixels(explorer.render_png()).shape[:2] == size[::-1]
        assert f'width="{size[0]}" height="{size[1]}"' in explorer.static_html()


def test_lp_explorer_lands_on_a_corner_for_p_at_most_1_and_not_above(capsys):
    explorer = lp_explorer()
    for p in (0.3, 0.5, 1.0):
        explorer.update(p=p)
        assert explorer.w[1] == 0.0 and "1 weight exactly 0" in explorer.info.value
    for p in (1.5, 2.0, 6.0):
        explorer.update(p=p)
        assert np.all(explorer.w != 0.0) and "0 weights exactly 0" in explorer.info.value
    x, y = explorer.optimum.get_data()
    assert (x[0], y[0]) == tuple(explorer.w)
    with pytest.raises(ValueError, match="p must lie in"):
        lp_explorer(p=0.1)
    with pytest.raises(ValueError, match="budget must lie in"):
        lp_explorer(budget=5.0)

"""The explorers' accessible parts: sliders and toggle buttons, the picture and the read-out.

ipywidgets' own controls cannot be made accessible from Python. In ipywidgets 8 (JupyterLab) a
slider is a noUiSlider handle, a ``<div role="slider">`` that no label names (axe:
``aria-input-field-name``, serious) and whose ``aria-valuetext`` is the raw slider position: the
exponent of a log slider with float noise (``-0.2999999999999998`` for λ = 0.501), the index of a
SelectionSlider. Toggle buttons carry their state only as a CSS class, the Image widget has no
alt text, and an HTML widget replaces its whole content on each update, so it cannot hold a live
region that survives the update. And the front end snaps a slider's value to its step grid when it
renders (``lp_explorer``'s p = 2 became 1.99).

These widgets draw themselves with a few lines of JavaScript through anywidget, which works on
ipywidgets 7.7 (Google Colab) and 8 (JupyterLab, Notebook 7, VS Code):

* ``Choice``: a native ``<input type="range">`` named by its ``<label>``, announcing the option's
  text (``aria-valuetext="0.5"``), or a row of buttons in a labelled group with ``aria-pressed``.
  Its options are a fixed list of (text, value) pairs, so the value a slider shows is exactly a
  value of the list, and the front end only ever sends the index a learner chose.
* ``Picture``: an ``<img>`` with alt text, at its natural size (never stretched to the cell).
* ``Readout``: a ``role="status"`` element (``aria-live="polite"``) whose text changes in place.
* ``Caption``: a figure's description as visible text, for a picture that cannot carry alt text
  (ipympl's live ``<canvas>``): it sits right beneath the canvas.
"""

from __future__ import annotations

import math
import numbers

import anywidget
import traitlets

_ESM = r"""
// Each widget may load its own copy of this module: ids must be unique without a shared counter.
const uid = (prefix) => `regcourse-${prefix}-` + (globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`);

function slider(model, el) {
  const id = uid("slider");
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "regcourse-label";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.min = "0";
  input.step = "1";
  const shown = document.createElement("span");
  shown.className = "regcourse-value";
  shown.setAttribute("aria-hidden", "true"); // the slider itself announces it (aria-valuetext)
  el.append(label, input, shown);
  const show = (index) => {
    const text = model.get("labels")[index] ?? "";
    input.setAttribute("aria-valuetext", text);
    shown.textContent = text;
  };
  const sync = () => {
    label.textContent = model.get("description");
    input.max = String(Math.max(model.get("labels").length - 1, 0));
    input.value = String(model.get("index"));
    show(model.get("index"));
  };
  const choose = (index) => {
    show(index);
    model.set("index", index);
    model.save_changes();
  };
  input.addEventListener("input", () => choose(Number(input.value)));
  // The keys a slider answers to, handled here: a host may take them for itself (JupyterLab's
  // notebook cancels an arrow key's default action, which would leave a native range input still).
  input.addEventListener("keydown", (event) => {
    const last = model.get("labels").length - 1;
    const page = Math.max(1, Math.round(last / 10));
    const moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -page, PageUp: page };
    let index = Number(input.value);
    if (event.key in moves) index += moves[event.key];
    else if (event.key === "Home") index = 0;
    else if (event.key === "End") index = last;
    else return;
    event.preventDefault();
    event.stopPropagation();
    index = Math.min(Math.max(index, 0), last);
    if (index !== Number(input.value)) {
      input.value = String(index);
      choose(index);
    }
  });
  return sync;
}

function toggles(model, el) {
  const id = uid("group");
  const label = document.createElement("span");
  label.id = id;
  label.className = "regcourse-label";
  const group = document.createElement("div");
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", id);
  group.className = "regcourse-buttons";
  el.append(label, group);
  let shownLabels = null;
  const sync = () => {
    label.textContent = model.get("description");
    const labels = model.get("labels");
    if (JSON.stringify(labels) !== shownLabels) {
      shownLabels = JSON.stringify(labels);
      group.replaceChildren(...labels.map((text, index) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "jupyter-button widget-toggle-button";
        button.textContent = text;
        button.addEventListener("click", () => {
          model.set("index", index);
          model.save_changes();
          sync();
        });
        return button;
      }));
    }
    [...group.children].forEach((button, index) => {
      const pressed = index === model.get("index");
      button.setAttribute("aria-pressed", String(pressed));
      button.classList.toggle("mod-active", pressed);
    });
  };
  return sync;
}

function picture(model, el) {
  const img = document.createElement("img");
  img.className = "regcourse-picture";
  el.append(img);
  let url = null;
  const sync = () => {
    img.alt = model.get("alt");
    const data = model.get("value");
    if (!data || data.byteLength === 0) return;
    if (data === img._regcourseData) return;
    img._regcourseData = data;
    const old = url;
    url = URL.createObjectURL(new Blob([data], { type: "image/png" }));
    img.src = url;
    if (old) URL.revokeObjectURL(old);
  };
  return [sync, () => { if (url) URL.revokeObjectURL(url); }];
}

function readout(model, el) {
  const status = document.createElement("div");
  status.className = "regcourse-readout";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  el.append(status);
  return () => { status.textContent = model.get("value"); };
}

function caption(model, el) {
  const text = document.createElement("p");
  text.className = "regcourse-caption";
  el.append(text);
  return () => { text.textContent = model.get("value"); };
}

const PARTS = { slider, toggles, picture, readout, caption };

function render({ model, el }) {
  el.classList.add("regcourse-part", `regcourse-part-${model.get("part")}`);
  const made = PARTS[model.get("part")](model, el);
  const [sync, cleanup] = Array.isArray(made) ? made : [made, null];
  sync();
  model.on("change", sync);
  return () => {
    model.off("change", sync);
    if (cleanup) cleanup();
  };
}

export default { render };
"""

_CSS = """
.regcourse-part-slider, .regcourse-part-toggles {
  display: flex; align-items: center; gap: 0.5em; margin: 2px 1.5em 2px 0;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-widgets-font-size, 13px);
  color: var(--jp-widgets-label-color, var(--jp-ui-font-color1, #000));
}
.regcourse-label { min-width: 5.5em; text-align: right; }
.regcourse-part-slider input[type="range"] { width: 9em; margin: 0; accent-color: var(--jp-brand-color1, #1976d2); }
.regcourse-value { min-width: 3.5em; font-variant-numeric: tabular-nums; }
.regcourse-buttons { display: flex; gap: 2px; }
.regcourse-buttons .widget-toggle-button { width: auto; min-width: 4.5em; padding: 0 1em; }
.regcourse-buttons button[aria-pressed="true"] { font-weight: bold; }
.regcourse-picture { display: block; max-width: 100%; height: auto; }
.regcourse-caption {
  max-width: 60em; margin: 2px 0 4px 0; font-size: 12px;
  color: var(--jp-content-font-color1, #000);
}
.regcourse-readout {
  display: inline-block; max-width: 100%; margin: 2px 0 2px 0.5em; white-space: pre-wrap;
  font-family: var(--jp-code-font-family, monospace); font-size: 12px;
  color: var(--jp-content-font-color1, #000);
}
"""


class _Part(anywidget.AnyWidget):
    _esm = _ESM
    _css = _CSS
    part = traitlets.Unicode().tag(sync=True)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Choice(_Part):
    """One of a fixed list of options, chosen with a slider or a row of toggle buttons.

    ``value`` is the chosen option's value and ``index`` its position (the only thing the front
    end sends); ``labels`` are the options as shown and announced. As with ipywidgets' selection
    widgets, ``choice.observe(handler, names="value")`` sees every change. A number between two
    options of a numeric list moves to the nearest one (on a log scale with ``log=True``), as a
    dragged slider would; a number outside the list's range and an unknown text are errors.
    """

    description = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    value = traitlets.Any()

    def __init__(self, options, value, *, description: str, toggles: bool = False, log: bool = False):
        options = list(options)
        if not options:
            raise ValueError("a Choice needs at least one option")
        self._values = [option_value for _, option_value in options]
        self._numeric = all(_is_number(v) for v in self._values)
        self._log = log
        super().__init__(
            part="toggles" if toggles else "slider", description=description, labels=[str(text) for text, _ in options]
        )
        self.value = value  # validated: moves the index too

    @property
    def options(self) -> list:
        """The (text, value) pairs, in order."""
        return list(zip(self.labels, self._values))

    @property
    def values(self) -> list:
        """The values of the options, in order."""
        return list(self._values)

    def _nearest(self, value):
        low, high = min(self._values), max(self._values)
        if not (_is_number(value) and math.isfinite(value)):
            raise traitlets.TraitError(f"{self.description} must be a number, got {value!r}")
        span = (high - low) * 1e-9
        if not low - span <= value <= high + span:
            raise traitlets.TraitError(
                f"{self.description} must lie in [{low:g}, {high:g}] (its slider's range), got {value:g}"
            )
        if self._log and value > 0 and low > 0:
            distance = [abs(math.log(v / value)) for v in self._values]
        else:
            distance = [abs(v - value) for v in self._values]
        return min(range(len(self._values)), key=distance.__getitem__)

    @traitlets.validate("value")
    def _snap(self, proposal):
        value = proposal["value"]
        if value in self._values and (self._numeric == _is_number(value)):
            return self._values[self._values.index(value)]
        if self._numeric:
            return self._values[self._nearest(value)]
        raise traitlets.TraitError(
            f"{self.description} must be one of {', '.join(map(repr, self._values))}, got {value!r}"
        )

    @traitlets.observe("value")
    def _value_moves_index(self, change):
        index = self._values.index(change["new"])
        if index != self.index:
            self.index = index

    @traitlets.validate("index")
    def _index_in_range(self, proposal):
        index = proposal["value"]
        if not 0 <= index < len(self._values):
            raise traitlets.TraitError(f"index {index} is not one of the {len(self._values)} options")
        return index

    @traitlets.observe("index")
    def _index_moves_value(self, change):
        value = self._values[change["new"]]
        if self.value != value or type(self.value) is not type(value):
            self.value = value


class Picture(_Part):
    """A PNG shown at its natural size, with alt text."""

    value = traitlets.Bytes(b"").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(part="picture", **kwargs)


class Readout(_Part):
    """Plain text in a polite live region: a screen reader reads it out when it changes."""

    value = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(part="readout", **kwargs)


class Caption(_Part):
    """A picture's description as visible text beneath it (for a canvas, which has no alt)."""

    value = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(part="caption", **kwargs)


def numeric_options(values, fmt, start=None) -> list:
    """(text, value) pairs for these numbers, with ``start`` among them (so an explorer starts
    exactly where it was asked to), in increasing order."""
    values = sorted(set(float(v) for v in values) | ({float(start)} if start is not None else set()))
    return [(fmt(v), v) for v in values]


def grid(low: float, high: float, step: float, decimals: int) -> list:
    """low, low + step, ..., high, each rounded to ``decimals`` (0.05·7 is 0.35, not 0.35000000000000003)."""
    count = int(round((high - low) / step))
    return [round(low + k * step, decimals) for k in range(count + 1)]


def nice_log(low: float, high: float, mantissas=(1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)) -> list:
    """Round numbers between low and high, about evenly spaced on a log scale: 0.001, 0.0012, ...,
    8, 10 (each decade's ``mantissas``)."""
    values = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = float(f"{mantissa}e{exponent}")
            if low * (1 - 1e-12) <= value <= high * (1 + 1e-12):
                values.append(value)
    return values

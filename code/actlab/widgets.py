"""Interactive explorers that stay interactive where no kernel runs.

The book's convention (GUIDE §7): write ``plot_fn(**params)`` first, a function that
draws one figure for one setting of its parameters, then hand it to :func:`explore`.
In a live notebook ``explore`` wraps it in ipywidgets sliders. When the environment
variable ``ACTLAB_STATIC`` is set (the Makefile sets it for the book build and for
nbval) there is no kernel behind the page, so ``explore`` precomputes a bounded set of
frames instead and shows a :class:`ScrubbableFigure`: one HTML output holding the
frames as PNG images and range/select inputs linked to them by a few lines of plain
JavaScript. Its output is the same at every run, so the book builds reproducibly and
nbval can compare it.

Which frames, within :data:`MAX_FRAMES` (see :func:`plan_frames`):

- ``"grid"``: every combination of the controls' values, when that fits with at least
  :data:`MIN_SLIDER_VALUES` values per slider (typical for one or two controls);
- ``"crossed"``: every combination of the drop-down menus, with one slider at a time
  moved away from its default while the other sliders stay at theirs;
- ``"sweep"``: one control at a time moved away from its default.

Sliders may step more coarsely than in the live notebook; the figure says so under it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import io
import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import matplotlib.pyplot as plt

from actlab.environment import is_static

__all__ = ["MAX_FRAMES", "MIN_SLIDER_VALUES", "ScrubbableFigure", "explore", "is_static", "plan_frames", "scrubbable"]

#: The most frames a static explorer precomputes. Each costs one drawing of the figure
#: when the book is built (0.1-0.3 s for a typical figure) and about 7 kB of PNG
#: (9 kB as base64) in the page.
MAX_FRAMES = 100

#: In "grid" and "crossed" frame sets, every slider keeps at least this many values
#: (or all of them, if it has fewer); below that, a "sweep" gives finer sliders.
MIN_SLIDER_VALUES = 7

#: PNG frames are reduced to this many colours (plots are flat colour, lines and text).
FRAME_COLOURS = 128


def _defaults(plot_fn: Callable) -> dict:
    signature = inspect.signature(plot_fn)
    return {
        name: p.default
        for name, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _check_defaults(plot_fn: Callable, controls: dict) -> dict:
    defaults = _defaults(plot_fn)
    missing = sorted(set(controls) - set(defaults))
    if missing:
        raise TypeError(
            f"explore: {plot_fn.__name__}() needs a default for each controlled parameter; "
            f"missing: {', '.join(missing)}"
        )
    return defaults


def explore(plot_fn: Callable[..., object], **controls):
    """Sliders for ``plot_fn``'s parameters in a live notebook; a scrubbable figure otherwise.

    ``controls`` maps parameter names to ipywidgets abbreviations, e.g.
    ``alpha=(0.0, 2.0, 0.1)`` for a float slider or ``depth=[1, 2, 5, 10]`` for a
    drop-down. Every controlled parameter must have a default in ``plot_fn``'s
    signature: that default is the figure the static book shows first.

    With ``ACTLAB_STATIC`` set, displays :func:`scrubbable` ``(plot_fn, **controls)`` and
    returns None.
    """
    defaults = _check_defaults(plot_fn, controls)
    if is_static():
        from IPython.display import display

        display(scrubbable(plot_fn, **controls))
        return None
    import ipywidgets

    def draw(**params):
        plot_fn(**params)
        plt.show()

    draw.__name__ = plot_fn.__name__
    widgets = {name: _control(spec, defaults[name]) for name, spec in controls.items()}
    return ipywidgets.interact(draw, **widgets)


def _control(spec, default):
    """A slider for a ``(lo, hi[, step])`` tuple or a drop-down for a list, starting at ``default``."""
    import ipywidgets

    if isinstance(spec, tuple):
        lo, hi, *step = spec
        is_float = any(isinstance(v, float) for v in (*spec, default))
        slider = ipywidgets.FloatSlider if is_float else ipywidgets.IntSlider
        options = {"step": step[0]} if step else {}
        return slider(min=lo, max=hi, value=default, continuous_update=False, **options)
    if isinstance(spec, (list, dict)):
        return ipywidgets.Dropdown(options=spec, value=default)
    raise TypeError(f"explore: a control must be a (min, max[, step]) tuple or a list of options, got {spec!r}")


# --------------------------------------------------------------------------------------
# The static form: a scrubbable figure
# --------------------------------------------------------------------------------------


@dataclass
class Control:
    """One control of a static explorer: every value the live widget offers, and the default."""

    name: str
    kind: str  # "range" (a slider) or "select" (a drop-down)
    values: list
    labels: list[str]
    default: int  # index into values
    step: str = ""  # a slider's step, as its label shows it

    @property
    def is_slider(self) -> bool:
        return self.kind == "range"


def _decimals(*numbers: float) -> int:
    """Decimal places that show every one of ``numbers`` exactly as written (at most 6)."""
    places = 0
    for number in numbers:
        exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
        places = max(places, -exponent if isinstance(exponent, int) else 0)
    return min(places, 6)


def make_control(name: str, spec, default) -> Control:
    """The :class:`Control` for an ipywidgets abbreviation, with the same values and step."""
    if isinstance(spec, tuple):
        if len(spec) not in (2, 3):
            raise TypeError(f"explore: a slider is (min, max[, step]), got {spec!r} for {name}")
        lo, hi, *rest = spec
        is_float = any(isinstance(v, float) for v in (*spec, default))
        step = rest[0] if rest else (0.1 if is_float else 1)  # ipywidgets' default steps
        if step <= 0 or hi < lo:
            raise ValueError(f"explore: slider {name} needs min <= max and a positive step, got {spec!r}")
        count = math.floor((hi - lo) / step + 1e-9) + 1
        if is_float:
            places = _decimals(lo, step, default)
            values = [round(lo + k * step, places) + 0.0 for k in range(count)]
            default = float(default)
            fmt = f"{{:.{places}f}}"
        else:
            values = [int(lo + k * step) for k in range(count)]
            fmt = "{}"
        if not any(math.isclose(v, default, rel_tol=0, abs_tol=abs(step) * 1e-6) for v in values):
            values = sorted([*values, default])  # a default between steps gets its own stop
        index = min(range(len(values)), key=lambda i: abs(values[i] - default))
        return Control(name, "range", values, [fmt.format(v) for v in values], index, step=fmt.format(step))
    if isinstance(spec, dict):
        labels, values = [str(k) for k in spec], list(spec.values())
    elif isinstance(spec, list):
        pairs = [o if isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) else (str(o), o) for o in spec]
        labels, values = [p[0] for p in pairs], [p[1] for p in pairs]
    else:
        raise TypeError(f"explore: a control must be a (min, max[, step]) tuple or a list of options, got {spec!r}")
    if default not in values:
        raise ValueError(f"explore: the default {default!r} of {name} is not one of its options {values!r}")
    return Control(name, "select", values, labels, values.index(default))


def _thin(control: Control, cap: int) -> list[int]:
    """Indices of at most ``cap`` values of a slider, evenly spaced, always including the default.

    A select keeps all its options.
    """
    n = len(control.values)
    if not control.is_slider or n <= cap:
        return list(range(n))
    for stride in range(2, n + 1):
        kept = [i for i in range(n) if (i - control.default) % stride == 0]
        if len(kept) <= cap:
            return kept
    return [control.default]


@dataclass
class FramePlan:
    """Which frames to draw: the mode, and for each control the value indices that get frames."""

    mode: str  # "grid", "crossed" or "sweep"
    kept: list[list[int]]  # per control, indices into Control.values
    swept: list[bool]  # per control: moving another swept control returns this one to its default

    def keys(self, controls: Sequence[Control]) -> list[tuple[int, ...]]:
        """Every frame, as a tuple of indices into each control's kept values; the default first."""
        positions = [list(range(len(k))) for k in self.kept]
        default = tuple(k.index(c.default) for k, c in zip(self.kept, controls))
        if self.mode == "grid":
            return [default, *(key for key in itertools.product(*positions) if key != default)]
        fixed = [i for i, swept in enumerate(self.swept) if not swept]
        keys: list[tuple[int, ...]] = []
        for combination in itertools.product(*(positions[i] for i in fixed)):
            base = list(default)
            for i, value in zip(fixed, combination):
                base[i] = value
            keys.append(tuple(base))
            for i, swept in enumerate(self.swept):
                if not swept:
                    continue
                for value in positions[i]:
                    if value != default[i]:
                        keys.append(tuple(value if j == i else b for j, b in enumerate(base)))
        return keys


def _count(mode: str, controls: Sequence[Control], kept: list[list[int]]) -> int:
    sizes = [len(k) for k in kept]
    if mode == "grid":
        return math.prod(sizes)
    if mode == "crossed":
        fixed = math.prod(s for s, c in zip(sizes, controls) if not c.is_slider)
        return fixed * (1 + sum(s - 1 for s, c in zip(sizes, controls) if c.is_slider))
    return 1 + sum(s - 1 for s in sizes)


def plan_frames(controls: Sequence[Control], max_frames: int = MAX_FRAMES) -> FramePlan:
    """The frame set for ``controls`` within ``max_frames``: a grid if it fits, else crossed, else sweep.

    A grid or a crossed set must keep at least :data:`MIN_SLIDER_VALUES` values per slider
    (all of a slider's values if it has fewer); a sweep thins the sliders as far as needed.
    Within the chosen mode the sliders keep as many values as the budget allows.
    """
    sliders = [c for c in controls if c.is_slider]
    largest = max((len(c.values) for c in sliders), default=1)
    has_select = any(not c.is_slider for c in controls)
    modes = ["grid"] + (["crossed"] if has_select and len(sliders) > 1 else []) + ["sweep"]
    for mode in modes:
        for cap in range(largest, 1, -1) if sliders else [1]:
            kept = [_thin(c, cap) for c in controls]
            if mode != "sweep" and any(len(k) < min(MIN_SLIDER_VALUES, len(c.values)) for k, c in zip(kept, controls)):
                break  # only coarser from here on
            if _count(mode, controls, kept) <= max_frames:
                swept = [mode == "sweep" or (mode == "crossed" and c.is_slider) for c in controls]
                if mode == "grid":
                    swept = [False] * len(controls)
                return FramePlan(mode, kept, swept)
    raise ValueError(
        f"explore: even one control at a time needs more than {max_frames} frames; "
        f"give the drop-downs fewer options ({', '.join(c.name for c in controls if not c.is_slider)})"
    )


def render_frame(plot_fn: Callable, params: dict, colours: int = FRAME_COLOURS) -> bytes:
    """``plot_fn(**params)`` as a palette PNG; every figure it opens is closed again.

    The figure is drawn at its own size and dpi (no tight bounding box), so every frame of
    an explorer has the same pixel size, then reduced to ``colours`` colours: the PNG
    holds the drawing only (no metadata), about a third of the full-colour size.
    """
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    before = set(plt.get_fignums())
    result = plot_fn(**params)
    opened = [plt.figure(n) for n in plt.get_fignums() if n not in before]
    if isinstance(result, Figure):
        figure = result
    elif isinstance(result, Axes):
        figure = result.figure
    elif opened:
        figure = opened[-1]
    else:
        figure = plt.gcf()
        opened.append(figure)
    try:
        canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
        canvas.draw()
        image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    finally:
        for f in {id(f): f for f in [*opened, figure]}.values():
            plt.close(f)
    reduced = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="png", optimize=True)
    return out.getvalue()


@dataclass
class ScrubbableFigure:
    """Precomputed frames of ``plot_fn`` and the HTML that lets a reader scrub through them.

    Displayed in a notebook or the book, it is one output with three forms: ``text/html``
    (image, inputs, frames, script), ``image/png`` (the default frame, for renderers
    without HTML) and ``text/plain``.
    """

    name: str
    summary: str
    controls: list[Control]
    plan: FramePlan
    frames: list[bytes]  # distinct PNGs
    index: dict[tuple[int, ...], int] = field(repr=False)  # frame key -> position in frames
    size: tuple[int, int] = (0, 0)  # width, height in pixels

    # ---- what the static controls offer
    def kept_values(self, i: int) -> list:
        return [self.controls[i].values[j] for j in self.plan.kept[i]]

    def kept_labels(self, i: int) -> list[str]:
        return [self.controls[i].labels[j] for j in self.plan.kept[i]]

    def default_key(self) -> tuple[int, ...]:
        return tuple(k.index(c.default) for k, c in zip(self.plan.kept, self.controls))

    def frame(self, key: tuple[int, ...]) -> bytes:
        return self.frames[self.index[key]]

    # ---- words
    def note(self) -> str:
        """What the reader can do with this figure, and how it differs from the live one."""
        count = len(self.index)
        selects = [c.name for c in self.controls if not c.is_slider]
        if self.plan.mode == "grid":
            how = "every combination of the values offered here"
        elif self.plan.mode == "crossed":
            how = (f"each choice of {_join(selects)}, with one slider at a time moved from its "
                   "default (moving one slider puts the others back)")
        else:
            how = "one control at a time moved from its default (moving one puts the others back)"
        text = f"Scrubbable figure: {count} frames precomputed when the book was built, {how}."
        coarse: dict[str, list[str]] = {}  # step -> the sliders thinned to it
        for i, c in enumerate(self.controls):
            kept = self.kept_values(i)
            if c.is_slider and len(kept) < len(c.values) and len(kept) > 1:
                coarse.setdefault(_format_like(c, kept[1] - kept[0]), []).append(c.name)
        if coarse:
            steps = [f"{_join(names)} {'step' if len(names) > 1 else 'steps'} by {step}" for step, names in coarse.items()]
            text += f" Coarser than the live sliders: {_join(steps)}."
        return text + " In a notebook every value is live."

    def alt(self, key: tuple[int, ...]) -> str:
        settings = ", ".join(f"{c.name} = {self.kept_labels(i)[key[i]]}" for i, c in enumerate(self.controls))
        return f"{self.summary}: {settings}" if settings else self.summary

    # ---- forms
    def data(self) -> dict:
        """What the page's script needs: controls, frames (base64 PNG) and the key → frame map."""
        return {
            "summary": self.summary,
            "controls": [
                {"name": c.name, "labels": self.kept_labels(i), "default": self.default_key()[i], "swept": self.plan.swept[i]}
                for i, c in enumerate(self.controls)
            ],
            "frames": [base64.b64encode(f).decode("ascii") for f in self.frames],
            "index": {",".join(map(str, key)): frame for key, frame in self.index.items()},
        }

    def to_html(self) -> str:
        data = self.data()
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
        key = self.default_key()
        width, height = self.size
        rows = []
        for i, c in enumerate(self.controls):
            name = html.escape(c.name)
            labels = self.kept_labels(i)
            if c.is_slider:
                widget = (f'<input type="range" name="{name}" data-control="{i}" min="0" max="{len(labels) - 1}" '
                          f'step="1" value="{key[i]}" aria-valuetext="{html.escape(labels[key[i]])}">'
                          f'<output data-value="{i}">{html.escape(labels[key[i]])}</output>')
            else:
                options = "".join(
                    f'<option value="{j}"{" selected" if j == key[i] else ""}>{html.escape(label)}</option>'
                    for j, label in enumerate(labels))
                widget = f'<select name="{name}" data-control="{i}">{options}</select>'
            rows.append(f'<label><span class="actlab-explorer-name">{name}</span>{widget}</label>')
        first = base64.b64encode(self.frame(key)).decode("ascii")
        return (
            f'<div class="actlab-explorer" data-explorer="{html.escape(self.name)}-{digest}" data-mode="{self.plan.mode}" '
            f'data-frames="{len(self.index)}">'
            f"<style>{_CSS}</style>"
            f'<img class="actlab-explorer-frame" src="data:image/png;base64,{first}" width="{width}" height="{height}" '
            f'alt="{html.escape(self.alt(key))}">'
            f'<div class="actlab-explorer-controls" role="group" aria-label="{html.escape(self.name)} controls">'
            + "".join(rows)
            + '<button type="button" class="actlab-explorer-reset">reset</button></div>'
            f'<p class="actlab-explorer-note">{html.escape(self.note())}</p>'
            f'<script type="application/json" class="actlab-explorer-data">{payload}</script>'
            f"<script>{_JS}</script></div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.to_html(),
            "image/png": base64.b64encode(self.frame(self.default_key())).decode("ascii"),
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        return f"<ScrubbableFigure {self.name}: {len(self.index)} frames, {self.plan.mode}>"


def scrubbable(plot_fn: Callable[..., object], *, max_frames: int = MAX_FRAMES, **controls) -> ScrubbableFigure:
    """Draw the frames of ``plot_fn`` that :func:`plan_frames` picks for ``controls``.

    Parameters not in ``controls`` keep their defaults. Identical frames are stored once.
    """
    defaults = _check_defaults(plot_fn, controls)
    built = [make_control(name, spec, defaults[name]) for name, spec in controls.items()]
    plan = plan_frames(built, max_frames)
    frames: list[bytes] = []
    seen: dict[bytes, int] = {}
    index: dict[tuple[int, ...], int] = {}
    size = (0, 0)
    for key in plan.keys(built):
        params = {c.name: c.values[plan.kept[i][key[i]]] for i, c in enumerate(built)}
        png = render_frame(plot_fn, params)
        if png not in seen:
            seen[png] = len(frames)
            frames.append(png)
        index[key] = seen[png]
        if size == (0, 0):
            from PIL import Image

            size = Image.open(io.BytesIO(png)).size
    doc = inspect.getdoc(plot_fn) or ""
    summary = doc.strip().splitlines()[0].rstrip(".") if doc.strip() else plot_fn.__name__
    return ScrubbableFigure(plot_fn.__name__, summary, built, plan, frames, index, size)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _format_like(control: Control, number: float) -> str:
    if isinstance(control.values[0], int):
        return str(int(round(number)))
    places = max(len(control.step.partition(".")[2]), 0)
    return f"{number:.{places}f}"


_CSS = (
    ".actlab-explorer{margin:.5em 0;text-align:center}"
    ".actlab-explorer img{display:block;margin:0 auto;max-width:100%;height:auto}"
    ".actlab-explorer-controls{display:flex;flex-wrap:wrap;justify-content:center;gap:.4em 1.4em;"
    "align-items:center;margin:.4em 0}"
    ".actlab-explorer-controls label{display:inline-flex;align-items:center;gap:.4em;margin:0}"
    ".actlab-explorer-name{font-family:monospace}"
    ".actlab-explorer-controls output{font-family:monospace;min-width:3.5em}"
    ".actlab-explorer-note{font-size:.85em;opacity:.8;margin:.2em 0}"
)

# Plain JavaScript, no library: link each input to the precomputed frames. It sets up
# every explorer on the page not set up yet, so each explorer can carry the same script.
_JS = """(function () {
  function setUp(root) {
    var holder = root.querySelector("script.actlab-explorer-data");
    if (!holder || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "true");
    var data = JSON.parse(holder.textContent);
    var img = root.querySelector("img.actlab-explorer-frame");
    var inputs = [], outputs = [];
    for (var i = 0; i < data.controls.length; i++) {
      inputs.push(root.querySelector('[data-control="' + i + '"]'));
      outputs.push(root.querySelector('output[data-value="' + i + '"]'));
    }
    function show() {
      var state = [], settings = [];
      for (var i = 0; i < inputs.length; i++) {
        var position = parseInt(inputs[i].value, 10), label = data.controls[i].labels[position];
        state.push(position);
        settings.push(data.controls[i].name + " = " + label);
        if (outputs[i]) { outputs[i].textContent = label; inputs[i].setAttribute("aria-valuetext", label); }
      }
      var frame = data.index[state.join(",")];
      if (frame === undefined) return;
      img.src = "data:image/png;base64," + data.frames[frame];
      img.alt = settings.length ? data.summary + ": " + settings.join(", ") : data.summary;
      root.setAttribute("data-frame", String(frame));
      root.setAttribute("data-state", state.join(","));
    }
    function moved(i) {
      if (data.controls[i].swept) {
        for (var j = 0; j < inputs.length; j++) {
          if (j !== i && data.controls[j].swept) inputs[j].value = String(data.controls[j].default);
        }
      }
      show();
    }
    inputs.forEach(function (input, i) {
      input.addEventListener("input", function () { moved(i); });
      input.addEventListener("change", function () { moved(i); });
    });
    root.querySelector("button.actlab-explorer-reset").addEventListener("click", function () {
      for (var i = 0; i < inputs.length; i++) inputs[i].value = String(data.controls[i].default);
      show();
    });
    show();
  }
  var roots = document.querySelectorAll("div.actlab-explorer");
  for (var k = 0; k < roots.length; k++) setUp(roots[k]);
})();"""

"""Explorers: sliders in a live notebook, a scrubbable figure of precomputed frames when static."""

import base64
import io
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from actlab import widgets  # noqa: E402


def line_plot(alpha=0.5, depth=3):
    """A line whose slope is alpha and whose height is depth."""
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1], [depth, depth + alpha])
    ax.set_ylim(0, 12)


def _data(html: str) -> dict:
    payload = re.search(r'<script type="application/json" class="actlab-explorer-data">(.*?)</script>', html, re.S)
    return json.loads(payload.group(1).replace("<\\/", "</"))


def test_static_mode_displays_a_scrubbable_figure_starting_at_the_defaults(monkeypatch):
    monkeypatch.setenv("ACTLAB_STATIC", "1")
    shown, calls = [], []

    def plot_fn(alpha=0.5, depth=3):
        calls.append((alpha, depth))
        line_plot(alpha, depth)

    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    open_before = plt.get_fignums()
    assert widgets.explore(plot_fn, alpha=(0.0, 1.0, 0.1), depth=[1, 3, 10]) is None
    assert plt.get_fignums() == open_before  # every frame's figure is closed again
    (figure,) = shown
    assert isinstance(figure, widgets.ScrubbableFigure)
    assert calls[0] == (0.5, 3)
    # 11 alphas x 3 depths fit the budget: every combination has a frame
    assert figure.plan.mode == "grid" and len(figure.index) == 33 == len(set(calls))
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]) == figure.frame(figure.default_key())


def test_the_html_links_inputs_to_every_frame_without_any_external_resource():
    figure = widgets.scrubbable(line_plot, alpha=(0.0, 1.0, 0.1), depth=[1, 3, 10])
    html = figure.to_html()
    data = _data(html)
    assert [c["name"] for c in data["controls"]] == ["alpha", "depth"]
    assert data["controls"][0]["labels"] == [f"{v / 10:.1f}" for v in range(11)]
    assert data["controls"][1]["labels"] == ["1", "3", "10"]
    assert (data["controls"][0]["default"], data["controls"][1]["default"]) == (5, 1)
    assert len(data["index"]) == 33 and set(data["index"].values()) == set(range(len(data["frames"])))
    for frame in data["frames"]:
        assert Image.open(io.BytesIO(base64.b64decode(frame))).size == figure.size
    assert '<input type="range" name="alpha" data-control="0" min="0" max="10" step="1" value="5"' in html
    assert '<option value="1" selected>3</option>' in html
    assert "alt=\"A line whose slope is alpha and whose height is depth: alpha = 0.5, depth = 3\"" in html
    assert "33 frames" in html and "every combination" in html
    assert "http://" not in html and "https://" not in html and "<script src" not in html


def test_frames_are_the_same_at_every_run():
    first = widgets.scrubbable(line_plot, alpha=(0.0, 1.0, 0.25), depth=[1, 3])
    second = widgets.scrubbable(line_plot, alpha=(0.0, 1.0, 0.25), depth=[1, 3])
    assert first.to_html() == second.to_html()


def test_identical_frames_are_stored_once():
    def ignores_depth(alpha=0.5, depth=3):
        line_plot(alpha, 3)

    figure = widgets.scrubbable(ignores_depth, alpha=(0.0, 1.0, 0.5), depth=[1, 3, 10])
    assert len(figure.index) == 9 and len(figure.frames) == 3


def _gate_like_controls():
    return [
        widgets.make_control("gate", ["and", "or", "nand", "nor", "xor"], "xor"),
        *(widgets.make_control(name, (-2.0, 2.0, 0.1), default) for name, default in [("w1", 1.0), ("w2", 1.0), ("b", -0.5)]),
    ]


def test_a_menu_and_three_sliders_cross_the_menu_with_one_slider_at_a_time():
    controls = _gate_like_controls()
    plan = widgets.plan_frames(controls)
    keys = plan.keys(controls)
    assert plan.mode == "crossed" and len(keys) == len(set(keys)) <= widgets.MAX_FRAMES
    assert plan.swept == [False, True, True, True]
    for control, kept in zip(controls, plan.kept):
        assert control.default in kept  # the default figure is always a frame
        assert len(kept) >= widgets.MIN_SLIDER_VALUES or not control.is_slider
    default = tuple(k.index(c.default) for k, c in zip(plan.kept, controls))
    # each gate, with at most one slider away from its default
    for key in keys:
        assert sum(key[i] != default[i] for i in (1, 2, 3)) <= 1
    assert {key[0] for key in keys} == set(range(5))


@pytest.mark.parametrize(
    "specs, mode",
    [
        ({"a": (0.0, 4.0, 0.1)}, "grid"),  # 41 values: all of them
        ({"a": (0.0, 4.0, 0.1), "b": (0.0, 4.0, 0.1)}, "grid"),  # thinned to 9 x 9
        ({"a": (0.0, 4.0, 0.1), "b": (0, 40), "c": (-1.0, 1.0, 0.05)}, "sweep"),
        ({"kind": list("abcdefghijklmnopqrstuvwxyz"), "a": (0.0, 4.0, 0.1)}, "sweep"),
    ],
)
def test_every_plan_stays_within_the_budget_and_keeps_the_defaults(specs, mode):
    controls = [widgets.make_control(name, spec, spec[0] if isinstance(spec, list) else spec[1]) for name, spec in specs.items()]
    plan = widgets.plan_frames(controls)
    keys = plan.keys(controls)
    assert plan.mode == mode
    assert 1 < len(keys) == len(set(keys)) <= widgets.MAX_FRAMES
    for control, kept in zip(controls, plan.kept):
        assert control.default in kept
    if mode == "grid":
        assert all(len(kept) >= widgets.MIN_SLIDER_VALUES for kept in plan.kept)


def test_controls_mirror_the_live_widgets():
    slider = widgets.make_control("x", (-1.0, 1.0), 0.25)  # FloatSlider's default step is 0.1
    assert slider.labels[:3] == ["-1.00", "-0.90", "-0.80"] and "0.25" in slider.labels  # an off-grid default gets a stop
    assert slider.values[slider.default] == 0.25
    integers = widgets.make_control("n", (1, 9, 2), 5)
    assert integers.values == [1, 3, 5, 7, 9] and integers.default == 2
    menu = widgets.make_control("act", {"ReLU": "relu", "tanh": "tanh"}, "tanh")
    assert menu.labels == ["ReLU", "tanh"] and menu.default == 1
    pairs = widgets.make_control("depth", [("shallow", 2), ("deep", 20)], 20)
    assert pairs.labels == ["shallow", "deep"] and pairs.values == [2, 20]
    with pytest.raises(ValueError, match="not one of its options"):
        widgets.make_control("act", ["relu"], "gelu")


def test_live_mode_builds_sliders_starting_at_the_defaults(monkeypatch):
    monkeypatch.delenv("ACTLAB_STATIC", raising=False)
    calls = []

    def plot_fn(alpha=0.5, depth=3):
        calls.append((alpha, depth))

    explorer = widgets.explore(plot_fn, alpha=(0.0, 1.0, 0.1), depth=[1, 3, 10])
    controls = {w.description: w for w in explorer.widget.children if hasattr(w, "value") and w.description}
    assert controls["alpha"].value == 0.5 and controls["alpha"].max == 1.0
    assert controls["depth"].value == 3
    assert calls == [(0.5, 3)]  # interact draws once at the start


def test_a_control_without_a_default_is_a_clear_error():
    def plot_fn(alpha, depth=3):
        pass

    with pytest.raises(TypeError, match="missing: alpha"):
        widgets.explore(plot_fn, alpha=(0.0, 1.0))


@pytest.mark.parametrize("value, static", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_is_static_reads_the_environment(monkeypatch, value, static):
    monkeypatch.setenv("ACTLAB_STATIC", value)
    assert widgets.is_static() is static

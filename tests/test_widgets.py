"""Explorers: sliders in a live notebook, the default figure when static."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from actlab import widgets  # noqa: E402


def test_static_mode_draws_the_defaults_once(monkeypatch):
    monkeypatch.setenv("ACTLAB_STATIC", "1")
    calls = []

    def plot_fn(alpha=0.5, depth=3):
        calls.append((alpha, depth))

    assert widgets.explore(plot_fn, alpha=(0.0, 1.0, 0.1), depth=[1, 3, 10]) is None
    assert calls == [(0.5, 3)]


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

"""Interactive explorers that are still a figure where nobody can move a slider.

The book's convention (GUIDE §7): write ``plot_fn(**params)`` first, a function that
draws one figure for one setting of its parameters, then hand it to :func:`explore`.
In a live notebook ``explore`` wraps it in ipywidgets sliders. When the environment
variable ``ACTLAB_STATIC`` is set (the Makefile sets it for the book build and for
nbval) it draws ``plot_fn`` once at its defaults instead, so the executed outputs are
a deterministic figure rather than a widget that needs a running kernel.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable

import matplotlib.pyplot as plt

__all__ = ["explore", "is_static"]


def is_static() -> bool:
    """True when explorers must draw a static figure (``ACTLAB_STATIC`` is set, non-empty, not 0)."""
    return os.environ.get("ACTLAB_STATIC", "") not in ("", "0")


def _defaults(plot_fn: Callable) -> dict:
    signature = inspect.signature(plot_fn)
    return {
        name: p.default
        for name, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def explore(plot_fn: Callable[..., object], **controls):
    """Sliders for ``plot_fn``'s parameters in a live notebook; its default figure otherwise.

    ``controls`` maps parameter names to ipywidgets abbreviations, e.g.
    ``alpha=(0.0, 2.0, 0.1)`` for a float slider or ``depth=[1, 2, 5, 10]`` for a
    drop-down. Every controlled parameter must have a default in ``plot_fn``'s
    signature: that default is the figure the static book shows.
    """
    defaults = _defaults(plot_fn)
    missing = sorted(set(controls) - set(defaults))
    if missing:
        raise TypeError(
            f"explore: {plot_fn.__name__}() needs a default for each controlled parameter; "
            f"missing: {', '.join(missing)}"
        )
    if is_static():
        plot_fn()
        plt.show()
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

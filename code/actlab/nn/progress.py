"""A training progress bar, for people only.

Shown only in a live notebook: never when ``ACTLAB_STATIC`` is set (the book build and
nbval set it, and a bar's timings would make their outputs differ from run to run),
and never outside an IPython kernel (scripts, tests). The bar is an ipywidgets
progress bar with the latest figures beside it.
"""

from __future__ import annotations

from actlab.environment import is_static

__all__ = ["ProgressBar", "progress_bar", "wants_progress"]


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def wants_progress() -> bool:
    """True in a live IPython kernel unless ``ACTLAB_STATIC`` is set (non-empty and not ``0``)."""
    return not is_static() and _in_kernel()


class ProgressBar:
    """``total`` steps of work; ``update(done, text)`` moves the bar; a no-op when not ``enabled``."""

    def __init__(self, total: int, *, enabled: bool):
        self.widget = None
        if not enabled:
            return
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(value=0, min=0, max=total)
        self.label = ipywidgets.Label()
        self.widget = ipywidgets.HBox([self.bar, self.label])
        display(self.widget)

    def update(self, done: int, text: str = "") -> None:
        if self.widget is not None:
            self.bar.value = done
            self.label.value = text

    def close(self) -> None:
        if self.widget is not None:
            self.bar.bar_style = "success"


def progress_bar(total: int, wanted: bool = True) -> ProgressBar:
    """A bar if ``wanted`` and :func:`wants_progress` allows one; otherwise a silent stand-in."""
    return ProgressBar(total, enabled=wanted and wants_progress())

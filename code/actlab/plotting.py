"""The book's figure style and the figure recipes every chapter shares.

One style for every figure: the Okabe–Ito palette, which stays distinguishable under
the common forms of colour blindness, light grid, no top or right spines. Recipes take
an optional ``ax`` so that chapters can compose them, and return the axes they drew on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

__all__ = [
    "PALETTE",
    "use_book_style",
    "new_axes",
    "plot_functions",
    "plot_decision_regions",
    "plot_curves",
]

#: Okabe & Ito's colour-blind-safe palette, black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

_STYLE = {
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": "medium",
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure drawn after the call."""
    mpl.rcParams.update(_STYLE)


def new_axes(ncols: int = 1, *, width: float = 6.4, height: float = 3.6, **kwargs):
    """A figure with ``ncols`` side-by-side axes in the book's style: ``(fig, axes)``."""
    use_book_style()
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained", **kwargs)
    return fig, axes


def plot_functions(
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    *,
    x: Sequence[float] | np.ndarray | None = None,
    ax=None,
    title: str | None = None,
    ylabel: str = "f(x)",
    show_jumps: bool = True,
):
    """Plot each ``name → f`` of ``functions`` over ``x`` (default: 801 points on [-5, 5]).

    Where a function jumps (a step, a derivative at a kink) the curve is broken
    rather than joined by a vertical line, which would suggest values it never takes.
    """
    x = np.linspace(-5, 5, 801) if x is None else np.asarray(x, dtype=np.float64)
    if ax is None:
        _, ax = new_axes()
    for name, f in functions.items():
        y = np.asarray(f(x), dtype=np.float64)
        if show_jumps:
            span = np.ptp(y[np.isfinite(y)]) if np.isfinite(y).any() else 0.0
            jumps = np.abs(np.diff(y)) > 0.25 * max(span, 1e-12)
            y = np.insert(y, np.flatnonzero(jumps) + 1, np.nan)
            xs = np.insert(x, np.flatnonzero(jumps) + 1, np.nan)
        else:
            xs = x
        ax.plot(xs, y, label=name)
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.axvline(0, color="0.5", linewidth=0.8)
    ax.set_xlabel("x")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(functions) > 1:
        ax.legend()
    return ax


def plot_decision_regions(
    X,
    y,
    predict: Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    ax=None,
    title: str | None = None,
    resolution: int = 300,
    padding: float = 0.5,
    legend: bool = True,
):
    """Scatter 2-D points coloured by class, over the regions ``predict`` assigns.

    ``predict`` maps an ``(m, 2)`` array of points to ``m`` integer classes; without it
    only the points are drawn.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if ax is None:
        _, ax = new_axes(width=4.2, height=4.0)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    classes = np.unique(y)
    colours = [PALETTE[i % len(PALETTE)] for i in range(max(int(classes.max()) + 1, 2))]
    if predict is not None:
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
        regions = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
        ax.contourf(gx, gy, regions, levels=np.arange(len(colours) + 1) - 0.5,
                    cmap=ListedColormap(colours), alpha=0.18)
    markers = "os^vD"
    for c in classes:
        pts = X[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=36, color=colours[int(c)], marker=markers[int(c) % 5],
                   edgecolors="black", linewidths=0.5, label=f"class {c}", zorder=3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best", fontsize="small", frameon=True, framealpha=0.9)
    return ax


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    x: Sequence[float] | None = None,
    ax=None,
    xlabel: str = "epoch",
    ylabel: str = "",
    title: str | None = None,
    logy: bool = False,
    steps: bool = False,
):
    """Line plot of named series against a shared ``x`` (default 1, 2, …)."""
    if ax is None:
        _, ax = new_axes()
    for name, values in curves.items():
        values = np.asarray(values, dtype=np.float64)
        xs = np.arange(1, len(values) + 1) if x is None else np.asarray(x)
        if steps:
            ax.step(xs, values, where="post", label=name)
        else:
            ax.plot(xs, values, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax

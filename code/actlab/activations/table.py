"""The reference table of the book's appendix, generated from the activations' metadata.

Chapters and the appendix display :func:`reference_table_markdown`; anything else
(plots, filters, exercises) can use the rows of :func:`reference_table`. Since both come
from the objects' :class:`~actlab.activations.base.Properties`, the table cannot
disagree with the code.
"""

from __future__ import annotations

import math

from actlab.activations.registry import defaults, get, names

__all__ = ["reference_table", "reference_table_markdown", "COLUMNS"]

_SMOOTHNESS = {"discontinuous": "discontinuous", "C0": "$C^0$", "C1": "$C^1$", "Cinf": r"$C^\infty$"}

#: Column key → header of the Markdown table.
COLUMNS = {
    "name": "Activation",
    "formula": "f(x)",
    "derivative": "f′(x)",
    "range": "Range",
    "zero_centred": "Zero-centred",
    "monotonic": "Monotonic",
    "smoothness": "Smoothness",
    "saturates": "Saturates",
    "self_normalizing": "Self-normalizing",
    "cost": "Cost",
    "defaults": "Defaults",
    "cite_key": "Paper",
}


def _format_default(v) -> str:
    if v is None:
        return "None"
    if isinstance(v, float):
        for num, den in ((1, 8), (1, 3)):
            if math.isclose(v, num / den, rel_tol=0, abs_tol=1e-15):
                return f"{num}/{den}"
        return f"{v:.17g}" if len(repr(v)) > 12 else repr(v)
    return repr(v)


def reference_table() -> list[dict]:
    """One dict per activation (book order) with the keys of :data:`COLUMNS` plus
    ``output_range`` (the numeric (inf, sup)), ``kinks`` and ``note``."""
    rows = []
    for name in names():
        act = get(name)
        info = act.info
        rows.append(
            {
                "name": name,
                "formula": info.formula,
                "derivative": info.derivative,
                "range": info.range_latex,
                "output_range": info.output_range,
                "zero_centred": info.zero_centred,
                "monotonic": info.monotonic,
                "smoothness": info.smoothness,
                "saturates": info.saturates,
                "self_normalizing": info.self_normalizing,
                "cost": info.cost,
                "defaults": {k: v for k, v in defaults(name).items() if k not in ("seed", "rng", "channels")},
                "cite_key": info.cite_key,
                "kinks": info.kinks,
                "note": info.note,
                "elementwise": act.elementwise,
            }
        )
    return rows


def _cell(key: str, value, cite: str) -> str:
    if key in ("formula", "derivative", "range"):
        text = f"${value}$"
    elif key == "smoothness":
        text = _SMOOTHNESS[value]
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif key == "defaults":
        text = ", ".join(f"{k} = {_format_default(v)}" for k, v in value.items()) or "—"
    elif key == "cite_key":
        text = "—" if value is None else ({"myst": f"{{cite}}`{value}`", "plain": value}[cite])
    elif key == "name":
        text = f"`{value}`"
    else:
        text = str(value)
    return text.replace("|", r"\|").replace("\n", " ")


def reference_table_markdown(columns=None, *, cite: str = "myst") -> str:
    """The reference table as a Markdown (MyST) string.

    Args:
        columns: keys of :data:`COLUMNS` to show, in order (default all).
        cite: ``"myst"`` renders the paper as a ``{cite}`` role for Jupyter Book,
            ``"plain"`` as the bare bibliography key.
    """
    if cite not in ("myst", "plain"):
        raise ValueError(f"cite must be 'myst' or 'plain', got {cite!r}")
    columns = list(COLUMNS) if columns is None else list(columns)
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; choose from {list(COLUMNS)}")
    lines = [
        "| " + " | ".join(COLUMNS[c] for c in columns) + " |",
        "|" + "|".join(" --- " for _ in columns) + "|",
    ]
    for row in reference_table():
        lines.append("| " + " | ".join(_cell(c, row[c], cite) for c in columns) + " |")
    return "\n".join(lines) + "\n"

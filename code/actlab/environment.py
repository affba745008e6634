"""Where the code is running: a person's live notebook, or a build with nobody watching."""

from __future__ import annotations

import os

__all__ = ["is_static"]


def is_static() -> bool:
    """True when no person is at the keyboard: ``ACTLAB_STATIC`` is set, non-empty and not ``0``.

    The Makefile's book build and nbval set it, so explorers draw precomputed frames
    instead of live sliders and training shows no progress bar: outputs that depend on
    a person, or on timing, would make the book and the stored exercise outputs differ
    from run to run.
    """
    return os.environ.get("ACTLAB_STATIC", "") not in ("", "0")

"""actlab: the shared code behind *From Step to SELU*.

Every chapter and exercise of the book imports this package; none of them copies
its code. Subpackages:

- :mod:`actlab.activations` — every activation function with its exact derivative.
- :mod:`actlab.perceptron` — Rosenblatt's perceptron and its learning rule.
- :mod:`actlab.data` — seeded toy data sets (nothing is ever downloaded).
- :mod:`actlab.plotting` — the book's figure style and figure recipes.
- :mod:`actlab.widgets` — interactive explorers that degrade to a static figure.
- :mod:`actlab.checks` — the checks behind the exercises' feedback.
"""

from actlab import _allocator

__version__ = "0.1.0"

# Reuse freed memory rather than zeroed fresh pages for every temporary of a few hundred
# KiB (see code/actlab/_allocator.c: up to 1.5x on a training epoch). Blocks up to
# 16 MiB come from the heap, which keeps up to 64 MiB of free memory.
_allocator.keep_freed_memory(16 << 20, 64 << 20)

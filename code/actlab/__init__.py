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

__version__ = "0.1.0"

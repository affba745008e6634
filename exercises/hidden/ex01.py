"""Hidden tests for exercise 1: extra cases per question, graded but never shown.

Read only by ``python -m actlab.grade`` (see chapters/appendix_instructors.md). Feedback
says whether each of these passes and shows its hint, never its arguments or result.
Question q3 has none: its four visible cases already cover every gate it asks for.
"""

import numpy as np

from actlab.checks import Case

_rng = np.random.default_rng(7)
_sizes = [3, 4, 2, 5, 1, 3]
_chain = [np.round(_rng.standard_normal((n_out, n_in)), 2) for n_in, n_out in zip(_sizes, _sizes[1:])]

HIDDEN = {
    "q1": [
        Case((np.array([-np.inf, -5.0, -1e-320, 0.0, 1e-320, 5.0, np.inf]),), {"at_zero": 0.25},
             hint="subnormal numbers have a sign too"),
        Case((np.array([[np.nan, 0.0], [-0.0, 7.0]]),), {"at_zero": 2.0}, hint="NaN stays NaN in any shape"),
        Case((np.zeros(0),), hint="an empty array gives an empty array"),
        Case((5.0,), hint="a single number is array-like too"),
    ],
    "q2": [
        Case((np.array([0.2, -0.4]), 0.1, np.array([1.0, 1.0]), 0), {"learning_rate": 0.5},
             hint="a correct prediction changes nothing"),
        Case((np.array([0.2, -0.4]), 0.3, np.array([1.0, 1.0]), 0), {"learning_rate": 0.5},
             hint="the learning rate scales both updates"),
        Case((np.array([1.0, 1.0, 1.0]), -3.0, np.array([1.0, 1.0, 1.0]), 1), hint="w·x + b = 0 predicts 1"),
    ],
    "q4": [
        Case((_chain,), hint="five layers"),
        Case(([np.array([[1.0, 2.0, 3.0]])],), hint="one layer need not be square"),
        Case(([np.array([[1.0], [2.0], [3.0]]), np.array([[1.0, 1.0, 1.0]])],),
             hint="the first layer acts first, whatever the shapes"),
    ],
}

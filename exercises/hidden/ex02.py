"""Hidden tests for exercise 2: extra cases per question, graded but never shown.

Read only by ``python -m actlab.grade`` (see chapters/appendix_instructors.md). Feedback
says whether each of these passes and shows its hint, never its arguments or result.
"""

import numpy as np

from actlab.checks import Case

HIDDEN = {
    "q1": [
        Case((np.linspace(-30.0, 30.0, 13),), hint="ordinary inputs of both signs"),
        Case((np.array([-710.0, 710.0, -1e308, 1e308]),), hint="the largest finite inputs do not overflow either"),
        Case((-50.0,), hint="a single number is array-like too"),
    ],
    "q2": [
        Case((np.array([-3.0, -1.0, 1.0, 3.0]),), hint="tanh′ is even"),
        Case((np.array([-30.0, 30.0, -np.inf, np.inf]),), hint="tanh′(±∞) = 0"),
        Case((np.array([np.nan]),), hint="NaN stays NaN"),
    ],
    "q3": [
        Case((np.array([[1e3, -1e3], [0.0, 0.0]]),), {"axis": 1}, hint="each row on its own"),
        Case((np.array([5.0]),), hint="one class: log 1 = 0"),
        Case((np.arange(6.0).reshape(2, 3),), {"axis": 0}, hint="normalize along the given axis"),
    ],
    "q4": [
        Case((np.array([[0.0, 1000.0, -1000.0]]), np.array([2])), hint="a very confident wrong answer"),
        Case((np.array([[1.0, 1.0, 1.0, 1.0]]), np.array([3])), hint="uniform logits over 4 classes: log 4"),
        Case((np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), [0, 1, 0]), hint="labels may come as a list"),
    ],
}

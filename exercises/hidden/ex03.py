"""Hidden tests for exercise 3: extra cases per question, graded but never shown.

Read only by ``python -m actlab.grade`` (see chapters/appendix_instructors.md). Feedback
says whether each of these passes and shows its hint, never its arguments or result.
"""

import numpy as np

from actlab.checks import Case
from actlab.checks.ex03 import sigmoid_network


HIDDEN = {
    "q1": [Case((1, 1)), Case((4096, 1000)), Case((10, 30), hint="n_in and n_out count alike")],
    "q2": [Case((3, 1)), Case((512, 512)), Case((20, 10), hint="n_in and n_out count alike")],
    "q3": [
        Case(sigmoid_network([2, 3, 1], 1.0, seed=5, batch=4), hint="layers of different widths"),
        Case(sigmoid_network([3] * 9, 8.0, seed=3, batch=4), hint="saturated units: tiny but exact gradients"),
    ],
    "q4": [
        Case(([np.array([6.0, 8.0])], 5.0), hint="one gradient of norm 10, clipped to 5"),
        Case(([np.array([[3.0, 4.0]]), np.zeros(2)], 10.0), hint="a norm below the threshold changes nothing"),
        Case(([np.array([1e-200, 1e-200]), np.array([1e-200])], 1e-201),
             hint="squaring 1e-200 underflows to 0: divide by the largest magnitude first"),
    ],
}

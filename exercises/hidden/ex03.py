"""Hidden tests for exercise 3: extra cases per question, graded but never shown.

Read only by ``python -m actlab.grade`` (see chapters/appendix_instructors.md). Feedback
says whether each of these passes and shows its hint, never its arguments or result.
"""

import numpy as np

from actlab.checks import Case


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _network(widths, scale, seed, batch=4):
    """Weights, pre-activations and an upstream gradient for a sigmoid network of these widths."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, widths[0]))
    weights, pre = [], []
    for n_in, n_out in zip(widths, widths[1:]):
        W = np.round(rng.normal(0.0, scale / np.sqrt(n_in), (n_out, n_in)), 4)
        weights.append(W)
        pre.append(h @ W.T)
        h = _sigmoid(pre[-1])
    return weights, pre, np.ones((batch, widths[-1]))


HIDDEN = {
    "q1": [Case((1, 1)), Case((4096, 1000)), Case((10, 30), hint="n_in and n_out count alike")],
    "q2": [Case((3, 1)), Case((512, 512)), Case((20, 10), hint="n_in and n_out count alike")],
    "q3": [
        Case(_network([2, 3, 1], 1.0, seed=5), hint="layers of different widths"),
        Case(_network([3, 3, 3, 3, 3, 3, 3, 3, 3], 8.0, seed=3), hint="saturated units: tiny but exact gradients"),
    ],
    "q4": [
        Case(([np.array([6.0, 8.0])], 5.0), hint="one gradient of norm 10, clipped to 5"),
        Case(([np.array([[3.0, 4.0]]), np.zeros(2)], 10.0), hint="a norm below the threshold changes nothing"),
        Case(([np.array([1e-200, 1e-200]), np.array([1e-200])], 1e-201),
             hint="squaring 1e-200 underflows to 0: divide by the largest magnitude first"),
    ],
}

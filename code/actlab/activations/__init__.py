"""Every activation function of the book, from the step to Mish, exact and fast.

Two ways in:

- plain functions, ``from actlab.activations import selu``: ``selu(x)`` and
  ``selu_derivative(x)``, with the parameters as keywords (``elu(x, alpha=1.0)``);
- activation objects, ``act = get("elu", alpha=1.0)``: callable, with
  ``act.derivative(x)``, ``act.forward(x) -> (y, cache)``,
  ``act.backward(cache, upstream) -> grad``, ``act.name``, ``act.params``,
  ``act.training`` and the metadata of :class:`Properties` (``act.formula``,
  ``act.output_range``, ``act.monotonic``, ``act.cite_key``, …).

``names()`` lists all of them in the book's order; ``reference_table()`` and
``reference_table_markdown()`` generate the appendix's table from the metadata.

Numerics: every elementwise function and derivative accepts any real array-like
(integers and lists become float64; float32 stays float32), returns the exact limit at
±inf and NaN for NaN, raises no floating-point warning, and is accurate to a few units
in the last place against 50-digit references (measured in
:mod:`actlab.activations.accuracy`, which states the exceptions). Defaults are the
papers' (ELU α = 1, Leaky ReLU slope 0.01, PReLU 0.25, RReLU U(1/8, 1/3), SELU's
published constants).

Speed: the formulas are written in numpy, in the modules named after their families
(``exponential``, ``gated``, ``rectifiers``, …); read them there. For float32 input the
forward passes of the activations that need an exponential, and of a few whose numpy
form takes several passes, run the same formulas compiled (``_fused.c``, one pass over
memory; see ``benchmarks/activations.py``).
"""

from actlab.activations.base import Activation, Properties
from actlab.activations.basic import identity, identity_derivative, step, step_derivative
from actlab.activations.exponential import (
    SELU_ALPHA,
    SELU_LAMBDA,
    celu,
    celu_derivative,
    elu,
    elu_derivative,
    selu,
    selu_derivative,
)
from actlab.activations.gated import (
    gelu,
    gelu_derivative,
    gelu_tanh,
    gelu_tanh_derivative,
    hard_swish,
    hard_swish_derivative,
    mish,
    mish_derivative,
    silu,
    silu_derivative,
    swish,
    swish_derivative,
)
from actlab.activations.maxout import Maxout, maxout
from actlab.activations.prelu import PReLU
from actlab.activations.rectifiers import (
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu6,
    relu6_derivative,
    relu_derivative,
    softplus,
    softplus_derivative,
)
from actlab.activations.registry import defaults, get, names
from actlab.activations.softmax import LogSoftmax, Softmax, log_softmax, softmax
from actlab.activations.squashing import (
    hard_sigmoid,
    hard_sigmoid_derivative,
    hard_tanh,
    hard_tanh_derivative,
    sigmoid,
    sigmoid_derivative,
    softsign,
    softsign_derivative,
    tanh,
    tanh_derivative,
)
from actlab.activations.stochastic import NoisyReLU, RReLU
from actlab.activations.table import reference_table, reference_table_markdown


def noisy_relu(x, std=None, *, seed=None, rng=None):
    """One training-mode draw of :class:`NoisyReLU` (Nair & Hinton 2010): max(0, x + ε).

    For evaluation-mode values use :func:`relu`; for gradients, ``get("noisy_relu")``.
    """
    act = NoisyReLU(std, seed=seed, rng=rng)
    act.training = True
    return act(x)


def rrelu(x, lower=1 / 8, upper=1 / 3, *, training=False, seed=None, rng=None):
    """Randomized Leaky ReLU (Xu et al. 2015): the mean slope (lower + upper)/2 by
    default, one random slope per element with ``training=True``."""
    act = RReLU(lower, upper, seed=seed, rng=rng)
    act.training = training
    return act(x)


def prelu(x, slope=0.25):
    """PReLU's function for a given slope (scalar or per channel over the last axis);
    to learn the slope use ``get("prelu")`` and its ``param_grads``."""
    return PReLU(slope)(x)


__all__ = [
    "Activation",
    "Properties",
    "get",
    "names",
    "defaults",
    "reference_table",
    "reference_table_markdown",
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "NoisyReLU",
    "RReLU",
    "PReLU",
    "Softmax",
    "LogSoftmax",
    "Maxout",
    "step", "step_derivative", "identity", "identity_derivative",
    "sigmoid", "sigmoid_derivative", "hard_sigmoid", "hard_sigmoid_derivative",
    "tanh", "tanh_derivative", "hard_tanh", "hard_tanh_derivative",
    "softsign", "softsign_derivative", "softmax", "log_softmax",
    "relu", "relu_derivative", "relu6", "relu6_derivative",
    "softplus", "softplus_derivative", "noisy_relu", "leaky_relu", "leaky_relu_derivative",
    "prelu", "rrelu", "maxout",
    "elu", "elu_derivative", "celu", "celu_derivative", "selu", "selu_derivative",
    "gelu", "gelu_derivative", "gelu_tanh", "gelu_tanh_derivative",
    "silu", "silu_derivative", "swish", "swish_derivative",
    "hard_swish", "hard_swish_derivative", "mish", "mish_derivative",
]  # fmt: skip

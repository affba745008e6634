"""The registry: every activation by name, in the book's order.

``get(name, **params)`` builds an :class:`~actlab.activations.base.Activation`;
``names()`` lists the canonical names. Names are case-insensitive and ``-`` may stand
for ``_``; a few aliases are accepted (``logistic``, ``heaviside``, ``linear``).
"""

from __future__ import annotations

import inspect

from actlab.activations import basic, exponential, gated, rectifiers, squashing
from actlab.activations.base import Activation, Elementwise, Spec
from actlab.activations.maxout import Maxout
from actlab.activations.prelu import PReLU
from actlab.activations.softmax import LogSoftmax, Softmax
from actlab.activations.stochastic import NoisyReLU, RReLU

__all__ = ["get", "names", "defaults", "ORDER"]

_SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in basic.SPECS + squashing.SPECS + rectifiers.SPECS + exponential.SPECS + gated.SPECS
}
_CLASSES: dict[str, type[Activation]] = {
    "softmax": Softmax,
    "log_softmax": LogSoftmax,
    "noisy_relu": NoisyReLU,
    "prelu": PReLU,
    "rrelu": RReLU,
    "maxout": Maxout,
}

#: The book's order: Part I, then the rectifiers, then the exponential and gated families.
ORDER = (
    "step", "identity", "sigmoid", "hard_sigmoid", "tanh", "hard_tanh", "softsign",
    "softmax", "log_softmax",
    "relu", "relu6", "softplus", "noisy_relu", "leaky_relu", "prelu", "rrelu", "maxout",
    "elu", "celu", "selu",
    "gelu", "gelu_tanh", "silu", "swish", "hard_swish", "mish",
)  # fmt: skip

_ALIASES = {alias: spec.name for spec in _SPECS.values() for alias in spec.aliases}
assert set(ORDER) == set(_SPECS) | set(_CLASSES), "ORDER must list every activation once"


def names() -> list[str]:
    """The canonical names of all activations, in the book's order."""
    return list(ORDER)


def _canonical(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ORDER:
        raise ValueError(f"unknown activation {name!r}; known activations: {', '.join(ORDER)}")
    return key


def defaults(name: str) -> dict:
    """The default parameters of an activation (the papers' values)."""
    key = _canonical(name)
    target = _SPECS[key].check if key in _SPECS else _CLASSES[key].__init__
    return {
        p.name: p.default
        for p in inspect.signature(target).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


def get(name: str, **params) -> Activation:
    """A new activation object: ``get("elu", alpha=1.0)``, ``get("prelu", channels=16)``.

    Raises:
        ValueError: unknown name (the message lists the known ones), or an invalid
            parameter value (the message says which parameter and why).
        TypeError: a parameter the activation does not have, or of the wrong type.
    """
    key = _canonical(name)
    target = _SPECS[key].check if key in _SPECS else _CLASSES[key].__init__
    accepted = [p for p in inspect.signature(target).parameters if p != "self"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        listed = ", ".join(accepted) if accepted else "none"
        raise TypeError(f"{key}: unknown parameter(s) {', '.join(unknown)}; its parameters: {listed}")
    if key in _SPECS:
        return Elementwise(_SPECS[key], **params)
    return _CLASSES[key](**params)

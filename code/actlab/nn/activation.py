"""A layer for every function in :mod:`actlab.activations`.

The activation objects do the mathematics (``forward(x) -> (y, cache)`` and
``backward(cache, upstream) -> ∂L/∂x``); this layer only keeps the cache between the
two passes, switches training mode for the randomised ones (RReLU, Noisy ReLU) and
turns an activation's own parameters — PReLU's slope — into trainable
:class:`~actlab.nn.layer.Parameter` objects that share the activation's arrays.
"""

from __future__ import annotations

import numpy as np

from actlab import activations
from actlab.activations.base import check_upstream
from actlab.nn.layer import Layer, Parameter

__all__ = ["Activation"]


class Activation(Layer):
    """``y = f(x)`` for the activation ``name`` of :mod:`actlab.activations`.

    ``params`` go to ``actlab.activations.get(name, **params)``, e.g.
    ``Activation("leaky_relu", slope=0.3)``, ``Activation("prelu", channels=64)`` or
    ``Activation("maxout", k=2)``. An activation with ``param_grads`` (PReLU) has
    trainable parameters, listed by :meth:`parameters` and never weight-decayed.
    Randomised activations (``stochastic``: RReLU, Noisy ReLU) draw from a stream of
    their own, seeded by the model, unless ``seed`` or ``rng`` is given.
    """

    def __init__(self, name: str, **params):
        self.options = params
        self.fn = activations.get(name, **params)  # an unknown name or parameter fails here
        self.name = self.fn.name
        self._params: list[Parameter] = []
        self._training = True
        self._cache = None

    @property
    def training(self) -> bool:
        return self._training

    @training.setter
    def training(self, value: bool) -> None:
        self._training = bool(value)
        self.fn.training = self._training

    def build(self, rng, dtype=np.float32) -> Activation:
        """A fresh activation (PReLU's slope back at its start), with its own random stream."""
        super().build(rng, dtype)
        options = dict(self.options)
        if getattr(self.fn, "stochastic", False) and "seed" not in options and "rng" not in options:
            options["rng"] = np.random.default_rng(rng)
        self.fn = activations.get(self.name, **options)
        self.fn.training = self._training
        self._params = []
        if not hasattr(self.fn, "param_grads"):
            return self  # its params are fixed settings (a leaky slope, ELU's α), not weights
        for key, value in self.fn.params.items():
            # One array, shared with the activation and cast to the model's dtype (a float64
            # slope would silently promote a float32 network to float64).
            self.fn.params[key] = np.array(value, dtype=self.dtype)
            self._params.append(Parameter(key, self.fn.params[key], decay=False))
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self._cache = self.fn.forward(x)
        if self.name == "relu":
            # ReLU's derivative is the indicator of x > 0 (0 at the kink): keep it as a
            # boolean mask, and the backward pass is a single product. ReLU is in every
            # network of the book, so this is the engine's hottest activation. (A NaN input
            # passes no gradient here, where ReLU's derivative would give NaN.)
            self._cache = np.asarray(x) > 0
        return y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        if self.name == "relu":
            return check_upstream(self.name, grad, self._cache.shape) * self._cache
        if self._params:
            grads = self.fn.param_grads(self._cache, grad)
            for p in self._params:
                p.grad = np.asarray(grads[p.name], dtype=p.value.dtype).reshape(p.value.shape)
        return self.fn.backward(self._cache, grad)

    def parameters(self) -> list[Parameter]:
        return list(self._params)

    def __repr__(self) -> str:
        options = "".join(f", {k}={v!r}" for k, v in self.options.items() if k not in ("rng",))
        return f"Activation({self.name!r}{options})"

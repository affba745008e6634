"""The two building blocks of the engine: :class:`Parameter` and :class:`Layer`.

A network is a chain of layers. Each layer computes ``y = f(x; θ)`` in ``forward``
and remembers what it needs; ``backward`` receives ``∂L/∂y`` (the *upstream*
gradient), stores ``∂L/∂θ`` in each parameter's ``grad`` and returns ``∂L/∂x`` for
the layer below. That is the whole of backpropagation: the chain rule, applied one
layer at a time from the loss down.

Gradients are *assigned*, not accumulated, so there is nothing to zero between steps
(no parameter is shared between layers in this engine).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Layer", "Parameter"]


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    ``decay`` says whether weight decay may shrink it: true for weights, false for
    biases, normalisation scales and PReLU slopes (He et al. 2015 do not decay them).
    Optimizers update ``value`` in place, so other objects holding the same array
    (an activation's ``params`` dict, for one) see every update.
    """

    def __init__(self, name: str, value: np.ndarray, *, decay: bool = True):
        self.name = name
        self.value = value
        self.grad = np.zeros_like(value)
        self.decay = decay

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: ``build`` draws parameters, ``forward`` and ``backward`` do the work.

    ``training`` switches the layers that behave differently while learning (dropout,
    batch normalisation, randomised activations); :class:`~actlab.nn.Sequential` sets it
    on every layer at once.
    """

    training: bool = True
    built: bool = False

    def build(self, rng: np.random.Generator | int, dtype=np.float32) -> Layer:
        """Draw this layer's parameters (and its random stream) from ``rng``; returns ``self``.

        ``rng`` may be a seed. Layers without parameters or randomness need no building,
        but accept the call so that a model can build every layer alike.
        """
        self.dtype = np.dtype(dtype)
        self.built = True
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        return []

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs; a model prefixes each name with its layer's index."""
        return [(p.name, p) for p in self.parameters()]

    def _require_built(self) -> None:
        if not self.built:
            raise RuntimeError(
                f"{self!r} is not built (its parameters and random stream are drawn by build): put it "
                f"in a Sequential, which builds every layer from its seed, or call .build(seed) first"
            )

    def _require_forward(self, cache) -> None:
        if cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

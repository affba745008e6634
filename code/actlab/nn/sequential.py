"""A network as a list of layers, applied in order."""

from __future__ import annotations

import numpy as np

from actlab.nn.activation import Activation
from actlab.nn.layer import Layer, Parameter
from actlab.nn.validate import check_inputs

__all__ = ["Sequential"]


class Sequential(Layer):
    """``y = f_L(… f_2(f_1(x)))``; backward runs the layers' backward passes in reverse.

    ``Sequential([Dense(40, 256), "relu", Dense(256, 10)], seed=0)`` builds every layer
    at once: a string stands for :class:`~actlab.nn.Activation` of that name, and layer
    ``i`` draws its weights and random stream from the ``i``-th child of
    ``np.random.default_rng(seed)``. Layers keep their streams when a neighbour changes,
    so swapping one activation for another leaves every weight matrix identical — the
    fair start that comparisons of activations need.

    ``dtype`` is float32 by default (fast); use float64 for gradient checks.
    Inputs are cast to ``dtype`` on the way in.
    """

    def __init__(self, layers, *, seed: int | np.random.Generator = 0, dtype=np.float32):
        self.layers: list[Layer] = [Activation(layer) if isinstance(layer, str) else layer for layer in layers]
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: item {i} is {layer!r}, not a Layer or an activation name")
        if not self.layers:
            raise ValueError("Sequential needs at least one layer")
        self._training = True
        self.build(seed, dtype)

    def build(self, rng, dtype=np.float32) -> Sequential:
        super().build(rng, dtype)
        rng = np.random.default_rng(rng)
        for layer, child in zip(self.layers, rng.spawn(len(self.layers))):
            layer.build(child, self.dtype)
        return self

    @property
    def training(self) -> bool:
        return self._training

    @training.setter
    def training(self, value: bool) -> None:
        """Switch every layer between training (``True``) and evaluation (``False``) behaviour."""
        self._training = bool(value)
        for layer in self.layers:
            layer.training = self._training

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()]

    def predict(self, X, *, batch_size: int = 1024) -> np.ndarray:
        """The network's outputs for ``X`` in evaluation mode (no dropout, running BN statistics)."""
        X = check_inputs(X, self.dtype)
        was_training, self.training = self.training, False
        try:
            return np.concatenate([self.forward(X[i : i + batch_size]) for i in range(0, len(X), batch_size)])
        finally:
            self.training = was_training

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def __repr__(self) -> str:
        lines = [f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers)]
        count = sum(p.value.size for p in self.parameters())
        return "Sequential(\n" + "\n".join(lines) + f"\n)  # {count:,} parameters, {self.dtype}"

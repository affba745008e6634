"""Gradient descent and its two most used refinements, with gradient clipping.

Every optimizer updates ``Parameter.value`` in place from ``Parameter.grad``. Before
the update, ``step`` optionally

* adds weight decay ``λ θ`` to the gradient of each parameter with ``decay=True``
  (an L2 penalty ``λ/2 ‖θ‖²``; biases, BN scales and PReLU slopes are exempt);
* clips each gradient entry to ``[−clip_value, clip_value]``;
* rescales all gradients together so that their global norm is at most ``clip_norm``
  :cite:`pascanu2013difficulty` — the direction is kept, only the step is shortened.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import blas

from actlab.nn import _adam
from actlab.nn.layer import Parameter

__all__ = ["SGD", "Adam", "Momentum", "Optimizer", "clip_by_norm", "clip_by_value", "get_optimizer", "global_norm"]


def global_norm(grads: list[np.ndarray]) -> float:
    """``√(Σ_i ‖g_i‖²)`` over all the arrays, as if they were one long vector."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """``y ← y + a·x`` in place, in one pass over the arrays (BLAS's axpy).

    numpy would take two, ``a·x`` into a temporary and then the sum; every parameter
    update ends with one of these, at every step.
    """
    if y.dtype == x.dtype and y.dtype in (np.float32, np.float64) and y.flags.c_contiguous and x.flags.c_contiguous:
        (blas.saxpy if y.dtype == np.float32 else blas.daxpy)(x.reshape(-1), y.reshape(-1), a=a)
    else:
        y += a * x


def clip_by_value(grads: list[np.ndarray], limit: float) -> None:
    """Clip every entry of every gradient to ``[−limit, limit]``, in place."""
    for g in grads:
        np.clip(g, -limit, limit, out=g)


def clip_by_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Scale all gradients by ``min(1, max_norm / ‖g‖)``, in place; returns the norm before clipping."""
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm


class Optimizer:
    """Shared bookkeeping: the parameters, the learning rate, decay and clipping."""

    def __init__(self, params: list[Parameter], lr: float, *, weight_decay: float = 0.0,
                 clip_value: float | None = None, clip_norm: float | None = None):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: no parameters to optimize")
        for name, value in (("lr", lr), ("weight_decay", weight_decay), ("clip_value", clip_value), ("clip_norm", clip_norm)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{type(self).__name__}: {name} must be a finite number ≥ 0, got {value!r}")
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.clip_value, self.clip_norm = clip_value, clip_norm
        self.steps = 0
        self.last_grad_norm: float | None = None  # global norm before clipping, when clip_norm is set

    def step(self) -> None:
        """One update of every parameter from its current gradient."""
        grads = [p.grad for p in self.params]
        if self.weight_decay:
            grads = [g + self.weight_decay * p.value if p.decay else g for g, p in zip(grads, self.params)]
        if self.clip_value is not None or self.clip_norm is not None:
            grads = [g.copy() for g in grads]  # clipping works in place; the layers' grads stay as computed
        if self.clip_value is not None:
            clip_by_value(grads, self.clip_value)
        if self.clip_norm is not None:
            self.last_grad_norm = clip_by_norm(grads, self.clip_norm)
        self.steps += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self.update(i, p, g)

    def update(self, i: int, p: Parameter, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

    ``θ ← θ − η g`` without momentum; with momentum ``μ`` a velocity accumulates the
    gradients, ``v ← μ v + g``, ``θ ← θ − η v`` (PyTorch's form).
    """

    def __init__(self, params, lr: float = 0.01, *, momentum: float = 0.0, **options):
        super().__init__(params, lr, **options)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p.value) for p in self.params] if self.momentum else None

    def update(self, i, p, g):
        if self.velocity is not None:
            v = self.velocity[i]
            v *= self.momentum
            v += g
            g = v
        axpy(-self.lr, g, p.value)


class Momentum(SGD):
    """SGD with momentum 0.9 by default."""

    def __init__(self, params, lr: float = 0.01, *, momentum: float = 0.9, **options):
        super().__init__(params, lr, momentum=momentum, **options)


class Adam(Optimizer):
    """Adam :cite:`kingma2014adam`: per-parameter steps from running gradient moments.

    ``m ← β₁ m + (1 − β₁) g``, ``v ← β₂ v + (1 − β₂) g²``, bias-corrected
    ``m̂ = m / (1 − β₁ᵗ)``, ``v̂ = v / (1 − β₂ᵗ)``, then ``θ ← θ − η m̂ / (√v̂ + ε)``.

    The moments are stored without their factors ``1 − β``: ``self.m`` holds
    ``m / (1 − β₁)`` and ``self.v`` holds ``v / (1 − β₂)``, so that they accumulate
    ``m ← β₁ m + g`` and ``v ← β₂ v + g²``; the factors join the bias corrections in two
    scalars. The update is one compiled ufunc (one pass over the arrays), tested
    against this formula.
    """

    def __init__(self, params, lr: float = 1e-3, *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, **options):
        super().__init__(params, lr, **options)
        self.beta1, self.beta2 = (float(b) for b in betas)
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.eps = float(eps)
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        # The step's scalars, once for all the parameters. With the stored m′ = m/(1 − β₁),
        # v′ = v/(1 − β₂) and r = √((1 − β₂ᵗ)/(1 − β₂)):
        #   η m̂ / (√v̂ + ε) = η_t m′ / (√v′ + ε_t),  η_t = η r (1 − β₁)/(1 − β₁ᵗ),  ε_t = ε r.
        t = self.steps + 1
        root = math.sqrt((1 - self.beta2**t) / (1 - self.beta2))
        self._lr_t = self.lr * root * (1 - self.beta1) / (1 - self.beta1**t)
        self._eps_t = self.eps * root
        super().step()

    def update(self, i, p, g):
        # m′ ← β₁ m′ + g,  v′ ← β₂ v′ + g²,  θ ← θ − η_t m′ / (√v′ + ε_t), in place.
        # In numpy that is 9 passes over arrays too big to share the cache; the compiled
        # ufunc (code/actlab/nn/_adam.c) does it in one.
        m, v = self.m[i], self.v[i]
        _adam.update(m, v, g, p.value, self.beta1, self.beta2, self._lr_t, self._eps_t, out=(m, v, p.value))


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer: str | Optimizer, params: list[Parameter], lr: float | None = None, **options) -> Optimizer:
    """An optimizer instance: ``optimizer`` itself, or a new one of that name over ``params``."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[optimizer](params, **({} if lr is None else {"lr": lr}), **options)

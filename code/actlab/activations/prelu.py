"""Parametric ReLU: a Leaky ReLU whose negative slope is learned (He et al. 2015)."""

from __future__ import annotations

import numpy as np

from actlab.activations import _kernels as K
from actlab.activations._core import as_float_array, positive_int
from actlab.activations.base import Activation, Properties, check_upstream
from actlab.activations.rectifiers import scale_negative

__all__ = ["PReLU"]


class PReLU(Activation):
    r"""Parametric ReLU: x for x > 0 and a·x otherwise, with the slope a learned.

    He, Zhang, Ren & Sun (2015) initialise a at 0.25 and train it without weight decay;
    the slope can be one number or one per channel (broadcast over the last axis).
    With a fixed slope this would be Leaky ReLU: what makes it PReLU is
    :meth:`param_grads`, the gradient with respect to a,
    ∂L/∂a = Σ upstream·x over the elements with x ≤ 0.

    The slope lives in ``params["slope"]``, a float or a float64 array of shape
    ``(channels,)``; an optimiser may update it in place or assign a new value, and the
    next forward pass uses it.

    Args:
        slope: initial slope (float) or per-channel slopes (1-D array). Default 0.25.
        channels: if given with a scalar ``slope``, start with that slope for each of
            ``channels`` channels.
    """

    def __init__(self, slope=0.25, channels: int | None = None):
        slope = _check_slope(slope)
        if channels is not None:
            channels = positive_int("prelu", "channels", channels)
            if np.ndim(slope) == 0:
                slope = np.full(channels, slope)
            elif slope.shape != (channels,):
                raise ValueError(f"prelu: {slope.shape[0]} slopes given for {channels} channels")
        super().__init__("prelu", {"slope": slope})

    def _slope_for(self, x: np.ndarray):
        slope = self.params["slope"]
        if np.ndim(slope) == 0:
            return float(slope)
        slope = np.asarray(slope)
        if slope.ndim != 1 or (x.ndim == 0 or slope.shape[0] not in (1, x.shape[-1])):
            raise ValueError(
                f"prelu: slope of shape {slope.shape} does not broadcast over the last axis "
                f"of an input of shape {x.shape}"
            )
        return slope.astype(x.dtype, copy=False)  # float32 input stays float32

    def derivative(self, x):
        x = as_float_array(x, self.name)
        slope = self._slope_for(x)
        if isinstance(slope, float):
            return K.constant_pieces(x, 0.0, np.inf, 1.0, slope)
        p = K.indicator_positive(x)
        return p + (1.0 - p) * slope

    def forward(self, x):
        x = as_float_array(x, self.name)
        return scale_negative(x, self._slope_for(x)), x

    def backward(self, cache, upstream):
        g = check_upstream(self.name, upstream, cache.shape)
        return g * self.derivative(cache)

    def param_grads(self, cache, upstream) -> dict:
        """``{"slope": ∂L/∂a}``: upstream·x where x ≤ 0 (0 elsewhere), summed to the slope's shape."""
        x = cache
        g = check_upstream(self.name, upstream, x.shape)
        contrib = g * K.clamp(x, -np.inf, 0.0)
        slope = self.params["slope"]
        if np.ndim(slope) == 0:
            return {"slope": float(contrib.sum())}
        total = contrib.reshape(-1, x.shape[-1]).sum(axis=0) if x.ndim else contrib.reshape(1)
        if np.shape(slope)[0] == 1:
            total = np.atleast_1d(total.sum())
        return {"slope": total}

    @property
    def info(self) -> Properties:
        slope = self.params["slope"]
        a = f"{float(slope):g}" if np.ndim(slope) == 0 else "a"
        return Properties(
            formula=r"\begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases} \text{ (a learned)}",
            derivative=r"\frac{\partial f}{\partial x} = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases},\;"
            r"\frac{\partial f}{\partial a} = \begin{cases} 0 & x > 0 \\ x & x \le 0 \end{cases}",
            output_range=(-np.inf, np.inf),
            range_latex=r"(-\infty, \infty)",
            zero_centred=False,
            monotonic=bool(np.all(np.asarray(slope) >= 0)),
            smoothness="C0",
            saturates="none",
            self_normalizing=False,
            cost="low",
            cite_key="he2015delving",
            kinks=(0.0,),
            note=f"learned slope, initialised at {a}",
        )


def _check_slope(slope):
    if isinstance(slope, (bool, str, bytes)) or isinstance(slope, complex):
        raise TypeError(f"prelu: parameter 'slope' must be a real number or a 1-D array, got {type(slope).__name__}")
    arr = np.asarray(slope)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"prelu: parameter 'slope' must be real, got dtype {arr.dtype}")
    if arr.ndim > 1:
        raise ValueError(
            f"prelu: parameter 'slope' must be a number or a 1-D array (one per channel), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("prelu: parameter 'slope' must be finite")
    return float(arr) if arr.ndim == 0 else arr.astype(np.float64)

"""Initializers draw the variances of GUIDE §3 (tested statistically) with the usual fans."""

import functools

import numpy as np
import pytest

from actlab.nn import Conv2D, Dense, fans, get_initializer, glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal

SHAPE = (300, 500)  # n_in, n_out: 150 000 draws
N_IN, N_OUT = SHAPE


@pytest.mark.parametrize(
    "init, variance",
    [
        (glorot_uniform, 2 / (N_IN + N_OUT)),
        (glorot_normal, 2 / (N_IN + N_OUT)),
        (he_normal, 2 / N_IN),
        (he_uniform, 2 / N_IN),
        (functools.partial(he_normal, slope=0.25), 2 / ((1 + 0.25**2) * N_IN)),
        (functools.partial(he_uniform, slope=0.01), 2 / ((1 + 0.01**2) * N_IN)),
        (lecun_normal, 1 / N_IN),
    ],
)
def test_variance_mean_and_dtype(init, variance):
    W = init(SHAPE, np.random.default_rng(0))
    assert W.shape == SHAPE and W.dtype == np.float32
    # The sample variance of n draws has relative standard error ≈ √(2/n) (normal) or less
    # (uniform): 0.4% here, so 2% is five standard errors.
    assert W.var(dtype=np.float64) == pytest.approx(variance, rel=0.02)
    assert abs(W.mean(dtype=np.float64)) < 5 * np.sqrt(variance / W.size)


def test_uniform_initializers_respect_their_limit():
    W = glorot_uniform(SHAPE, np.random.default_rng(1))
    limit = np.sqrt(6 / (N_IN + N_OUT))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


def test_fans_of_convolution_kernels():
    assert fans((40, 256)) == (40, 256)
    assert fans((3, 3, 16, 32)) == (144, 288)
    conv = Conv2D(16, 32, 3, init="he_normal").build(0)
    assert conv.W.value.var() == pytest.approx(2 / 144, rel=0.05)
    with pytest.raises(ValueError, match="2 dimensions"):
        fans((5,))


def test_same_seed_same_weights_in_either_precision():
    a = Dense(20, 30, init="lecun_normal").build(3, np.float32)
    b = Dense(20, 30, init="lecun_normal").build(3, np.float64)
    np.testing.assert_array_equal(a.W.value, b.W.value.astype(np.float32))
    assert (b.b.value == 0).all()


def test_lookup_by_name():
    assert get_initializer("xavier_uniform") is glorot_uniform
    assert get_initializer("kaiming_normal") is he_normal
    with pytest.raises(ValueError, match="known"):
        get_initializer("he")

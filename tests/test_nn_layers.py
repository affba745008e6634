"""Every layer: its forward pass against a plain loop, its backward pass against finite differences."""

import numpy as np
import pytest

from actlab.nn import (
    AlphaDropout,
    BatchNorm,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool1D,
    MaxPool2D,
    Sequential,
    gradcheck,
)
from actlab.nn.gradcheck import GradientMismatch

F64 = np.float64


def normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = {
    "dense": (Dense(5, 3), (4, 5)),
    "dense_no_bias": (Dense(5, 3, bias=False), (4, 5)),
    "dense_sequence": (Dense(5, 3), (2, 3, 5)),
    "conv1d": (Conv1D(2, 3, 3), (2, 7, 2)),
    "conv1d_stride_padding": (Conv1D(2, 3, 4, stride=2, padding=2), (2, 9, 2)),
    "conv2d": (Conv2D(2, 3, 3), (2, 5, 4, 2)),
    "conv2d_stride_padding": (Conv2D(1, 2, (3, 2), stride=(2, 1), padding=(1, 0)), (2, 6, 5, 1)),
    "maxpool1d": (MaxPool1D(2), (2, 7, 3)),
    "maxpool1d_overlapping": (MaxPool1D(3, stride=2), (2, 9, 2)),
    "maxpool2d": (MaxPool2D(2), (2, 5, 4, 3)),
    "flatten": (Flatten(), (2, 3, 4, 2)),
    "dropout": (Dropout(0.4), (6, 5)),
    "alpha_dropout": (AlphaDropout(0.2), (6, 5)),
    "batchnorm": (BatchNorm(3), (8, 3)),
    "batchnorm_conv": (BatchNorm(3), (2, 5, 3)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_backward_matches_finite_differences(name):
    layer, shape = LAYERS[name]
    errors = gradcheck(layer.build(0, F64), normal(*shape))
    assert set(errors) == {"input"} | {p.name for p in layer.parameters()}


def test_batchnorm_backward_in_evaluation_mode():
    bn = BatchNorm(3).build(0, F64)
    bn.forward(normal(16, 3) * 2 + 1)  # gather running statistics
    bn.training = False
    gradcheck(bn, normal(5, 3, seed=1))


def test_a_whole_model_is_checked_parameter_by_parameter():
    model = Sequential([Conv1D(1, 2, 3, padding=1), MaxPool1D(2), Flatten(), Dense(6, 3)], seed=0, dtype=F64)
    errors = gradcheck(model, normal(2, 6, 1))
    assert set(errors) == {"input", "0.W", "0.b", "3.W", "3.b"}


def test_gradcheck_catches_a_wrong_backward():
    class Doubled(Dense):
        def backward(self, grad):
            return 2 * super().backward(grad)

    with pytest.raises(GradientMismatch, match="input"):
        gradcheck(Doubled(3, 2).build(0, F64), normal(4, 3))


def test_gradcheck_insists_on_float64():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(Dense(3, 2).build(0), normal(4, 3))


def test_conv1d_is_the_cross_correlation_of_its_definition():
    conv = Conv1D(2, 3, 4, stride=2, padding=1).build(0, F64)
    x = normal(2, 9, 2)
    y = conv.forward(x)
    x_pad = np.pad(x, [(0, 0), (1, 1), (0, 0)])
    expected = np.stack(
        [np.einsum("nkc,kcd->nd", x_pad[:, 2 * o : 2 * o + 4], conv.W.value) for o in range(y.shape[1])], axis=1
    )
    assert y.shape == (2, (9 + 2 - 4) // 2 + 1, 3)
    np.testing.assert_allclose(y, expected + conv.b.value, atol=1e-12)


def test_conv2d_is_the_cross_correlation_of_its_definition():
    conv = Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)).build(1, F64)
    conv.b.value[:] = [0.1, -0.2, 0.3]
    x = normal(2, 6, 5, 2)
    y = conv.forward(x)
    x_pad = np.pad(x, [(0, 0), (1, 1), (0, 0), (0, 0)])
    expected = np.zeros_like(y)
    for i in range(y.shape[1]):
        for j in range(y.shape[2]):
            expected[:, i, j] = np.einsum("nhwc,hwcd->nd", x_pad[:, 2 * i : 2 * i + 3, j : j + 2], conv.W.value)
    np.testing.assert_allclose(y, expected + conv.b.value, atol=1e-12)


def test_maxpool_takes_the_window_maximum():
    x = normal(2, 6, 4, 3)
    y = MaxPool2D(2).forward(x)
    np.testing.assert_array_equal(y, x.reshape(2, 3, 2, 2, 2, 3).max(axis=(2, 4)))
    seq = normal(2, 7, 3)
    np.testing.assert_array_equal(MaxPool1D(2).forward(seq), seq[:, :6].reshape(2, 3, 2, 3).max(axis=2))


def test_dropout_scales_survivors_and_is_the_identity_in_evaluation():
    layer = Dropout(0.25).build(0)
    x = np.ones((400, 100), np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    layer.training = False
    assert layer.forward(x) is x


def test_alpha_dropout_keeps_mean_zero_and_variance_one():
    x = np.random.default_rng(0).standard_normal((2000, 500))
    layer = AlphaDropout(0.1).build(1, F64)
    y = layer.forward(x)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01
    dropped = np.isclose(y, layer.a * layer.alpha + layer.b)
    assert abs(dropped.mean() - 0.1) < 0.01
    layer.training = False
    assert layer.forward(x) is x


def test_batchnorm_normalises_in_training_and_uses_running_statistics_in_evaluation():
    bn = BatchNorm(4, momentum=0.0).build(0)
    x = (normal(256, 4) * 3 + 2).astype(np.float32)
    y = bn.forward(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(0), 1, atol=1e-3)
    np.testing.assert_allclose(bn.running_var, x.var(0) * 256 / 255, rtol=1e-5)  # unbiased
    bn.training = False
    np.testing.assert_allclose(bn.forward(x), y * np.sqrt(255 / 256), rtol=1e-3, atol=1e-3)


def test_float32_stays_float32():
    model = Sequential([Conv2D(1, 2, 3), MaxPool2D(2), Flatten(), BatchNorm(8), Dropout(0.5), Dense(8, 3)], seed=0)
    y = model.forward(normal(4, 6, 6, 1))
    assert y.dtype == np.float32
    assert model.backward(np.ones_like(y)).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_layers_are_built_from_the_models_seed():
    def make(seed):
        return Sequential([Dense(3, 4), Dropout(0.5), Dense(4, 2)], seed=seed)

    a, b, c = make(0), make(0), make(1)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.value, q.value)
    assert not np.array_equal(a[0].W.value, c[0].W.value)
    # Layer i's stream does not depend on its neighbours: a different middle keeps both weights.
    d = Sequential([Dense(3, 4), Flatten(), Dense(4, 2)], seed=0)
    np.testing.assert_array_equal(a[2].W.value, d[2].W.value)


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (Dense(40, 10), np.zeros((5, 39)), r"Dense\(40, 10\) expects inputs of shape \(batch, 40\), got \(5, 39\)"),
        (Conv1D(1, 4, 3), np.zeros((5, 40)), r"\(batch, length, channels\) with 1 channels, got shape \(5, 40\)"),
        (Conv1D(1, 4, 5), np.zeros((5, 3, 1)), "smaller than the kernel"),
        (Conv2D(3, 4, 3), np.zeros((5, 8, 8, 1)), "3 channels"),
        (MaxPool2D(2), np.zeros((5, 8, 1)), "2 spatial axes"),
        (BatchNorm(3), np.zeros((5, 4)), r"\(batch, ..., 3\)"),
    ],
)
def test_wrong_shapes_are_named_at_the_layer(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer.build(0).forward(x.astype(np.float32))


def test_bad_constructor_arguments_and_misuse():
    with pytest.raises(ValueError, match="n_out"):
        Dense(3, 0)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(1, 1, (3, 3, 3))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0)
    with pytest.raises(ValueError, match="unknown initializer"):
        Dense(3, 2, init="glorot")
    with pytest.raises(RuntimeError, match="build"):
        Dense(3, 2).forward(np.zeros((1, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(3, 2).build(0).backward(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="not a Layer"):
        Sequential([Dense(3, 2), 42])

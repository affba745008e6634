"""actlab.nn: a small numpy engine for training neural networks, written to be read.

Layers compute ``forward`` and ``backward``; a :class:`Sequential` chains them; a loss
turns outputs into a number and its gradient; an optimizer moves the parameters;
:func:`train` loops over mini-batches and returns a :class:`History`. :class:`Probes`
watch the layers as they learn, and :func:`gradcheck` checks every backward pass
against finite differences.

>>> from actlab.data import load_mnist1d
>>> from actlab.nn import Dense, Sequential, train
>>> X, y, X_test, y_test = load_mnist1d()
>>> model = Sequential([Dense(40, 256), "relu", Dense(256, 10)], seed=0)
>>> history = train(model, X, y, epochs=20, validation=(X_test, y_test))

Arrays are channels-last — ``(batch, features)``, ``(batch, length, channels)``,
``(batch, height, width, channels)`` — and float32 unless a model is built with
``dtype=np.float64``.
"""

from actlab.nn.activation import Activation
from actlab.nn.batchnorm import BatchNorm
from actlab.nn.conv import Conv1D, Conv2D
from actlab.nn.dense import Dense
from actlab.nn.dropout import AlphaDropout, Dropout
from actlab.nn.gradcheck import GradientMismatch, gradcheck, gradcheck_loss, numerical_gradient
from actlab.nn.initializers import (
    fans,
    get_initializer,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    lecun_normal,
)
from actlab.nn.layer import Layer, Parameter
from actlab.nn.losses import binary_cross_entropy, get_loss, mean_squared_error, softmax_cross_entropy
from actlab.nn.metrics import binary_accuracy, categorical_accuracy
from actlab.nn.optim import SGD, Adam, Momentum, Optimizer, clip_by_norm, clip_by_value, global_norm
from actlab.nn.pooling import MaxPool1D, MaxPool2D
from actlab.nn.probes import STATISTICS, Probes, layer_statistics
from actlab.nn.reshape import Flatten
from actlab.nn.sequential import Sequential
from actlab.nn.train import History, SeedRuns, evaluate, train, train_seeds

__all__ = [
    "SGD", "STATISTICS", "Activation", "Adam", "AlphaDropout", "BatchNorm", "Conv1D", "Conv2D", "Dense",
    "Dropout", "Flatten", "GradientMismatch", "History", "Layer", "MaxPool1D", "MaxPool2D", "Momentum",
    "Optimizer", "Parameter", "Probes", "SeedRuns", "Sequential", "binary_accuracy", "binary_cross_entropy",
    "categorical_accuracy", "clip_by_norm", "clip_by_value", "evaluate", "fans", "get_initializer", "get_loss",
    "glorot_normal", "glorot_uniform", "global_norm", "gradcheck", "gradcheck_loss", "he_normal", "he_uniform",
    "layer_statistics", "lecun_normal", "mean_squared_error", "numerical_gradient", "softmax_cross_entropy",
    "train", "train_seeds",
]

"""Data sets for the book, all generated or bundled: nothing is ever downloaded."""

from actlab.data.toy import linearly_separable, logic_gate, moons, spirals, xor

__all__ = ["linearly_separable", "logic_gate", "moons", "spirals", "xor"]

# Real data sets, generated (MNIST-1D) or bundled (digits), and the tools to feed them to a network.
from actlab.data.batches import batches
from actlab.data.digits import load_digits
from actlab.data.mnist_1d import load_mnist1d
from actlab.data.preprocess import Standardizer, standardize
from actlab.data.splits import Split, train_val_split

__all__ += ["Split", "Standardizer", "batches", "load_digits", "load_mnist1d", "standardize", "train_val_split"]

"""Data sets for the book, all generated or bundled: nothing is ever downloaded."""

from actlab.data.toy import linearly_separable, logic_gate, moons, spirals, xor

__all__ = ["linearly_separable", "logic_gate", "moons", "spirals", "xor"]

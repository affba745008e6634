"""The transport between the sandbox and the grader: plain data in, plain data out, nothing else."""

import base64
import math

import numpy as np
import pytest

from actlab.checks.core import Error, Warned
from actlab.grade.codec import MalformedData, Opaque, clean_text, decode, dumps, encode, loads


def roundtrip(value):
    return decode(loads(dumps({"v": encode(value)}))["v"])


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 10**30, 1.5, -0.0, math.inf, "text", "", (1, "a"), [1, [2.5, None]],
    {"a": 1, 2: "b"}, 1 + 2j, Error("ValueError", "bad"), Warned(1.0, ("RuntimeWarning: overflow",)),
])
def test_plain_values_survive_the_trip(value):
    got = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_nan_and_signed_zero_survive():
    assert math.isnan(roundtrip(math.nan))
    assert math.copysign(1, roundtrip(-0.0)) == -1


@pytest.mark.parametrize("array", [
    np.array([1.0, np.nan, -np.inf]), np.arange(6, dtype=np.int32).reshape(2, 3), np.zeros((0, 3)),
    np.array(2.5), np.array([True, False]), np.array([1, 2], dtype=">u2"), np.arange(12.0).reshape(3, 4)[:, ::2],
    np.array([1 + 1j], dtype=np.complex64), np.float32([1.5, 2.5]),
])
def test_arrays_keep_dtype_shape_and_values(array):
    got = roundtrip(array)
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    np.testing.assert_array_equal(got, array)


def test_numpy_scalars_stay_numpy_scalars():
    for scalar in (np.float32(1.5), np.int64(3), np.bool_(True)):
        got = roundtrip(scalar)
        assert type(got) is type(scalar) and got == scalar


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    class Sneaky(np.ndarray):
        def __eq__(self, other):
            return True

    got = roundtrip(np.arange(3.0).view(Sneaky))
    assert type(got) is np.ndarray and (got == np.array([9.0, 9.0, 9.0])).tolist() == [False] * 3


def test_objects_of_the_learners_making_become_opaque():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class Liar(float):
        def __eq__(self, other):
            return True

    got = roundtrip([AlwaysEqual(), Liar(0.5), {1, 2}, b"bytes", np.array(["a"]), print])
    assert got[0] == Opaque("AlwaysEqual") and repr(got[0]) == "<AlwaysEqual object>"
    assert type(got[1]) is float and got[1] == 0.5 and got[1] != 0.25  # the value stays, the __eq__ does not
    assert all(isinstance(g, Opaque) for g in got[2:])


def test_nesting_is_bounded():
    deep = []
    for _ in range(100):
        deep = [deep]
    got = roundtrip(deep)
    for _ in range(20):
        got = got[0]
    assert isinstance(got, list)  # the first levels arrive...
    assert "deeply nested data" in repr(roundtrip(deep))  # ...and the rest is cut off


@pytest.mark.parametrize("data", [
    {"t": "array", "dtype": "|O", "shape": [1], "data": ""},  # objects from memory: never
    {"t": "array", "dtype": "<f8", "shape": [10**6], "data": base64.b64encode(b"\0" * 8).decode()},
    {"t": "array", "dtype": "<f8", "shape": [-1], "data": ""},
    {"t": "array", "dtype": "V8", "shape": [1], "data": base64.b64encode(b"\0" * 8).decode()},
    {"t": "pickle", "v": "gASV"}, {"t": "int", "v": 5}, 5, 2.5, [1], {"t": "dict", "v": [[{"t": "list", "v": []}, 1]]},
    {"t": "error", "type": ["x"], "message": ""},
])
def test_anything_else_is_refused(data):
    with pytest.raises(MalformedData):
        decode(data)


@pytest.mark.parametrize("line", [b"not json", b"[1, 2]", b"[" * 100_000])
def test_bad_lines_are_refused(line):
    with pytest.raises(MalformedData):
        loads(line)


def test_text_from_the_sandbox_is_one_short_deterministic_line():
    assert clean_text("<object at 0x7f3a2b1c>\n  said\thi\x1b[2J") == "<object at 0x…> said hi [2J"
    assert clean_text("array([ nan,  inf])") == "array([ nan,  inf])"  # describe()'s alignment stays
    assert len(clean_text("x" * 10_000)) == 300

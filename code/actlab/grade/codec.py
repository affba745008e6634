"""Plain data across the sandbox boundary, as JSON.

The grader sends each case's arguments into the sandbox and the sandbox sends back what
the learner's function returned. Only plain data crosses: ``None``, booleans, numbers,
strings, lists, tuples, dicts, numpy arrays and scalars of numeric dtypes, the
:class:`~actlab.checks.core.Error` a call raised and the :class:`~actlab.checks.core.Warned`
wrapper of a result that came with warnings. Anything else the learner returns
travels as an :class:`Opaque` marker that names its type and nothing more, so no object
of the learner's making ever reaches the grader's process: an ``__eq__`` that always
says ``True`` does not survive the trip.

Arrays travel as base64 of their bytes with an explicit dtype and shape. Decoding is
strict, because the sandbox's side of the pipe is written by untrusted code: a reply
that is not exactly this format raises :class:`MalformedData`.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from actlab.checks.core import Error, Warned

__all__ = ["MalformedData", "Opaque", "encode", "decode", "dumps", "loads", "clean_text"]

#: Nesting deeper than this is not plain data; it is refused rather than recursed into.
MAX_DEPTH = 32
#: Longest text kept from the sandbox (error messages, type names).
MAX_TEXT = 300
_NUMERIC_KINDS = "biufc"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f]+\s*")  # line breaks, tabs and other control characters


class MalformedData(ValueError):
    """A message that is not in the transport format."""


@dataclass(frozen=True)
class Opaque:
    """Stands for a returned object that is not plain data; only its type name crosses."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """One short deterministic line: line breaks and control characters gone, memory addresses masked."""
    text = _BREAKS.sub(" ", _ADDRESS.sub("0x…", str(text))).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- encoding (either side) -----------------------------------------------------------

def encode(value, _depth: int = 0):
    """``value`` as JSON-ready data; unsupported objects become :class:`Opaque` markers."""
    if _depth > MAX_DEPTH:
        return {"t": "opaque", "type": "deeply nested data"}
    try:
        return _encode(value, _depth)
    except Exception:  # noqa: BLE001 - a learner's object may raise anything while being read
        return {"t": "opaque", "type": _type_name(value)}


def _encode(value, depth: int):
    if value is None or type(value) is bool or type(value) is str:
        return value
    if isinstance(value, Error):
        return {"t": "error", "type": str(value.type_name), "message": str(value.message)}
    if isinstance(value, Warned):
        return {"t": "warned", "value": encode(value.value, depth + 1), "warnings": [str(w) for w in value.warnings]}
    if isinstance(value, np.ndarray) or (isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS):
        return _encode_array(value)
    if isinstance(value, int):
        return {"t": "int", "v": str(int.__index__(value))}
    if isinstance(value, float):
        return {"t": "float", "v": float.__repr__(float(value))}
    if isinstance(value, complex):
        return {"t": "complex", "v": [float.__repr__(value.real), float.__repr__(value.imag)]}
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode(v, depth + 1) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return {"t": "list", "v": [encode(v, depth + 1) for v in list.__iter__(value)]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(value)]}
    return {"t": "opaque", "type": _type_name(value)}


def _encode_array(value) -> dict:
    array = np.asarray(value)  # a subclass of ndarray arrives as a plain ndarray
    if array.dtype.kind not in _NUMERIC_KINDS:
        return {"t": "opaque", "type": f"array of dtype {array.dtype}"}
    return {
        "t": "array",
        "scalar": isinstance(value, np.generic),
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes(order="C")).decode("ascii"),
    }


def _type_name(value) -> str:
    try:
        return clean_text(type(value).__name__, 60)
    except Exception:  # noqa: BLE001
        return "object"


# -- decoding (the grader's side is strict) --------------------------------------------

def decode(data, _depth: int = 0):
    """The value that ``data`` encodes; :class:`MalformedData` if it is not plain data."""
    if _depth > MAX_DEPTH + 1:
        raise MalformedData("nested too deeply")
    if data is None or type(data) is bool or type(data) is str:
        return data
    if type(data) is not dict or type(data.get("t")) is not str:
        raise MalformedData(f"unexpected {type(data).__name__}")
    tag = data["t"]
    try:
        if tag == "int":
            return int(_text(data["v"], 5000))
        if tag == "float":
            return float(_text(data["v"], 40))
        if tag == "complex":
            real, imag = data["v"]
            return complex(float(_text(real, 40)), float(_text(imag, 40)))
        if tag in ("list", "tuple"):
            items = [decode(v, _depth + 1) for v in _list(data["v"])]
            return items if tag == "list" else tuple(items)
        if tag == "dict":
            return {_key(decode(k, _depth + 1)): decode(v, _depth + 1) for k, v in _pairs(data["v"])}
        if tag == "array":
            return _decode_array(data)
        if tag == "error":
            return Error(clean_text(_text(data["type"], 10_000), 60), clean_text(_text(data["message"], 100_000)))
        if tag == "warned":
            warnings = tuple(clean_text(_text(w, 100_000)) for w in _list(data["warnings"])[:20])
            return Warned(decode(data["value"], _depth + 1), warnings or ("a warning",))
        if tag == "opaque":
            return Opaque(clean_text(_text(data["type"], 10_000), 60))
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedData(f"bad {tag!r} value") from exc
    raise MalformedData(f"unknown tag {tag!r}")


def _decode_array(data: dict):
    dtype = np.dtype(_text(data["dtype"], 8))
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
        raise MalformedData(f"dtype {dtype} is not numeric")
    shape = tuple(_list(data["shape"]))
    if not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32:
        raise MalformedData("bad shape")
    raw = base64.b64decode(_text(data["data"], 1 << 31), validate=True)
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise MalformedData("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if data.get("scalar") is True and shape == () else array


def _text(value, limit: int) -> str:
    if type(value) is not str or len(value) > limit:
        raise MalformedData("bad text")
    return value


def _list(value) -> list:
    if type(value) is not list:
        raise MalformedData("bad list")
    return value


def _pairs(value) -> list:
    pairs = _list(value)
    if not all(type(p) is list and len(p) == 2 for p in pairs):
        raise MalformedData("bad dict")
    return pairs


def _key(key):
    if key is None or isinstance(key, bool | int | float | str):
        return key
    raise MalformedData("dict keys must be numbers or strings")


# -- one message per line ---------------------------------------------------------------

def dumps(message: dict) -> bytes:
    """A protocol message as one line of JSON."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> dict:
    """One protocol line back into a dict, or :class:`MalformedData`."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise MalformedData("not a JSON line") from exc
    if type(message) is not dict:
        raise MalformedData("not a JSON object")
    return message

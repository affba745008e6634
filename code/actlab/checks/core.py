"""The machinery behind every exercise's feedback.

A :class:`Question` names the learner's function, the :class:`Case` calls to make
with it, and a reference that says what each call must return. Checking is split in
two steps so that a grader can run them in different processes:

1. :meth:`Question.answer` calls the learner's function on one case and returns the
   result as plain data (numbers, strings, numpy arrays) or the error it raised;
2. :meth:`Question.judge` compares that plain result with the reference and returns a
   :class:`CaseResult` whose message says exactly what was wrong.

:meth:`Question.check` does both in the notebook and prints the verdict, so learners
get the same specific feedback as the grader's report.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Case", "CaseResult", "Verdict", "Question", "Error", "Warned", "describe", "compare_arrays"]


@dataclass(frozen=True)
class Case:
    """One call of the learner's function: ``fn(*args, **kwargs)``."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hint: str = ""  #: appended to the message when this case fails

    def call_text(self, name: str) -> str:
        parts = [describe(a) for a in self.args] + [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


@dataclass(frozen=True)
class Error:
    """What the learner's function raised instead of returning (plain data only)."""

    type_name: str
    message: str


@dataclass(frozen=True)
class Warned:
    """A result that came with warnings, for questions that forbid them (plain data only)."""

    value: object
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CaseResult:
    passed: bool
    message: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of one question: points earned and a message per failed case."""

    question: str
    title: str
    points: float
    max_points: float
    results: tuple[CaseResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def report(self) -> str:
        failed = [r for r in self.results if not r.passed]
        head = f"{self.question.upper()} — {self.title}: {self.points:g}/{self.max_points:g} points"
        if not failed:
            return f"{head}. All {len(self.results)} checks pass."
        lines = [f"{head}. {len(failed)} of {len(self.results)} checks fail:"]
        lines += [f"  ✗ {r.message}" for r in failed]
        return "\n".join(lines)


def describe(value, *, limit: int = 60) -> str:
    """A short, deterministic text for a value in a message."""
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=8, edgeitems=3, floatmode="maxprec"):
            text = f"array({np.array2string(value, separator=', ')})"
        text = text.replace("\n", "")
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, np.generic):
        text = repr(value.item())
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(describe(v, limit=limit) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compare_arrays(got, expected, *, rtol: float = 1e-9, atol: float = 1e-12, dtype_kind: str | None = "f") -> str | None:
    """``None`` when ``got`` matches ``expected`` elementwise, else what differs.

    Checks, in order: that ``got`` is array-like of numbers, the shape, the kind of
    dtype (``"f"`` floating by default; ``None`` to skip), NaN positions, then values.
    """
    try:
        got_array = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything unconvertible is the learner's mistake to report
        return f"returned {describe(got)}, which is not an array of numbers"
    if got_array.dtype == object or got_array.dtype.kind not in "biuf":
        return f"returned {describe(got)}, which is not an array of numbers"
    expected = np.asarray(expected)
    if got_array.shape != expected.shape:
        return f"returned shape {got_array.shape}; expected shape {expected.shape}"
    if dtype_kind and got_array.dtype.kind != dtype_kind:
        kinds = {"f": "floating-point", "i": "integer", "b": "boolean", "u": "unsigned"}
        return f"returned dtype {got_array.dtype}; expected a {kinds.get(dtype_kind, dtype_kind)} array"
    got_f, exp_f = got_array.astype(np.float64), expected.astype(np.float64)
    if not np.array_equal(np.isnan(got_f), np.isnan(exp_f)):
        return f"returned {describe(got_array)}; expected {describe(expected)} (NaN in the wrong places)"
    finite = ~np.isnan(exp_f)
    if not np.allclose(got_f[finite], exp_f[finite], rtol=rtol, atol=atol):
        return f"returned {describe(got_array)}; expected {describe(expected)}"
    return None


class Question:
    """A graded question about one function the learner writes.

    ``reference(*case.args, **case.kwargs)`` gives the expected result; ``compare(got,
    expected, case)`` returns ``None`` when the answer is right or a message saying what
    is wrong. The verdict awards ``points`` in proportion to the cases passed. With
    ``forbid_warnings`` a call that emits any warning (numpy's overflow warnings
    included) fails even when its value is right.
    """

    def __init__(
        self,
        qid: str,
        title: str,
        function_name: str,
        cases: Sequence[Case],
        reference: Callable,
        compare: Callable[[object, object, Case], str | None],
        points: float,
        forbid_warnings: bool = False,
    ) -> None:
        if not cases:
            raise ValueError(f"question {qid} has no cases")
        self.qid, self.title, self.function_name = qid, title, function_name
        self.cases, self.reference, self.compare, self.points = tuple(cases), reference, compare, points
        self.forbid_warnings = forbid_warnings

    def answer(self, fn: Callable, case: Case):
        """Call the learner's ``fn`` on ``case``: its result, an :class:`Error` or a :class:`Warned`."""
        # numpy's default error handling, whatever the caller set: underflow to 0 is no fault.
        numpy_defaults = np.errstate(over="warn", divide="warn", invalid="warn", under="ignore")
        with warnings.catch_warnings(record=True) as caught, numpy_defaults:
            warnings.simplefilter("always")
            try:
                result = fn(*_fresh(case.args), **_fresh(case.kwargs))
            except Exception as exc:  # noqa: BLE001 - every failure of the learner's code is reported
                return Error(type(exc).__name__, str(exc))
        if self.forbid_warnings and caught:
            return Warned(result, tuple(f"{w.category.__name__}: {w.message}" for w in caught))
        return result

    def judge(self, case: Case, got) -> CaseResult:
        """Compare one plain result (or :class:`Error`) with the reference."""
        call = case.call_text(self.function_name)
        if isinstance(got, Error):
            if got.type_name == "NotImplementedError":
                return CaseResult(False, f"{call} raised NotImplementedError: not answered yet")
            return CaseResult(False, f"{call} raised {got.type_name}: {got.message}")
        expected = self.reference(*_fresh(case.args), **_fresh(case.kwargs))
        if isinstance(got, Warned):
            problem = self.compare(got.value, expected, case)
            warned = got.warnings[0]
            if problem is None:
                return CaseResult(False, f"{call} returned the right value but warned ({warned}); "
                                         "it must not warn")
            return CaseResult(False, f"{call} {problem}, with a warning ({warned}); expected no warning")
        problem = self.compare(got, expected, case)
        if problem is None:
            return CaseResult(True, f"{call} is right")
        hint = f" ({case.hint})" if case.hint else ""
        return CaseResult(False, f"{call} {problem}{hint}")

    def verdict(self, results: Sequence[CaseResult]) -> Verdict:
        passed = sum(r.passed for r in results)
        earned = math.floor(100 * self.points * passed / len(results)) / 100
        return Verdict(self.qid, self.title, earned, self.points, tuple(results))

    def grade(self, fn: Callable | None) -> Verdict:
        """Run every case through ``fn`` in this process and judge it."""
        if not callable(fn):
            missing = CaseResult(False, f"{self.function_name} is not defined as a function (got {describe(fn)})")
            return self.verdict([missing])
        return self.verdict([self.judge(case, self.answer(fn, case)) for case in self.cases])

    def check(self, fn: Callable | None) -> None:
        """Grade ``fn`` and print the verdict: the notebook's instant feedback."""
        print(self.grade(fn).report())


def _fresh(value):
    """A deep copy of arrays in a case, so a learner's in-place edit can't change the next case."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value

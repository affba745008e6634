"""Exercise checks: right answers pass, wrong ones fail with a message that says why."""

import importlib
import json
from pathlib import Path

import numpy as np
import pytest

from actlab.checks import ex01
from actlab.checks.core import Case, Error, Question, compare_arrays

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


def _solution_namespace(notebook: str) -> dict:
    """Run an exercise notebook's set-up and solution cells (not its checks) and return its names."""
    nb = json.loads((EXERCISES / notebook).read_text())
    namespace: dict = {}
    for cell in nb["cells"]:
        role = cell["metadata"].get("actlab", {}).get("role")
        if cell["cell_type"] == "code" and role in (None, "solution"):
            exec("".join(cell["source"]), namespace)  # noqa: S102 - our own reference notebook
    return namespace


NOTEBOOKS = sorted(p.name for p in EXERCISES.glob("[0-9][0-9]_*.ipynb"))


def _checks_module(notebook: str):
    return importlib.import_module(f"actlab.checks.ex{notebook[:2]}")


def test_every_exercise_is_found():
    assert NOTEBOOKS[:3] == ["01_perceptron.ipynb", "02_squashing.ipynb", "03_vanishing.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_reference_solutions_earn_full_marks(notebook):
    answers = _solution_namespace(notebook)
    for question in _checks_module(notebook).QUESTIONS.values():
        verdict = question.grade(answers[question.function_name])
        assert verdict.passed, verdict.report()
        assert verdict.points == question.points


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_check_cells_carry_the_questions_points(notebook):
    nb = json.loads((EXERCISES / notebook).read_text())
    points = {c["metadata"]["actlab"]["question"]: c["metadata"]["actlab"]["points"]
              for c in nb["cells"] if c["metadata"].get("actlab", {}).get("role") == "check"}
    assert points == {qid: q.points for qid, q in _checks_module(notebook).QUESTIONS.items()}


def test_a_stub_scores_zero_and_says_not_answered():
    def step(x, at_zero=1.0):
        raise NotImplementedError

    verdict = ex01.step.grade(step)
    assert verdict.points == 0
    assert "not answered yet" in verdict.report()


def test_the_message_names_the_call_the_value_and_the_expectation():
    verdict = ex01.step.grade(lambda x, at_zero=1.0: (np.asarray(x) > 0).astype(float))
    report = verdict.report()
    assert "step(array([0.])) returned array([0.]); expected array([1.])" in report
    assert 0 < verdict.points < ex01.step.points


def test_layers_in_the_wrong_order_are_called_out():
    verdict = ex01.collapse.grade(lambda ms: ms[0] @ ms[1] if len(ms) == 2 else ms[0])
    assert "wrong order" in verdict.report()


def test_gate_weights_are_judged_by_behaviour_not_by_value():
    scaled = {"and": ([10, 10], -15), "or": ([3, 3], -1), "nand": ([-2, -2], 3), "nor": ([-5, -5], 2)}
    assert ex01.gate_weights.grade(lambda name: scaled[name]).passed


def test_an_in_place_edit_cannot_leak_into_the_next_case():
    def vandal(w, b, x, y, learning_rate=1.0):
        x *= 0  # corrupts the caller's array
        return w, b

    ex01.perceptron_update.grade(vandal)
    assert ex01.perceptron_update.cases[1].args[2].tolist() == [1.0, 2.0]


def test_not_a_function():
    verdict = ex01.collapse.grade(None)
    assert verdict.points == 0 and "not defined as a function" in verdict.report()


def test_answer_returns_plain_errors():
    question = Question("qx", "t", "f", [Case((1,))], reference=lambda v: v,
                        compare=lambda got, exp, case: None if got == exp else "differs", points=1)
    got = question.answer(lambda v: 1 / 0, question.cases[0])
    assert got == Error("ZeroDivisionError", "division by zero")
    assert "raised ZeroDivisionError" in question.judge(question.cases[0], got).message


@pytest.mark.parametrize(
    "got, expected, fragment",
    [
        ("abc", [1.0], "not an array of numbers"),
        ([1.0, 2.0], [1.0], "shape"),
        (np.array([1, 2]), [1.0, 2.0], "dtype int64"),
        ([np.nan, 1.0], [0.0, 1.0], "NaN in the wrong places"),
        ([1.0, 2.5], [1.0, 2.0], "expected"),
    ],
)
def test_compare_arrays_explains_the_difference(got, expected, fragment):
    assert fragment in compare_arrays(got, expected)


def test_compare_arrays_accepts_a_match():
    assert compare_arrays([1.0, np.nan], np.array([1.0, np.nan])) is None


def _sigmoid_question(forbid):
    return Question("qs", "sigmoid", "sigmoid", [Case((np.array([-1000.0, 0.0]),))],
                    reference=lambda x: np.array([0.0, 0.5]),
                    compare=lambda got, exp, case: compare_arrays(got, exp), points=1, forbid_warnings=forbid)


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_a_warning_fails_a_question_that_forbids_it_even_with_the_right_value():
    report = _sigmoid_question(True).grade(naive_sigmoid).report()
    assert "returned the right value but warned (RuntimeWarning: overflow encountered in exp)" in report


def test_warnings_are_allowed_unless_forbidden():
    assert _sigmoid_question(False).grade(naive_sigmoid).passed


def test_a_wrong_value_with_a_warning_names_both():
    def nan_sigmoid(x):
        return np.exp(x) / np.exp(x) * 0.5 + (np.exp(-x) - np.exp(-x)) * 0

    report = _sigmoid_question(True).grade(nan_sigmoid).report()
    assert "expected no warning" in report and "NaN in the wrong places" in report

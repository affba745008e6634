"""The grader on every exercise, and its command line's promises.

Every exercise notebook in exercises/ must earn full marks, visible and hidden tests
alike, and its student version nothing; the command line's exit status says whether
the grader itself failed, never how the students did.
"""

import csv
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from actlab.checks.core import Case
from actlab.grade.exercises import Catalog, default_hidden_dir
from actlab.grade.grading import grade_submission
from actlab.grade.sandbox import Limits, Sandbox, SandboxUnavailable
from actlab.grade.submissions import Submission
from actlab.student import student_version

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


def grade(*args: str | Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "actlab.grade", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as stream:
        return list(csv.DictReader(stream))


def _solutions(notebook: Path) -> dict:
    namespace: dict = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code" and cell["metadata"].get("actlab", {}).get("role") != "check":
            exec("".join(cell["source"]), namespace)  # noqa: S102 - our own reference notebook
    return namespace


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_hidden_cases_are_valid_and_the_reference_passes_them(notebook):
    exercise = Catalog(default_hidden_dir()).get(f"ex{notebook.name[:2]}")
    answers = _solutions(notebook)
    for question in exercise.questions:
        for case in exercise.hidden_cases(question):
            assert isinstance(case, Case)
            result = question.judge(case, question.answer(answers[question.function_name], case))
            assert result.passed, result.message


@pytest.fixture(scope="module")
def graded_exercises(tmp_path_factory):
    """Every exercise's solution and student version, graded by the command line."""
    folder = tmp_path_factory.mktemp("submissions")
    for notebook in NOTEBOOKS:
        for student, content in [("solution", json.loads(notebook.read_text())),
                                 ("student", student_version(json.loads(notebook.read_text())))]:
            (folder / student).mkdir(exist_ok=True)
            (folder / student / notebook.name).write_text(json.dumps(content))
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    result = grade(folder, "--out", out, "--jobs", "2", "--time-limit", "30", "--memory-limit", "1G")
    return result, rows(out)


@pytest.mark.slow
def test_every_exercise_grades_in_full_and_its_student_version_not_at_all(graded_exercises):
    result, grades = graded_exercises
    assert result.returncode == 0, result.stderr
    for notebook in NOTEBOOKS:
        module = importlib.import_module(f"actlab.checks.ex{notebook.name[:2]}")
        for student, status in [("solution", "passed"), ("student", "unanswered")]:
            got = {r["question"]: (float(r["points"]), r["status"]) for r in grades
                   if r["student"] == student and r["exercise"] == module.__name__.rsplit(".", 1)[1]}
            expected = {qid: (q.points if student == "solution" else 0.0, status)
                        for qid, q in module.QUESTIONS.items()}
            assert got == expected, (notebook.name, student)


@pytest.mark.slow
def test_exit_status_two_when_nothing_can_be_graded(tmp_path):
    empty = grade(tmp_path, "--out", tmp_path / "g.csv")
    assert empty.returncode == 2 and "no .ipynb files" in empty.stderr
    notebook = tmp_path / "01_perceptron.ipynb"
    notebook.write_text(json.dumps(student_version(json.loads(NOTEBOOKS[0].read_text()))))
    exposed = grade(notebook, "--out", tmp_path / "g.csv", "--hidden", ROOT / "code" / "actlab")
    assert exposed.returncode == 2 and "visible inside the sandbox" in exposed.stderr
    unknown = grade(notebook, "--out", tmp_path / "g.csv", "--exercise", "ex99")
    assert unknown.returncode == 2 and "no checks for exercise ex99" in unknown.stderr
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "ex01.py").write_text("HIDDEN = {'q9': []}\n")
    broken = grade(notebook, "--out", tmp_path / "g.csv", "--hidden", tmp_path / "hidden")
    assert broken.returncode == 2 and "unknown questions: q9" in broken.stderr
    assert not (tmp_path / "g.csv").exists()


def test_no_bubblewrap_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable, match="make setup"):
        Sandbox()


@pytest.mark.slow
def test_an_unidentified_notebook_still_gets_a_row(tmp_path):
    (tmp_path / "mystery.ipynb").write_text(json.dumps({"nbformat": 4, "metadata": {}, "cells": []}))
    result = grade(tmp_path, "--out", tmp_path / "g.csv")
    assert result.returncode == 0
    assert rows(tmp_path / "g.csv") == [{"student": "mystery", "exercise": "", "question": "", "points": "0",
                                         "max_points": "0", "status": "invalid",
                                         "message": "The notebook does not say which exercise it is"}]


class _BrokenSandbox(Sandbox):
    def start(self):
        raise SandboxUnavailable("no namespaces today")


def test_a_sandbox_failure_is_the_graders_error_not_a_zero(tmp_path):
    notebook = tmp_path / "01_perceptron.ipynb"
    notebook.write_text(NOTEBOOKS[0].read_text())
    grade_ = grade_submission(Submission("x", str(notebook), notebook), Catalog(default_hidden_dir()),
                              _BrokenSandbox(Limits()))
    assert {q.status for q in grade_.questions} == {"error"}
    assert len(grade_.grader_errors) == len(grade_.questions)

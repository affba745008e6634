"""Student versions: stubs instead of solutions, and nothing of the solutions or hidden tests anywhere."""

import contextlib
import copy
import importlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from actlab.checks.core import Error, describe
from actlab.grade.exercises import Catalog, default_hidden_dir
from actlab.grade.notebooks import cell_role, source_text
from actlab.student import BEGIN, END, student_version

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
KEPT_CELL_METADATA = {"tags", "actlab", "editable", "deletable"}


def _strings(value) -> list[str]:
    """Every string anywhere in a JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _solution_lines(notebook: dict) -> list[str]:
    """The lines between the solution markers, stripped, that are long enough to be telling."""
    lines, inside = [], False
    for cell in notebook["cells"]:
        for line in source_text(cell).split("\n"):
            if line.strip() in (BEGIN, END):
                inside = line.strip() == BEGIN
            elif inside and len(line.strip()) >= 8:
                lines.append(line.strip())
    return lines


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def versions(request):
    source = json.loads(request.param.read_text())
    return request.param, source, student_version(source)


def test_no_solution_text_remains_anywhere(versions):
    _, source, student = versions
    text = "\n".join(_strings(student))
    solutions = _solution_lines(source)
    assert solutions, "an exercise without solution regions"
    leaked = [line for line in solutions if line in text]
    assert leaked == []


def test_no_hidden_test_is_in_it(versions):
    path, _, student = versions
    text = " ".join(" ".join(_strings(student)).split())
    exercise = Catalog(default_hidden_dir()).get(f"ex{path.name[:2]}")
    for question in exercise.questions:
        for case in exercise.hidden_cases(question):
            for value in [case.call_text(question.function_name), *case.args]:
                needle = " ".join((value if isinstance(value, str) else describe(value)).split())
                assert len(needle) < 6 or needle not in text


def test_each_solution_becomes_a_stub_that_raises(versions):
    path, source, student = versions
    for before, after in zip(source["cells"], student["cells"], strict=True):
        if cell_role(before) == "solution":
            assert "raise NotImplementedError()" in source_text(after)
            assert source_text(after).count(BEGIN) == source_text(before).count(BEGIN)
        else:
            assert _without_regions(source_text(after)) == _without_regions(source_text(before))
    namespace: dict = {}
    for cell in student["cells"]:
        if cell["cell_type"] == "code" and cell_role(cell) != "check":
            with contextlib.suppress(NotImplementedError):  # a cell using an answer still to be written
                exec(source_text(cell), namespace)  # noqa: S102 - our own notebook
    for question in importlib.import_module(f"actlab.checks.ex{path.name[:2]}").QUESTIONS.values():
        answer = question.answer(namespace[question.function_name], question.cases[0])
        assert answer == Error("NotImplementedError", "")


def _without_regions(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip() not in (BEGIN, END))


def test_outputs_are_cleared_and_only_needed_metadata_is_kept(versions):
    path, _, student = versions
    nbformat.validate(nbformat.reads(json.dumps(student), as_version=4))
    assert set(student["metadata"]) <= {"kernelspec", "language_info", "actlab"}
    assert student["metadata"]["actlab"] == {"exercise": f"ex{path.name[:2]}"}
    for cell in student["cells"]:
        assert set(cell["metadata"]) <= KEPT_CELL_METADATA
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        if cell_role(cell) == "check":
            assert cell["metadata"]["editable"] is False


def test_the_source_is_left_alone_and_a_second_pass_changes_nothing(versions):
    path, source, student = versions
    assert source == json.loads(path.read_text())
    assert student_version(copy.deepcopy(student)) == student


def _notebook(*sources, role="solution", cell_type="code"):
    cells = [{"cell_type": cell_type, "metadata": {"actlab": {"role": role}}, "source": s, "outputs": [],
              "execution_count": 3} for s in sources]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"widgets": {"state": "secret"}}, "cells": cells}


@pytest.mark.parametrize("source, fragment", [
    ("def f():\n    return 42", "without"),
    (f"def f():\n    {BEGIN}\n    return 42", "without"),
    (f"def f():\n    return 42\n    {END}", "without"),
    (f"{BEGIN}\n{BEGIN}\nx = 1\n{END}", "inside"),
])
def test_a_notebook_that_would_leak_is_refused(source, fragment):
    with pytest.raises(ValueError, match=fragment):
        student_version(_notebook(source))


def test_markdown_answers_get_a_prompt_and_other_metadata_goes():
    student = student_version(_notebook(f"Why?\n\n{BEGIN}\nBecause of XOR.\n{END}", cell_type="markdown"))
    assert student["cells"][0]["source"] == f"Why?\n\n{BEGIN}\nYOUR ANSWER HERE\n{END}"
    assert student["metadata"] == {}


def test_the_command_line_writes_every_exercise(tmp_path):
    result = subprocess.run([sys.executable, "-m", "actlab.student", str(ROOT / "exercises"), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in NOTEBOOKS]


def test_make_student_runs_it():
    dry_run = subprocess.run(["make", "-n", "student"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "-m actlab.student exercises --out _build/student" in dry_run.stdout

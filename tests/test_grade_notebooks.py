"""Reading submissions: which exercise, whose, which cells run, and what counts as unreadable."""

import json
from pathlib import Path

import pytest

from actlab.grade.notebooks import NotebookError, cell_role, code_cells, exercise_of, read_notebook
from actlab.grade.submissions import collect


def _code(source, **metadata):
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [], "execution_count": None}


def _notebook(*cells, **metadata):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": list(cells)}


def test_roles_come_from_metadata_or_tags():
    assert cell_role(_code("", actlab={"role": "check", "question": "q1"})) == "check"
    assert cell_role(_code("", tags=["solution"])) == "solution"
    assert cell_role(_code("")) is None


@pytest.mark.parametrize("metadata, name, expected", [
    ({"actlab": {"exercise": "ex02"}}, "01_perceptron.ipynb", "ex02"),  # metadata first
    ({}, "01_perceptron.ipynb", "ex01"),
    ({}, "alice_03_vanishing (1).ipynb", "ex03"),
    ({"actlab": {"exercise": "os"}}, "homework.ipynb", None),  # not an exercise id: ignored
    ({}, "homework.ipynb", None),
])
def test_the_exercise_comes_from_metadata_then_the_file_name(metadata, name, expected):
    assert exercise_of(_notebook(**metadata), Path(name)) == expected


def test_else_from_the_module_the_check_cells_call():
    nb = _notebook(_code("ex02.stable_sigmoid.check(stable_sigmoid)", tags=["check"]))
    assert exercise_of(nb, Path("renamed.ipynb")) == "ex02"


def test_code_cells_skip_checks_and_neutralise_ipython_syntax():
    nb = _notebook(
        _code("import numpy as np\n%matplotlib inline\n!pip install x"),
        {"cell_type": "markdown", "metadata": {}, "source": "text"},
        _code(["def f():\n", "    return 1"], actlab={"role": "solution"}),
        _code("ex01.f.check(f)", actlab={"role": "check"}),
        _code("%%time\nslow()"),
        _code("ex01.f.check(f)"),  # a check cell stripped of its metadata is ordinary code
    )
    assert code_cells(nb) == [[1, "import numpy as np\npass  # matplotlib inline\npass  # pip install x"],
                              [3, "def f():\n    return 1"], [6, "ex01.f.check(f)"]]


@pytest.mark.parametrize("content, fragment", [
    (b'{"cells": [', "not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[]", "not a notebook"),
    (json.dumps({"nbformat": 3, "cells": []}).encode(), "format is 3"),
    (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": 5}]}).encode(), "malformed source"),
])
def test_unreadable_notebooks_say_why(tmp_path, content, fragment):
    path = tmp_path / "01_perceptron.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=fragment):
        read_notebook(path)


def test_students_are_named_by_folder_or_file(tmp_path):
    for relative in ["alice/01_perceptron.ipynb", "alice/02_squashing.ipynb", "bob/week1/01_perceptron.ipynb",
                     "carol.ipynb", "alice/.ipynb_checkpoints/01_perceptron-checkpoint.ipynb", "notes.txt"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}")
    single = tmp_path / "dave_01.ipynb"
    single.write_text("{}")
    submissions = collect([tmp_path / "alice", tmp_path, single])
    found = [(s.student, s.path.relative_to(tmp_path).as_posix()) for s in submissions]
    assert found == [
        ("01_perceptron", "alice/01_perceptron.ipynb"),  # a notebook directly in a given folder: its own name
        ("02_squashing", "alice/02_squashing.ipynb"),
        ("alice", "alice/01_perceptron.ipynb"),
        ("alice", "alice/02_squashing.ipynb"),
        ("bob", "bob/week1/01_perceptron.ipynb"),
        ("carol", "carol.ipynb"),
        ("dave_01", "dave_01.ipynb"),
    ]


def test_a_missing_argument_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        collect([tmp_path / "nowhere"])

"""The adversarial corpus: every submission in tests/grading_corpus gets exactly its expected score.

The corpus is graded twice by the command line, as an instructor runs it; both runs must
write identical files, and no hidden test may show up in anything they write. A few
submissions are also run without the sandbox, to show that their attacks are real.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from actlab.checks.core import describe
from actlab.grade.exercises import Catalog, default_hidden_dir

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "grading_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())["submissions"]
SETTINGS = ["--time-limit", "5", "--memory-limit", "256M", "--jobs", "2"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two gradings of the corpus folder: (process, output folder) each."""
    results = []
    for run in ("first", "second"):
        out = tmp_path_factory.mktemp(run)
        command = [sys.executable, "-m", "actlab.grade", str(CORPUS / "submissions"), "--out", str(out / "grades.csv"),
                   *SETTINGS]
        results.append((subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT), out))
    return results


def _grades(out: Path) -> dict:
    with (out / "grades.csv").open(newline="") as stream:
        grades: dict = {}
        for row in csv.DictReader(stream):
            grades.setdefault(row["student"], {})[row["question"]] = [float(row["points"]), row["status"]]
    return grades


def test_the_grader_itself_succeeds(runs):
    for process, _ in runs:
        assert process.returncode == 0, process.stderr


def test_every_submission_gets_exactly_its_expected_score(runs):
    grades = _grades(runs[0][1])
    assert sorted(grades) == sorted(EXPECTED)  # no submission dropped, none invented
    for name, entry in EXPECTED.items():
        assert grades[name] == entry["scores"], f"{name}: {entry['why']}"


def test_grading_the_same_folder_twice_writes_identical_files(runs):
    (_, first), (_, second) = runs
    assert (first / "grades.csv").read_bytes() == (second / "grades.csv").read_bytes()
    feedback = sorted(p.name for p in (first / "grades_feedback").iterdir())
    assert feedback == sorted(f"{name}.txt" for name in EXPECTED)
    for name in feedback:
        assert (first / "grades_feedback" / name).read_bytes() == (second / "grades_feedback" / name).read_bytes()


def test_no_hidden_test_reaches_the_csv_or_the_feedback(runs):
    out = runs[0][1]
    texts = [(out / "grades.csv").read_text()] + [p.read_text() for p in (out / "grades_feedback").iterdir()]
    written = " ".join(" ".join(texts).split())  # whitespace normalised, as the grader may do
    exercise = Catalog(default_hidden_dir()).get("ex01")
    visible = " ".join(" ".join(c.call_text(q.function_name) for q in exercise.questions for c in q.cases).split())
    for question in exercise.questions:
        for case in exercise.hidden_cases(question):
            for value in [case.call_text(question.function_name), *case.args, *case.kwargs.values()]:
                text = " ".join((value if isinstance(value, str) else describe(value)).split())
                if len(text) >= 6 and text not in visible:  # short texts like "0.25" occur in visible cases too
                    assert text not in written, text


def test_feedback_says_why_points_were_lost(runs):
    feedback = runs[0][1] / "grades_feedback"
    assert "step(array([ nan, -inf,  inf])) returned array([0., 0., 1.])" in (feedback / "naive.txt").read_text()
    assert "on hidden test 2 of 4 returned a wrong result (NaN stays NaN in any shape)" in \
        (feedback / "naive.txt").read_text()
    assert "did not finish within the 5 s time limit" in (feedback / "infinite_loop.txt").read_text()
    assert "cell 9 raised SyntaxError" in (feedback / "syntax_error.txt").read_text()
    assert "not valid JSON" in (feedback / "not_json.txt").read_text()


# -- the same attacks without the sandbox ---------------------------------------------------
# Run in a scratch copy of the package and the exercises: these notebooks write to what they find.

_PLAIN_KERNEL = textwrap.dedent("""
    import json, sys
    cells = json.load(open(sys.argv[1]))["cells"]
    namespace = {"__name__": "__main__"}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
""")


@pytest.fixture
def run_plainly(tmp_path):
    """Run a corpus notebook's cells, check cells included, in one ordinary Python process."""
    shutil.copytree(ROOT / "code" / "actlab", tmp_path / "code" / "actlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")

    def run(name: str) -> str:
        notebook = CORPUS / "submissions" / name / "01_perceptron.ipynb"
        env = {**os.environ, "PYTHONPATH": str(tmp_path / "code")}
        result = subprocess.run([sys.executable, "-c", _PLAIN_KERNEL, str(notebook)], capture_output=True, text=True,
                                timeout=120, cwd=tmp_path, env=env)
        assert "actlab" not in result.stderr, result.stderr
        return result.stdout

    yield run
    assert not (ROOT / "code" / "actlab" / "checks" / "core.py").read_text().rstrip().endswith("'right')")


FULL_MARKS = ["Q1 — the Heaviside step: 2/2 points", "Q2 — one step of the perceptron rule: 3/3 points",
              "Q3 — a perceptron for each logic gate: 2/2 points", "Q4 — collapse stacked linear layers: 2/2 points"]


@pytest.mark.parametrize("name", ["allclose_patch", "patched_check", "read_secrets"])
def test_without_the_sandbox_these_attacks_print_full_marks(run_plainly, name):
    printed = run_plainly(name)
    assert all(verdict in printed for verdict in FULL_MARKS), printed

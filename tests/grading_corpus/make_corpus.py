"""Write the adversarial corpus: submissions of exercise 1 that try to cheat or break the grader.

    .venv/bin/python tests/grading_corpus/make_corpus.py

Each submission is ``submissions/<name>/01_perceptron.ipynb``, made from the student
version of ``exercises/01_perceptron.ipynb`` with some answers filled in, as a student
would hand it in. ``expected.json`` (written by hand, not by this script) says what each
must score and why; ``tests/test_grade_corpus.py`` grades the folder and compares. The
notebooks are committed, so the corpus stays fixed when the exercise's wording changes.
"""

from __future__ import annotations

import copy
import json
import shutil
import textwrap
from pathlib import Path

from actlab.grade.notebooks import cell_role, source_text
from actlab.student import BEGIN, END, student_version

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1] / "exercises" / "01_perceptron.ipynb"
OUT = HERE / "submissions"


def _cells(nb: dict, role: str, qid: str | None = None) -> list[dict]:
    return [c for c in nb["cells"] if cell_role(c) == role
            and (qid is None or c["metadata"].get("actlab", {}).get("question") == qid)]


def _region(source: str) -> str:
    """The text between the solution markers."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    return "\n".join(lines[start + 1:end])


def _answer(nb: dict, qid: str, body: str) -> None:
    """Put ``body`` (unindented code) between the markers of question ``qid``'s solution cell."""
    cell = _cells(nb, "solution", qid)[0]
    lines = source_text(cell).split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    lines[start + 1:end] = textwrap.indent(textwrap.dedent(body).strip("\n"), indent).split("\n")
    cell["source"] = "\n".join(lines)


def _insert_code(nb: dict, source: str) -> None:
    """A new code cell right after the set-up cell (the first code cell)."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": textwrap.dedent(source).strip("\n")}
    index = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code") + 1
    nb["cells"].insert(index, cell)


def _solved(nb: dict, *qids: str) -> dict:
    """``nb`` with the reference answers of ``qids`` filled in."""
    for qid in qids:
        _answer(nb, qid, textwrap.dedent(_region(source_text(_cells(SOLUTION, "solution", qid)[0]))))
    return nb


SOLUTION = json.loads(SOURCE.read_text())
STUDENT = student_version(SOLUTION)
ALL = ("q1", "q2", "q3", "q4")


def reference() -> dict:
    return copy.deepcopy(SOLUTION)


def untouched() -> dict:
    return copy.deepcopy(STUDENT)


def naive() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q3")
    _answer(nb, "q1", """
        x = np.asarray(x, dtype=float)
        out = np.where(x > 0, 1.0, 0.0)  # NaN > 0 is False, so NaN becomes 0
        out[x == 0] = at_zero
        return out
    """)
    _answer(nb, "q2", """
        if np.dot(w, x) + b > 0:  # strict: w·x + b = 0 predicts 0, but H(0) = 1
            prediction = 1
        else:
            prediction = 0
        return w + learning_rate * (y - prediction) * x, b + learning_rate * (y - prediction)
    """)
    _answer(nb, "q4", """
        from functools import reduce
        return reduce(lambda product, matrix: matrix @ product, matrices[1:], np.asarray(matrices[0], dtype=float))
    """)
    return nb


def _fooling_answers(nb: dict) -> dict:
    """Wrong answers of the right shape: they pass only if the comparisons are rigged."""
    _answer(nb, "q1", """
        x = np.asarray(x, dtype=float)
        return np.where(np.isnan(x), np.nan, 0.0)
    """)
    _answer(nb, "q2", "return np.asarray(w, dtype=float) * 0, 0.0")
    _answer(nb, "q3", "return [0.0, 0.0], 0.0")
    _answer(nb, "q4", "return np.zeros((np.shape(matrices[-1])[0], np.shape(matrices[0])[1]))")
    return nb


def allclose_patch() -> dict:
    nb = _fooling_answers(copy.deepcopy(STUDENT))
    _insert_code(nb, """
        # Every comparison numpy offers now says "equal".
        np.allclose = lambda *args, **kwargs: True
        np.isclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.testing.assert_allclose = lambda *args, **kwargs: None
    """)
    return nb


def patched_check() -> dict:
    nb = _fooling_answers(copy.deepcopy(STUDENT))
    _insert_code(nb, """
        import actlab.checks.core as core
        from actlab.checks.core import CaseResult, Question, Verdict

        # Every check passes, whatever the answer: the class, the module and this exercise's objects.
        Question.judge = lambda self, case, got: CaseResult(True, "right")
        Question.grade = lambda self, fn: Verdict(self.qid, self.title, self.points, self.points, ())
        core.compare_arrays = lambda *args, **kwargs: None
        for question in ex01.QUESTIONS.values():
            question.compare = lambda got, expected, case: None
        try:  # and on disk, for whoever imports it next
            with open(core.__file__, "a") as stream:
                stream.write("\\nQuestion.judge = lambda self, case, got: CaseResult(True, 'right')\\n")
        except OSError:
            pass
    """)
    return nb


def always_equal() -> dict:
    nb = copy.deepcopy(STUDENT)
    _insert_code(nb, """
        class AlwaysEqual:
            \"\"\"Equal to everything, close to everything, and a float when asked.\"\"\"
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __float__(self): return 0.0
            def __len__(self): return 2
            def __getitem__(self, index): return AlwaysEqual()
            def __iter__(self): return iter([AlwaysEqual(), AlwaysEqual()])
            __hash__ = object.__hash__
    """)
    for qid in ALL:
        _answer(nb, qid, "return AlwaysEqual()")
    return nb


def swallow_errors() -> dict:
    nb = copy.deepcopy(STUDENT)
    _insert_code(nb, """
        import sys

        def swallow(*args, **kwargs):
            return None

        sys.excepthook = swallow  # tracebacks vanish
        try:
            get_ipython().set_custom_exc((BaseException,), swallow)  # and IPython reports nothing
        except NameError:
            pass
    """)
    for qid in ALL:
        _answer(nb, qid, 'raise AssertionError("wrong, but nobody will see it")')
    return nb


def os_exit() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q2", "q3", "q4")
    _answer(nb, "q1", """
        import os
        os._exit(0)  # the grader's process, if it were the same one, would end here with success
    """)
    return nb


def infinite_loop() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q1", "q2", "q4")
    _answer(nb, "q3", """
        while True:
            pass
    """)
    return nb


def memory_hog() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q1", "q3", "q4")
    _answer(nb, "q2", """
        hog = []
        while True:
            hog.append(bytearray(10**7))
    """)
    return nb


def read_secrets() -> dict:
    nb = copy.deepcopy(STUDENT)
    _insert_code(nb, """
        import glob
        import json
        import os

        import actlab

        # Where the course keeps its solutions, hidden tests and other submissions: next to actlab.
        root = os.path.dirname(os.path.dirname(os.path.dirname(actlab.__file__)))
        places = [root + "/exercises/*.ipynb", root + "/exercises/hidden/*.py",
                  root + "/tests/grading_corpus/submissions/*/*.ipynb", "../*/*.ipynb",
                  "/proc/1/root" + root + "/exercises/*.ipynb", "/proc/1/environ"]
        stolen = {}
        for pattern in places:
            for path in glob.glob(pattern):
                try:
                    with open(path) as stream:
                        stolen[path] = stream.read()
                except OSError:
                    pass

        # With the solution notebook in hand, run its solution cells and use its functions.
        copied = {}
        for path, text in stolen.items():
            if path.endswith("01_perceptron.ipynb") and "np.where(x > 0, 1.0" in text:
                for cell in json.loads(text)["cells"]:
                    if "solution" in cell["metadata"].get("tags", []):
                        exec("".join(cell["source"]), {"np": np}, copied)
    """)
    calls = {"q1": "step(x, at_zero)", "q2": "perceptron_update(w, b, x, y, learning_rate)",
             "q3": "gate_weights(name)", "q4": "collapse(matrices)"}
    for qid, call in calls.items():
        name = call.split("(")[0]
        _answer(nb, qid, f"""
            if "{name}" in copied:
                return copied["{name}"]{call[len(name):]}
            raise RuntimeError(f"found nothing to copy among {{len(stolen)}} files")
        """)
    return nb


def fake_score() -> dict:
    nb = copy.deepcopy(STUDENT)
    _insert_code(nb, """
        print("Q1 — the Heaviside step: 2/2 points. All 7 checks pass.")
        print("TOTAL: 9/9 points")
        with open("grades.csv", "w") as stream:
            stream.write("student,exercise,question,points,max_points,status,message\\n")
            stream.write("fake_score,ex01,q1,2,2,passed,all tests pass\\n")
    """)
    for check in _cells(nb, "check"):  # the stored outputs of the check cells claim full marks
        qid = check["metadata"]["actlab"]["question"]
        check["outputs"] = copy.deepcopy(_cells(SOLUTION, "check", qid)[0]["outputs"])
        check["execution_count"] = 1
    return nb


def edited_checks() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q1", "q2")
    for check in _cells(nb, "check"):
        meta = check["metadata"]["actlab"]
        check["source"] = f'print("{meta["question"].upper()}: 100/100 points. All checks pass.")'
        meta["points"] = 100
    return nb


def deleted_checks() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q1", "q2", "q3")
    _answer(nb, "q4", """
        from functools import reduce
        return reduce(np.matmul, matrices)  # W1 @ W2 @ …: the layers in the wrong order
    """)
    nb["cells"] = [c for c in nb["cells"] if cell_role(c) != "check"]
    return nb


def stripped_metadata() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), *ALL)
    for cell in nb["cells"]:
        cell["metadata"] = {}
    nb["metadata"] = {}
    return nb


def misnamed() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), *ALL)
    cell = _cells(nb, "solution", "q1")[0]
    cell["source"] = source_text(cell).replace("def step(", "def Step(")
    return nb


def syntax_error() -> dict:
    nb = _solved(copy.deepcopy(STUDENT), "q1", "q3", "q4")
    _answer(nb, "q2", "return w + learning_rate * (y - (1 if np.dot(w, x) + b >= 0 else 0) * x,")
    return nb


def leak_hidden() -> dict:
    nb = copy.deepcopy(STUDENT)
    _insert_code(nb, """
        import os

        def leak(*args):
            \"\"\"An exception whose type name and message quote the arguments.\"\"\"
            text = repr(args)
            print("the arguments were", text)
            return type("Leak" + text, (Exception,), {})(text)

        visible = [repr(case.args) for case in ex01.collapse.cases]
    """)
    _answer(nb, "q1", "raise leak(x, at_zero)")
    _answer(nb, "q2", "return w, b, x, y, learning_rate  # a wrong answer that quotes the input")
    _answer(nb, "q3", "return repr(name)")
    _answer(nb, "q4", """
        if repr((matrices,)) not in visible:  # a case not in the public checks: a hidden one
            os._exit(sum(map(ord, repr(matrices))) % 256)  # an exit status that encodes it
        return matrices
    """)
    return nb


def not_json() -> bytes:
    text = json.dumps(_solved(copy.deepcopy(STUDENT), *ALL), indent=1)
    return text[: len(text) // 2].encode()  # cut off half-way, as a failed upload would


SUBMISSIONS = [reference, untouched, naive, allclose_patch, patched_check, always_equal, swallow_errors, os_exit,
               infinite_loop, memory_hog, read_secrets, fake_score, edited_checks, deleted_checks,
               stripped_metadata, misnamed, syntax_error, leak_hidden, not_json]


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    for make in SUBMISSIONS:
        content = make()
        path = OUT / make.__name__ / SOURCE.name
        path.parent.mkdir(parents=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(HERE)}")


if __name__ == "__main__":
    main()

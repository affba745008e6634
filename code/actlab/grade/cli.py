"""The command line: ``python -m actlab.grade SUBMISSIONS... --out grades.csv``.

Exit status: 0 when every submission was graded (whatever it scored); 1 when the grader
itself failed on some question (the CSV is still written, with status ``error`` there);
2 when nothing could be graded (bad arguments, broken exercise files, no sandbox).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from actlab.grade.exercises import Catalog, ExerciseError, default_hidden_dir
from actlab.grade.grading import QuestionGrade, SubmissionGrade, grade_submission
from actlab.grade.notebooks import EXERCISE_ID
from actlab.grade.report import write_csv, write_feedback
from actlab.grade.sandbox import Limits, Sandbox, SandboxUnavailable
from actlab.grade.submissions import Submission, collect

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        submissions = collect(args.submissions)
        if not submissions:
            raise ValueError("no .ipynb files found in " + ", ".join(map(str, args.submissions)))
        sandbox = Sandbox(Limits(seconds=args.time_limit, memory=args.memory_limit))
        _refuse_exposed(sandbox, [args.hidden] + [s.path for s in submissions])
        sandbox.check()
        catalog = Catalog(args.hidden)
        for hidden_file in sorted(args.hidden.glob("ex[0-9][0-9].py")):
            catalog.get(hidden_file.stem)  # a broken hidden-test file stops everything, before any grading
        if args.exercise and catalog.get(args.exercise) is None:
            raise ValueError(f"there are no checks for exercise {args.exercise}")
    except (OSError, ValueError, SandboxUnavailable, ExerciseError) as exc:
        print(f"actlab.grade: error: {exc}", file=sys.stderr)
        return 2

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        grades = list(pool.map(lambda s: _grade(s, catalog, sandbox, args.exercise), submissions))

    feedback = args.feedback or args.out.with_name(f"{args.out.stem}_feedback")
    write_csv(grades, args.out)
    write_feedback(grades, feedback)
    for exercise_id in catalog.missing_hidden():
        print(f"actlab.grade: warning: {exercise_id} has no hidden tests in {args.hidden}", file=sys.stderr)
    errors = [e for g in grades for e in g.grader_errors]
    for error in errors:
        print(f"actlab.grade: error: {error}", file=sys.stderr)
    students = len({g.submission.student for g in grades})
    print(f"graded {len(grades)} notebooks of {students} students: {args.out}, feedback in {feedback}/")
    return 1 if errors else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actlab.grade",
        description="Grade exercise notebooks in a sandbox against their visible and hidden tests.",
    )
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                        help="a notebook, or a folder searched for notebooks (one sub-folder per student)")
    parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    parser.add_argument("--feedback", type=Path,
                        help="folder for the per-student feedback files (default: OUT's name + _feedback)")
    parser.add_argument("--exercise", type=_exercise_id,
                        help="grade every notebook as this exercise (e.g. ex01) instead of reading it from each")
    parser.add_argument("--hidden", type=Path, default=default_hidden_dir(),
                        help="folder of the hidden tests, exNN.py (default: %(default)s)")
    parser.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                        help="wall-clock limit for running the notebook's cells, and again for each question's "
                             "visible and each question's hidden tests (default: 10)")
    parser.add_argument("--memory-limit", type=_size, default=1 << 30, metavar="SIZE",
                        help="address-space limit of the sandboxed process, e.g. 512M or 2G (default: 1G)")
    parser.add_argument("--jobs", type=_positive, default=max(1, (os.cpu_count() or 2) // 2),
                        help="notebooks graded at once (default: half the CPUs)")
    return parser


def _exercise_id(text: str) -> str:
    if not EXERCISE_ID.fullmatch(text):
        raise argparse.ArgumentTypeError("an exercise id is ex and two digits, e.g. ex01")
    return text


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a whole number, at least 1")
    return int(text)


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+)([KMG]?)", text.strip().upper())
    if not match:
        raise argparse.ArgumentTypeError("a size is a number of bytes with an optional K, M or G")
    return int(match.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[match.group(2)]


def _refuse_exposed(sandbox: Sandbox, paths: list[Path]) -> None:
    """The hidden tests and the submissions must not be readable from inside the sandbox."""
    for path in paths:
        if path.exists() and sandbox.exposes(path):
            raise ValueError(f"{path} would be visible inside the sandbox; move it out of {sandbox.visible}")


def _grade(submission: Submission, catalog: Catalog, sandbox: Sandbox, exercise_id: str | None) -> SubmissionGrade:
    """:func:`grade_submission`, with a bug of the grader's own costing one notebook, not the run."""
    try:
        return grade_submission(submission, catalog, sandbox, exercise_id)
    except Exception as exc:  # noqa: BLE001 - no submission is ever dropped from the grades
        traceback.print_exc()
        message = f"The grader failed on this notebook ({type(exc).__name__})."
        row = QuestionGrade("", 0.0, 0.0, "error", message, message)
        return SubmissionGrade(submission, exercise_id or "", (row,), (message,), (f"{submission.label}: {message}",))

"""Writing the grades: one CSV row per question, one feedback file per student.

Both are deterministic: the same submissions give byte-identical files, so two gradings
can be compared with ``diff``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from actlab.grade.grading import SubmissionGrade

__all__ = ["COLUMNS", "write_csv", "write_feedback", "feedback_text"]

COLUMNS = ("student", "exercise", "question", "points", "max_points", "status", "message")


def write_csv(grades: Sequence[SubmissionGrade], path: Path) -> None:
    """The grades as CSV, a row per question of every submission, in the order given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for grade in grades:
            for question in grade.questions:
                writer.writerow([grade.submission.student, grade.exercise, question.question,
                                 f"{question.points:g}", f"{question.max_points:g}", question.status,
                                 question.message])


def write_feedback(grades: Sequence[SubmissionGrade], directory: Path) -> list[Path]:
    """A text file per student in ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written, used = [], set()
    for student, group in groupby(grades, key=lambda g: g.submission.student):
        name = _file_name(student, used)
        path = directory / f"{name}.txt"
        path.write_text(feedback_text(student, list(group)), encoding="utf-8")
        written.append(path)
    return written


def feedback_text(student: str, grades: Sequence[SubmissionGrade]) -> str:
    """What one student reads: per notebook, the total, each question's verdict, and notes."""
    lines = [f"Feedback for {student}", ""]
    for grade in grades:
        title = f"Exercise {grade.exercise}" if grade.exercise else "Unidentified notebook"
        lines += [f"{title} ({grade.submission.path.name}): {grade.points:g}/{grade.max_points:g} points", ""]
        for note in grade.notes:
            lines.append(f"Note: {note}")
        if grade.notes:
            lines.append("")
        for question in grade.questions:
            if question.question:
                lines += [f"{question.report}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _file_name(student: str, used: set[str]) -> str:
    """A safe file name for ``student``, distinct from those already ``used``."""
    base = re.sub(r"[^\w.-]", "_", student).lstrip(".") or "student"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base}-{n}"
    used.add(name.lower())
    return name

"""What the grader knows about an exercise: its questions and their hidden cases.

The questions come from the checks module :mod:`actlab.checks.exNN` (``QUESTIONS``), the
same objects that give the notebook its instant feedback. The hidden cases come from a
Python file ``exNN.py`` in the hidden-tests folder (by default ``exercises/hidden/`` of
the repository), which defines::

    HIDDEN = {"q1": [Case(...), ...], ...}   # extra cases per question id; any may be absent

That folder is read by the grader only: it is not in the student versions and not
visible inside the sandbox. A hidden case's ``hint``, if any, is the only thing about it
that feedback ever shows.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass, field
from pathlib import Path

import actlab
from actlab.checks.core import Case, Question
from actlab.grade.notebooks import EXERCISE_ID

__all__ = ["Exercise", "ExerciseError", "Catalog", "default_hidden_dir"]


class ExerciseError(RuntimeError):
    """An exercise's checks or hidden tests cannot be loaded: the course's mistake, not the student's."""


@dataclass(frozen=True)
class Exercise:
    id: str
    questions: tuple[Question, ...]
    hidden: dict[str, tuple[Case, ...]] = field(default_factory=dict)

    def hidden_cases(self, question: Question) -> tuple[Case, ...]:
        return self.hidden.get(question.qid, ())


def default_hidden_dir() -> Path:
    """``exercises/hidden`` of the repository that holds the installed actlab."""
    return Path(actlab.__file__).resolve().parents[2] / "exercises" / "hidden"


class Catalog:
    """Loads each exercise once, on first use (from any of the grader's threads)."""

    def __init__(self, hidden_dir: Path) -> None:
        self.hidden_dir = hidden_dir
        self._loaded: dict[str, Exercise | None] = {}
        self._lock = threading.Lock()

    def get(self, exercise_id: str) -> Exercise | None:
        """The exercise, or ``None`` when no checks module has that id; :class:`ExerciseError` if broken."""
        with self._lock:
            if exercise_id not in self._loaded:
                self._loaded[exercise_id] = self._load(exercise_id)
            return self._loaded[exercise_id]

    def missing_hidden(self) -> list[str]:
        """Ids of the loaded exercises that have no hidden-tests file."""
        return sorted(e.id for e in self._loaded.values() if e is not None and not e.hidden)

    def _load(self, exercise_id: str) -> Exercise | None:
        if not EXERCISE_ID.fullmatch(exercise_id):
            return None
        name = f"actlab.checks.{exercise_id}"
        if importlib.util.find_spec(name) is None:
            return None
        questions = getattr(importlib.import_module(name), "QUESTIONS", None)
        if not isinstance(questions, dict) or not all(isinstance(q, Question) for q in questions.values()):
            raise ExerciseError(f"{name}.QUESTIONS must be a dict of Question objects")
        return Exercise(exercise_id, tuple(questions.values()), self._hidden(exercise_id, questions))

    def _hidden(self, exercise_id: str, questions: dict) -> dict[str, tuple[Case, ...]]:
        path = self.hidden_dir / f"{exercise_id}.py"
        if not path.is_file():
            return {}
        spec = importlib.util.spec_from_file_location(f"_actlab_hidden_{exercise_id}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - report which file, whatever the mistake
            raise ExerciseError(f"{path} could not be loaded: {type(exc).__name__}") from exc
        hidden = getattr(module, "HIDDEN", None)
        if not isinstance(hidden, dict):
            raise ExerciseError(f"{path} must define HIDDEN = {{question id: [Case, ...]}}")
        unknown = sorted(set(hidden) - set(questions))
        if unknown:
            raise ExerciseError(f"{path} has hidden cases for unknown questions: {', '.join(map(str, unknown))}")
        cases = {qid: tuple(hidden[qid]) for qid in hidden}
        if not all(isinstance(c, Case) for group in cases.values() for c in group):
            raise ExerciseError(f"{path}: every hidden case must be an actlab.checks.Case")
        return cases

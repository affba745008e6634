"""Finding the notebooks to grade and whose they are.

Arguments are notebooks or folders. In a folder, every ``.ipynb`` below it is a
submission (checkpoint and hidden folders are skipped). The student is:

- for a notebook in a sub-folder of a given folder, the name of that first sub-folder
  (``submissions/alice/01_perceptron.ipynb`` → ``alice``, as nbgrader and most learning
  platforms lay them out);
- for a notebook directly in a given folder, or given itself, its file name without
  ``.ipynb`` (``submissions/alice.ipynb`` → ``alice``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Submission", "collect"]


@dataclass(frozen=True, order=True)
class Submission:
    student: str
    label: str  #: the notebook's path as the instructor named it, for messages
    path: Path


def collect(arguments: Iterable[Path]) -> list[Submission]:
    """Every submission under ``arguments``, sorted by student then path; missing paths raise."""
    found: set[Submission] = set()
    for argument in arguments:
        if argument.is_file():
            found.add(Submission(argument.stem, str(argument), argument))
        elif argument.is_dir():
            for path in argument.rglob("*.ipynb"):
                relative = path.relative_to(argument)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    student = relative.parts[0] if len(relative.parts) > 1 else path.stem
                    found.add(Submission(student, str(path), path))
        else:
            raise FileNotFoundError(f"no such file or folder: {argument}")
    return sorted(found)

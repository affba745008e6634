"""Student versions of the exercise notebooks: ``python -m actlab.student SRC... --out DIR``.

An exercise notebook is its own solution: each answer sits between a line
``### BEGIN SOLUTION`` and a line ``### END SOLUTION`` (nbgrader's markers). The student
version keeps the markers and replaces what is between them with a stub that raises
``NotImplementedError`` (in Markdown cells, with "YOUR ANSWER HERE"), clears every
output and execution count, and keeps only the metadata the exercise needs (cell tags,
the ``actlab`` roles and points, the kernel, and the exercise id, which it adds from the
check cells when the source lacks it). Check cells are marked read-only. Hidden tests
are never in an exercise notebook, so never in its student version.

A notebook that would leak a solution is refused with :class:`ValueError`: a solution
cell without markers, or a marker without its partner.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

from actlab.grade.notebooks import cell_role, exercise_from_cells, source_text

__all__ = ["student_version", "main", "BEGIN", "END"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
_MARKDOWN_STUB = ("YOUR ANSWER HERE",)
_NOTEBOOK_METADATA = ("kernelspec", "language_info")
_ACTLAB_CELL_KEYS = ("question", "role", "points")


def student_version(notebook: dict) -> dict:
    """The student version of an exercise notebook (a new dict; ``notebook`` is not changed)."""
    student = copy.deepcopy(notebook)
    metadata = notebook.get("metadata", {})
    student["metadata"] = {k: copy.deepcopy(metadata[k]) for k in _NOTEBOOK_METADATA if k in metadata}
    # The exercise id lets the grader tell the exercise even when a student renames the file.
    named = metadata.get("actlab", {}).get("exercise") if isinstance(metadata.get("actlab"), dict) else None
    exercise = named or exercise_from_cells(notebook)
    if exercise:
        student["metadata"]["actlab"] = {"exercise": exercise}
    for number, cell in enumerate(student.get("cells", []), start=1):
        role = cell_role(cell)
        source = source_text(cell)
        stubbed, regions = _stub_solutions(source, cell["cell_type"], number)
        if role == "solution" and not regions:
            raise ValueError(f"cell {number} is a solution cell without {BEGIN} / {END} markers")
        cell["source"] = stubbed
        cell["metadata"] = _cell_metadata(cell.get("metadata", {}), role)
        if role == "solution":
            cell.pop("attachments", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return student


def _stub_solutions(source: str, cell_type: str, number: int) -> tuple[str, int]:
    """``source`` with the body of every solution region replaced by the stub, and the number of regions."""
    stub = _CODE_STUB if cell_type == "code" else _MARKDOWN_STUB
    lines, inside, regions = [], False, 0
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"cell {number}: {BEGIN} inside a solution region")
            indent = line[: len(line) - len(line.lstrip())]
            lines += [line, *(indent + s for s in stub)]
            inside, regions = True, regions + 1
        elif marker == END:
            if not inside:
                raise ValueError(f"cell {number}: {END} without {BEGIN}")
            lines.append(line)
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"cell {number}: {BEGIN} without {END}")
    return "\n".join(lines), regions


def _cell_metadata(metadata: dict, role: str | None) -> dict:
    kept: dict = {}
    if isinstance(metadata.get("tags"), list):
        kept["tags"] = list(metadata["tags"])
    actlab = metadata.get("actlab")
    if isinstance(actlab, dict):
        kept["actlab"] = {k: actlab[k] for k in _ACTLAB_CELL_KEYS if k in actlab}
    if role == "check":
        kept["editable"] = False
        kept["deletable"] = False
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actlab.student",
                                     description="Write the student versions of exercise notebooks.")
    parser.add_argument("sources", nargs="+", type=Path, metavar="SRC",
                        help="an exercise notebook, or a folder of them (not searched recursively)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the student versions to")
    args = parser.parse_args(argv)
    paths = []
    for source in args.sources:
        paths += sorted(source.glob("*.ipynb")) if source.is_dir() else [source]
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        try:
            student = student_version(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"actlab.student: error: {path}: {exc}", file=sys.stderr)
            return 1
        target = args.out / path.name
        target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

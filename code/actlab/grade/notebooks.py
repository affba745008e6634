"""Reading exercise notebooks: the cell format, the exercise a notebook belongs to, its code.

The format (shared with :mod:`actlab.student`): a cell's role is in its metadata,
``{"actlab": {"question": "q1", "role": "solution" | "check" | "question"}}``, and
solution and check cells also carry the tag of the same name. A notebook names its
exercise in its metadata, ``{"actlab": {"exercise": "ex01"}}``, which is the module
:mod:`actlab.checks.ex01`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["NotebookError", "read_notebook", "source_text", "cell_role", "exercise_of", "exercise_from_name",
           "exercise_from_cells", "code_cells", "EXERCISE_ID"]

#: An exercise id: ``ex`` and two digits, the name of its checks module in actlab.checks.
EXERCISE_ID = re.compile(r"ex\d\d")
#: Larger files are refused unread: a notebook with its outputs cleared is far smaller.
MAX_NOTEBOOK_BYTES = 50 << 20
_NAME_NUMBER = re.compile(r"(?<!\d)(\d\d)_[A-Za-z]")
_MAGIC = re.compile(r"^(\s*)[%!]")
_CHECK_CALL = re.compile(r"\b(ex\d\d)\.\w+\.check\(")


class NotebookError(ValueError):
    """A file that is not a readable Jupyter notebook."""


def read_notebook(path: Path) -> dict:
    """The notebook at ``path`` as a dict with a list of well-formed cells, or :class:`NotebookError`."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"the file is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise NotebookError(f"the file could not be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise NotebookError("the file is not UTF-8 text") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"the file is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise NotebookError("the file's JSON is nested too deeply") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError("the file is JSON but not a notebook (it has no list of cells)")
    if notebook.get("nbformat") != 4:
        raise NotebookError(f"the notebook format is {notebook.get('nbformat')!r}; version 4 is expected")
    for number, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {number} is not a notebook cell")
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise NotebookError(f"cell {number} has a malformed source")
        if not isinstance(cell.get("metadata", {}), dict):
            raise NotebookError(f"cell {number} has malformed metadata")
    return notebook


def source_text(cell: dict) -> str:
    """A cell's source as one string (notebooks store it as a string or a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def cell_role(cell: dict) -> str | None:
    """``"solution"``, ``"check"``, ``"question"`` or ``None``, from the metadata or the tags."""
    metadata = cell.get("metadata", {})
    actlab = metadata.get("actlab") if isinstance(metadata, dict) else None
    role = actlab.get("role") if isinstance(actlab, dict) else None
    if isinstance(role, str):
        return role
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    if isinstance(tags, list):
        for known in ("solution", "check"):
            if known in tags:
                return known
    return None


def exercise_of(notebook: dict | None, path: Path) -> str | None:
    """The exercise a notebook belongs to, or ``None``: the first of

    1. its metadata, ``{"actlab": {"exercise": "ex01"}}`` (student versions carry it);
    2. its file name, ``01_perceptron.ipynb`` or ``alice_01_perceptron.ipynb`` → ``ex01``;
    3. the checks module its check cells call, ``ex01.step.check(step)`` → ``ex01``.
    """
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    actlab = metadata.get("actlab") if isinstance(metadata, dict) else None
    named = actlab.get("exercise") if isinstance(actlab, dict) else None
    if isinstance(named, str) and EXERCISE_ID.fullmatch(named):
        return named
    return exercise_from_name(path.name) or (exercise_from_cells(notebook) if notebook else None)


def exercise_from_name(name: str) -> str | None:
    """``ex01`` for names like ``01_perceptron.ipynb`` or ``alice_01_perceptron.ipynb``."""
    match = _NAME_NUMBER.search(name)
    return f"ex{match.group(1)}" if match else None


def exercise_from_cells(notebook: dict) -> str | None:
    """The checks module that the notebook's check cells call, if they agree on one."""
    called = {m.group(1) for cell in notebook.get("cells", []) if cell_role(cell) == "check"
              for m in _CHECK_CALL.finditer(source_text(cell))}
    return called.pop() if len(called) == 1 else None


def code_cells(notebook: dict) -> list[list]:
    """``[number, source]`` of every code cell the grader runs: all but the check cells.

    Check cells are skipped because the learner may have edited them; a check cell whose
    metadata and tags were removed is an ordinary cell and runs (harmlessly: its printed
    verdict goes nowhere). IPython syntax has no meaning outside a kernel: line magics and
    shell escapes (``%…``, ``!…``) become ``pass`` and a cell magic (``%%…``) skips its cell.
    """
    cells = []
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell["cell_type"] != "code" or cell_role(cell) == "check":
            continue
        source = source_text(cell)
        if source.lstrip().startswith("%%"):
            continue
        lines = [_MAGIC.sub(r"\1pass  # ", line) if _MAGIC.match(line) else line for line in source.split("\n")]
        cells.append([number, "\n".join(lines)])
    return cells

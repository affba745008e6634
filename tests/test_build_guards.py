"""The build's safety nets, tested: each must turn a real mistake into a failure.

A small book that shares the project's `_config.yml` and is built by the project's own
`tools/build-book` must build cleanly; the same book with one broken cell, or one cell
that prints a warning, must not. Exercise 1 with one stored output changed must fail
nbval, run by the project's own `tools/run-nbval`.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A test chapter

```{{code-cell}} ipython3
print(sum(range(10)))
```

```{{code-cell}} ipython3
{cell}
```
"""


def _build(tmp_path: Path, cell: str) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (tmp_path / "index.md").write_text(CHAPTER.format(cell=cell))
    return subprocess.run([ROOT / "tools" / "build-book", tmp_path], capture_output=True, text=True, timeout=600)


def test_a_clean_chapter_builds(tmp_path):
    result = _build(tmp_path, "print('fine')")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "fine" in (tmp_path / "_build" / "html" / "index.html").read_text()


def test_a_broken_cell_fails_the_build(tmp_path):
    result = _build(tmp_path, "1 / 0")
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_a_broken_cell_in_chapter_1_fails_the_build(tmp_path):
    # The real chapter, with one cell broken right after its set-up: execution stops there.
    chapter = (ROOT / "chapters" / "01_perceptron.md").read_text()
    first_cell_end = chapter.index("```\n", chapter.index("```{code-cell}")) + 4
    broken = chapter[:first_cell_end] + "\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken')\n```\n" \
        + chapter[first_cell_end:]
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01_perceptron.md").write_text(broken)
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: chapters/01_perceptron\n")
    result = subprocess.run([ROOT / "tools" / "build-book", tmp_path], capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "deliberately broken" in result.stdout + result.stderr


def test_a_printed_warning_fails_the_build(tmp_path):
    result = _build(tmp_path, "import warnings\nwarnings.warn('deliberately printed')")
    assert result.returncode != 0
    assert "stderr was found in the cell outputs" in result.stdout + result.stderr


def _nbval(notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ROOT / "tools" / "run-nbval", notebook], capture_output=True, text=True, timeout=600)


def test_exercise_1_passes_nbval_as_committed(tmp_path):
    copy = tmp_path / "exercise.ipynb"
    shutil.copy(ROOT / "exercises" / "01_perceptron.ipynb", copy)
    result = _nbval(copy)
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_changed_output_in_exercise_1_fails_nbval(tmp_path):
    nb = json.loads((ROOT / "exercises" / "01_perceptron.ipynb").read_text())
    check = next(c for c in nb["cells"] if c["metadata"].get("actlab", {}).get("role") == "check")
    stream = next(o for o in check["outputs"] if o["output_type"] == "stream")
    stream["text"] = ["".join(stream["text"]).replace("2/2 points", "1/2 points")]
    copy = tmp_path / "exercise.ipynb"
    copy.write_text(json.dumps(nb))
    result = _nbval(copy)
    assert result.returncode != 0
    assert "1/2 points" in result.stdout

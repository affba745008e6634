"""Notebook downloads: every chapter page offers its notebook (.ipynb made from the MyST
source), every exercise page its student version, and the exercise index lists them all."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin

import nbformat
import pytest

from sitetools import ROOT, SITE, toc_docnames

PAGES = toc_docnames()


def source_of(docname: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / f"{docname}{suffix}").is_file():
            return ROOT / f"{docname}{suffix}"
    raise FileNotFoundError(docname)


def is_notebook_source(path: Path) -> bool:
    if path.suffix == ".ipynb":
        return True
    text = path.read_text("utf-8")
    return text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]


NOTEBOOK_PAGES = [name for name in PAGES if is_notebook_source(source_of(name))]
EXERCISES = [name for name in NOTEBOOK_PAGES if name.startswith("exercises/")]
CHAPTERS = [name for name in NOTEBOOK_PAGES if name not in EXERCISES]


def solution_lines(notebook: dict) -> list[str]:
    """The lines between ### BEGIN SOLUTION and ### END SOLUTION, stripped, of every code cell."""
    lines = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        inside = False
        for line in "".join(cell["source"]).splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside = True
            elif line.strip() == "### END SOLUTION":
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def code_lines(notebook) -> set[str]:
    return {line.strip() for cell in notebook.cells if cell.cell_type == "code" for line in cell.source.splitlines()}


def download_link(page_html: str) -> str:
    """The href of the download link in the note under a page's title."""
    from html.parser import HTMLParser

    links = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a" and "book-download" in (attrs.get("class") or "").split():
                links.append(attrs["href"])

    Parser().feed(page_html)
    assert links, "no download link on the page"
    return links[0]


def fetch_notebook(server: str, docname: str) -> tuple[str, nbformat.NotebookNode]:
    href = download_link((SITE / f"{docname}.html").read_text("utf-8"))
    url = urljoin(f"{server}/{docname}.html", href)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        text = response.read().decode("utf-8")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    return url, notebook


def test_the_book_has_chapter_and_exercise_notebooks():
    assert "chapters/01_perceptron" in CHAPTERS and "exercises/01_perceptron" in EXERCISES


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_notebook_is_the_myst_source_as_ipynb(docname, server):
    import jupytext

    url, notebook = fetch_notebook(server, docname)
    assert url.endswith(f"/_notebooks/{docname}.ipynb")
    source = jupytext.read(source_of(docname))
    assert [(c.cell_type, c.source) for c in notebook.cells] == [(c.cell_type, c.source) for c in source.cells]
    assert notebook.metadata.kernelspec.name == "python3" and "jupytext" not in notebook.metadata
    assert all(c.get("outputs", []) == [] for c in notebook.cells)
    box = (SITE / f"{docname}.html").read_text("utf-8").split('book-notebook-download', 1)[1].split("</div>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", box))
    assert "make setup" in text and ".venv/bin/jupyter lab" in text, f"the page does not say how to open the notebook: {text}"


@pytest.mark.parametrize("docname", EXERCISES)
def test_exercise_offers_a_student_version_without_solutions(docname, server):
    url, student = fetch_notebook(server, docname)
    assert url.endswith(f"/_notebooks/{docname}_exercise.ipynb")
    original = json.loads(source_of(docname).read_text("utf-8"))
    solutions = solution_lines(original)
    assert solutions, "the exercise has no solution regions to hide"
    leaked = [line for line in solutions if line in code_lines(student)]
    assert not leaked, f"the student version still contains solution lines: {leaked}"
    questions = ["".join(c["source"]) for c in original["cells"]
                 if c.get("metadata", {}).get("actlab", {}).get("role") == "question"]
    student_markdown = [c.source for c in student.cells if c.cell_type == "markdown"]
    assert all(q in student_markdown for q in questions)
    checks = ["".join(c["source"]) for c in original["cells"] if c.get("metadata", {}).get("actlab", {}).get("role") == "check"]
    assert all(any(check in c.source for c in student.cells) for check in checks), "check cells missing"


def test_the_browser_downloads_a_chapter_as_a_notebook(offline_page, tmp_path):
    visit = offline_page("chapters/01_perceptron.html")
    with visit.page.expect_download() as info:
        visit.page.locator(".book-notebook-download a.book-download").first.click()
    download = info.value
    assert download.suggested_filename == "01_perceptron.ipynb"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    nbformat.validate(nbformat.read(target, as_version=4))
    # the theme's download menu offers the same file
    menu = visit.page.locator('a:has-text(".ipynb")').evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(href and href.endswith("_notebooks/chapters/01_perceptron.ipynb") for href in menu), menu
    assert not visit.problems(), "\n".join(visit.problems())


def test_the_exercise_index_lists_every_exercise(server):
    index = "exercises/index"
    assert index in PAGES, "the exercise index is not in the table of contents"
    page = (SITE / f"{index}.html").read_text("utf-8")
    for exercise in EXERCISES:
        name = Path(exercise).name
        assert f'href="{name}.html"' in page, f"{exercise} is not linked from the exercise index"
        assert f'href="../_notebooks/{exercise}_exercise.ipynb"' in page, f"no student download of {exercise}"
    assert page.count('class="reference download book-download"') == len(EXERCISES)
    assert "Question 1" in page


# -- the plumbing: the configured function makes the student version ---------------------


def _app(student_version: str):
    return SimpleNamespace(config=SimpleNamespace(book_site_student_version=student_version))


@pytest.mark.parametrize("docname", EXERCISES)
def test_the_download_is_actlab_student_version_of_the_exercise(docname, server):
    from actlab.student import student_version

    _, downloaded = fetch_notebook(server, docname)
    expected = nbformat.from_dict(student_version(json.loads(source_of(docname).read_text("utf-8"))))
    assert downloaded.cells == expected.cells and downloaded.metadata == expected.metadata


def test_student_notebooks_come_from_the_configured_function(tmp_path, monkeypatch):
    import book_site

    module = tmp_path / "stand_in_student.py"
    module.write_text("def student_version(nb):\n    nb = dict(nb)\n    nb['cells'] = nb['cells'][:2]\n"
                      "    del nb['cells'][1]['id']\n    return nb\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    student = book_site.exercise_student_notebook(_app("stand_in_student:student_version"),
                                                  ROOT / "exercises" / "01_perceptron.ipynb")
    original = json.loads((ROOT / "exercises" / "01_perceptron.ipynb").read_text("utf-8"))
    assert len(student.cells) == 2 and [c.id for c in student.cells] == [original["cells"][0]["id"], "cell-2"]


def test_an_invalid_student_version_fails_the_build(tmp_path, monkeypatch):
    import book_site
    from sphinx.errors import ExtensionError

    (tmp_path / "broken_student.py").write_text("def student_version(nb):\n    return {'cells': 'nope'}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ExtensionError, match="not a valid notebook"):
        book_site.exercise_student_notebook(_app("broken_student:student_version"), ROOT / "exercises" / "01_perceptron.ipynb")

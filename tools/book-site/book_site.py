"""Sphinx extension that makes the HTML book of *From Step to SELU* a product on its own.

Three jobs (and one repair), all for the ``html`` builder only:

1. **Self-contained pages.** Copies the JavaScript that the pages load (MathJax 3,
   RequireJS, the Jupyter widgets HTML manager) from ``node_modules/`` — installed from
   the npm registry by ``tools/vendor-assets`` during ``make setup``, pinned by
   ``package-lock.json`` — into ``_build/html/_static/vendor/``, and checks that
   ``mathjax_path`` and ``nb_ipywidgets_js`` in ``_config.yml`` point at those copies,
   so that no page asks another host for anything. It also drops the duplicate inline
   scripts that the Jupyter Book stack puts on every page (one is a JavaScript error).
2. **Notebook downloads.** Every notebook page gets a box under its title with a download
   link, and the theme's download menu gets the same entry: a chapter written as a MyST
   Markdown notebook is converted to ``.ipynb`` with jupytext; an exercise notebook is
   offered as its *student version*, made by ``actlab.student.student_version``.
   The files land in ``_build/html/_notebooks/``.
3. **The exercise list.** The directive ``exercise-list`` becomes a list of every
   exercise page, with its questions, points and student download.
"""

from __future__ import annotations

import copy
import html
import importlib
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

__version__ = "1.0.0"

#: The repository this file lives in (tools/book-site/book_site.py): its node_modules/
#: is where tools/vendor-assets installs the npm packages.
REPO = Path(__file__).resolve().parents[2]

#: Folder under the build's ``_static/`` that receives the vendored files.
VENDOR_DIR = "vendor"

#: What the pages load, as (source under node_modules/, destination under _static/vendor/).
#: A source ending in a glob copies every match into the destination folder.
VENDORED_FILES: tuple[tuple[str, str], ...] = (
    # MathJax 3: the combined TeX+MathML → CommonHTML component, plus everything it may
    # load later: TeX extensions (autoload), output fonts, the SVG renderer the menu can
    # switch to, the accessibility tools and the speech-rule engine they use.
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("mathjax/es5/tex-mml-chtml.js", "mathjax/tex-mml-chtml.js"),
    ("mathjax/es5/input", "mathjax/input"),
    ("mathjax/es5/output", "mathjax/output"),
    ("mathjax/es5/a11y", "mathjax/a11y"),
    ("mathjax/es5/ui", "mathjax/ui"),
    ("mathjax/es5/sre", "mathjax/sre"),
    ("mathjax/es5/adaptors", "mathjax/adaptors"),
    # RequireJS and the widgets HTML manager: myst-nb adds both to a page whose notebook
    # stores ipywidgets state (nb_ipywidgets_js in _config.yml points at these copies).
    ("requirejs/require.js", "requirejs/require.js"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "jupyter-widgets/embed-amd.js"),
    ("@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt", "jupyter-widgets/LICENSE.txt"),
    ("@jupyter-widgets/html-manager/dist/*.woff2", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.woff", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.ttf", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.eot", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.svg", "jupyter-widgets"),
)

#: The npm packages above, whose versions are recorded in _static/vendor/npm-versions.json.
VENDORED_PACKAGES = ("mathjax", "requirejs", "@jupyter-widgets/html-manager")

#: Where the generated notebooks go, under the build's output folder.
NOTEBOOK_DIR = "_notebooks"



# --------------------------------------------------------------------------------------
# 1. Vendored assets
# --------------------------------------------------------------------------------------


def node_modules(app: Sphinx) -> Path:
    """The node_modules folder to copy from: ``book_site_node_modules`` or the repository's."""
    configured = app.config.book_site_node_modules
    if configured:
        return (Path(app.confdir) / configured).resolve()
    return REPO / "node_modules"


def _vendored_sources(root: Path) -> list[tuple[Path, str]]:
    """Every (source file or folder, destination) pair, globs expanded; missing ones raise."""
    pairs, missing = [], []
    for source, destination in VENDORED_FILES:
        if "*" in source:
            folder, pattern = source.rsplit("/", 1)
            matches = sorted((root / folder).glob(pattern))
            if not matches:
                missing.append(source)
            pairs += [(match, f"{destination}/{match.name}") for match in matches]
        elif (root / source).exists():
            pairs.append((root / source, destination))
        else:
            missing.append(source)
    if missing:
        raise ExtensionError(
            f"book_site: the pages' JavaScript is not installed in {root} (missing: {', '.join(missing)}). "
            "Run `make setup` (or tools/vendor-assets), which installs it from the npm registry."
        )
    return pairs


def check_vendored_assets(app: Sphinx) -> None:
    """Fail early, before any notebook runs, when node_modules lacks a vendored file.

    Also gives the site the book's icon (a step) unless ``html_favicon`` names one, so
    that browsers do not ask the server for a /favicon.ico that is not there.
    """
    if app.builder.format == "html":
        _vendored_sources(node_modules(app))
        if not app.config.html_favicon:
            app.config.html_favicon = str(Path(__file__).resolve().with_name("favicon.svg"))


def copy_vendored_assets(app: Sphinx, exception: Exception | None) -> None:
    """Copy the vendored files into _static/vendor/ and check the config points at them."""
    if exception is not None or app.builder.format != "html":
        return
    root = node_modules(app)
    static = Path(app.outdir) / "_static"
    target = static / VENDOR_DIR
    for source, destination in _vendored_sources(root):
        dest = target / destination
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    versions = {
        name: json.loads((root / name / "package.json").read_text(encoding="utf-8"))["version"]
        for name in VENDORED_PACKAGES
    }
    (target / "npm-versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    _check_local_script(static, "mathjax_path", app.config.mathjax_path)
    for uri in app.config.nb_ipywidgets_js or {}:
        _check_local_script(static, "nb_ipywidgets_js", uri)


def _check_local_script(static: Path, setting: str, uri: str) -> None:
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", uri, flags=re.IGNORECASE):
        raise ExtensionError(
            f"book_site: {setting} loads {uri} from another host; point it at a file under "
            f"_static/{VENDOR_DIR}/ so that the book works offline"
        )
    if not (static / uri.lstrip("/")).is_file():
        raise ExtensionError(f"book_site: {setting} names _static/{uri}, which the build does not contain")


def drop_duplicate_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """html-page-context: load each script and stylesheet once.

    Two extensions of the Jupyter Book stack register their inline set-up scripts twice
    (sphinx-thebe's ``const THEBE_JS_URL = …`` and sphinx-togglebutton's selector), and a
    second ``const`` declaration is a JavaScript error on every page.
    """
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not isinstance(assets, list):
            continue
        seen, unique = set(), []
        for asset in assets:
            # inline scripts come with a filename of None or "", depending on who added them
            filename = getattr(asset, "filename", asset) or ""
            identity = (str(filename), repr(sorted(getattr(asset, "attributes", {}).items())))
            if identity not in seen:
                seen.add(identity)
                unique.append(asset)
        assets[:] = unique


# --------------------------------------------------------------------------------------
# 2. Notebook downloads
# --------------------------------------------------------------------------------------


def _source_path(app: Sphinx, docname: str) -> Path:
    return Path(app.env.doc2path(docname))


def is_exercise(app: Sphinx, docname: str) -> bool:
    """An exercise is a stored notebook (.ipynb) under the exercise folder."""
    prefix = app.config.book_site_exercise_prefix
    return docname.startswith(prefix) and _source_path(app, docname).suffix == ".ipynb"


def is_notebook(app: Sphinx, docname: str) -> bool:
    """A page made from a notebook: an .ipynb file, or MyST Markdown with a kernelspec."""
    return _source_path(app, docname).suffix == ".ipynb" or "kernelspec" in app.env.metadata.get(docname, {})


def download_path(app: Sphinx, docname: str) -> str:
    """The generated notebook's path in the site, e.g. ``_notebooks/chapters/01_perceptron.ipynb``."""
    suffix = "_exercise" if is_exercise(app, docname) else ""
    return f"{NOTEBOOK_DIR}/{docname}{suffix}.ipynb"


def markdown_notebook(path: Path) -> dict:
    """The .ipynb form of a MyST Markdown notebook, without outputs, cell ids deterministic."""
    import jupytext

    notebook = jupytext.read(path)
    notebook.metadata.pop("jupytext", None)
    for cell in notebook.cells:
        cell.pop("id", None)  # jupytext makes up new ones at every read
    return _normalised(notebook)


def _normalised(notebook: Any) -> dict:
    """A valid nbformat 4.5 notebook; a cell without an id gets ``cell-N`` (the same at every build)."""
    import nbformat

    notebook = nbformat.from_dict(copy.deepcopy(dict(notebook)))
    notebook.nbformat, notebook.nbformat_minor = 4, max(int(notebook.get("nbformat_minor", 5)), 5)
    taken = {cell.get("id") for cell in notebook.cells if cell.get("id")}
    for number, cell in enumerate(notebook.cells, start=1):
        if not cell.get("id"):
            cell["id"] = next(f"cell-{n}" for n in itertools.count(number) if f"cell-{n}" not in taken)
            taken.add(cell["id"])
    nbformat.validate(notebook)
    return notebook


def student_version_function(app: Sphinx):
    """The function named by ``book_site_student_version`` (``actlab.student:student_version``)."""
    module_name, _, function_name = app.config.book_site_student_version.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def exercise_student_notebook(app: Sphinx, path: Path) -> dict:
    """The student version of the exercise notebook at ``path``."""
    import nbformat

    source = json.loads(path.read_text(encoding="utf-8"))
    student = student_version_function(app)(copy.deepcopy(source))
    problem = None
    if not isinstance(student, dict) or not isinstance(student.get("cells"), list):
        problem = "it is not a dict with a list of cells"
    else:
        try:
            return _normalised(student)
        except (nbformat.ValidationError, TypeError, KeyError, AttributeError) as error:
            problem = str(error)
    raise ExtensionError(f"book_site: the student version of {path} is not a valid notebook: {problem}")


def write_notebook(app: Sphinx, docname: str) -> str:
    """Write the page's downloadable notebook into the build; return its path in the site."""
    import nbformat

    source = _source_path(app, docname)
    if is_exercise(app, docname):
        notebook = exercise_student_notebook(app, source)
    elif source.suffix == ".ipynb":
        notebook = _normalised(json.loads(source.read_text(encoding="utf-8")))
    else:
        notebook = markdown_notebook(source)
    relative = download_path(app, docname)
    target = Path(app.outdir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return relative


def _download_link(app: Sphinx, docname: str, relative: str) -> nodes.raw:
    """A link from page ``docname`` to the site file ``relative`` that the browser saves."""
    uri = html.escape(relative_uri(app.builder.get_target_uri(docname), relative))
    name = html.escape(Path(relative).name)
    link = f'<a class="reference download book-download" href="{uri}" download="{name}"><code>{name}</code></a>'
    return nodes.raw("", link, format="html")


def _paragraph(*parts: nodes.Node | str) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    for part in parts:
        paragraph += nodes.Text(part) if isinstance(part, str) else part
    return paragraph


def _literal(text: str) -> nodes.literal:
    return nodes.literal(text, text)


def download_box(app: Sphinx, docname: str, relative: str, has_explorers: bool = False) -> nodes.admonition:
    """The note under a notebook page's title: what to download and how to open it."""
    source = _source_path(app, docname)
    repo_file = source.relative_to(Path(app.srcdir)).as_posix() if source.is_relative_to(app.srcdir) else source.name
    box = nodes.admonition(classes=["tip", "book-notebook-download"])
    if is_exercise(app, docname):
        box += nodes.title("", "Work on this exercise in Jupyter")
        box += _paragraph(
            "Download the student version, without the solutions: ",
            _download_link(app, docname, relative),
            ". In each question, write your code in the solution cell, then run the check cell under it.",
        )
    else:
        box += nodes.title("", "Run this page as a notebook")
        box += _paragraph(
            "Download it: ",
            _download_link(app, docname, relative),
            ". In Jupyter every experiment can be changed and re-run"
            + (", and the explorers' sliders take any value." if has_explorers else "."),
        )
    box += _paragraph(
        "To open it locally: in a copy of the book's repository run ",
        _literal("make setup"),
        " (it installs the book's package ",
        _literal("actlab"),
        " with everything the notebook imports), then ",
        _literal(".venv/bin/jupyter lab"),
        " and open the downloaded file, or the repository's own ",
        _literal(repo_file),
        ".",
    )
    return box


def add_download(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: write the page's notebook and put the download box under its title."""
    if app.builder.format != "html" or not is_notebook(app, docname):
        return
    relative = write_notebook(app, docname)
    explorers = any('class="actlab-explorer"' in raw.astext() for raw in doctree.findall(nodes.raw))
    box = download_box(app, docname, relative, has_explorers=explorers)
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, box)
        return
    section.insert(1 if section.children and isinstance(section[0], nodes.title) else 0, box)


def add_download_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """html-page-context: put the generated notebook first in the theme's download menu."""
    if doctree is None or pagename not in app.env.all_docs or not is_notebook(app, pagename):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            exercise = is_exercise(app, pagename)
            group["buttons"].insert(0, {
                "type": "link",
                "url": context["pathto"](download_path(app, pagename), 1),
                "text": ".ipynb (student)" if exercise else ".ipynb",
                "tooltip": "Download the exercise without solutions" if exercise else "Download this chapter as a notebook",
                "icon": "fas fa-book-open",
                "label": "download-generated-notebook-button",
            })


# --------------------------------------------------------------------------------------
# 3. The exercise list
# --------------------------------------------------------------------------------------


class exercise_list(nodes.General, nodes.Element):
    """Placeholder that ``resolve_exercise_lists`` replaces once every page has been read."""


class ExerciseListDirective(SphinxDirective):
    """``exercise-list``: every exercise page of the book, with its questions and download."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [exercise_list()]


def exercise_questions(path: Path) -> list[tuple[str, int | None]]:
    """(heading, points) of each question of an exercise notebook, from its actlab metadata."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    headings: dict[str, str] = {}
    points: dict[str, int] = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("actlab", {})
        question, role = meta.get("question"), meta.get("role")
        if question is None:
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if role == "question" and cell["cell_type"] == "markdown":
            first = next((line for line in source.splitlines() if line.strip()), "")
            headings.setdefault(question, first.lstrip("#").strip())
        elif role == "check" and "points" in meta:
            points[question] = points.get(question, 0) + int(meta["points"])
    return [(heading, points.get(question)) for question, heading in headings.items()]


def exercise_docnames(app: Sphinx) -> list[str]:
    return sorted(doc for doc in app.env.found_docs if is_exercise(app, doc))


def resolve_exercise_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: turn each ``exercise-list`` placeholder into the list."""
    for placeholder in list(doctree.findall(exercise_list)):
        items = nodes.bullet_list(classes=["book-exercise-list"])
        for exercise in exercise_docnames(app):
            title = app.env.titles[exercise].astext() if exercise in app.env.titles else exercise
            questions = exercise_questions(_source_path(app, exercise))
            item = nodes.list_item()
            link = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(docname, exercise))
            link += nodes.inline(title, title)
            total = sum(p for _, p in questions if p)
            summary = f" — {len(questions)} question{'s' if len(questions) != 1 else ''}"
            summary += f", {total} points" if total else ""
            line = _paragraph(nodes.strong("", "", link), summary)
            if app.builder.format == "html":
                line += nodes.Text(". Student version: ")
                line += _download_link(app, docname, download_path(app, exercise))
            item += line
            if questions:
                sub = nodes.bullet_list()
                for heading, _points in questions:
                    sub += nodes.list_item("", _paragraph(heading))
                item += sub
            items += item
        if not len(items):
            items = _paragraph("No exercises yet.")
        placeholder.replace_self(items)


# --------------------------------------------------------------------------------------


def setup(app: Sphinx) -> dict:
    app.add_config_value("book_site_node_modules", "", "env", types=[str])
    app.add_config_value("book_site_exercise_prefix", "exercises/", "env", types=[str])
    app.add_config_value("book_site_student_version", "actlab.student:student_version", "env", types=[str])
    app.add_node(exercise_list)
    app.add_directive("exercise-list", ExerciseListDirective)
    app.connect("builder-inited", check_vendored_assets)
    app.connect("doctree-resolved", resolve_exercise_lists)
    app.connect("doctree-resolved", add_download)
    app.connect("html-page-context", add_download_button, priority=600)
    app.connect("html-page-context", drop_duplicate_assets, priority=900)
    app.connect("build-finished", copy_vendored_assets)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": False}

"""Self-contained: no page of the built book loads anything from another host, and every
script the configuration names (MathJax, RequireJS, the widgets manager) is in _static."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from sitetools import EXTRA_PAGES, ROOT, SITE

# Attributes by which a page *loads* something (links a reader may follow are fine).
LOADING = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "source": ["src", "srcset"],
           "video": ["src", "poster"], "audio": ["src"], "embed": ["src"], "object": ["data"], "track": ["src"]}
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "shortcut", "manifest", "apple-touch-icon"}


def loaded_urls(html: str) -> list[str]:
    urls: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            names = list(LOADING.get(tag, []))
            if tag == "link" and LOADING_RELS & set((attrs.get("rel") or "").lower().split()):
                names.append("href")
            for name in names:
                value = attrs.get(name)
                if value:
                    parts = [p.strip().split(" ")[0] for p in value.split(",")] if name == "srcset" else [value.strip()]
                    urls.extend(parts)
            style = attrs.get("style") or ""
            urls.extend(re.findall(r"url\(\s*['\"]?([^'\")]+)", style))

    Parser().feed(html)
    return [u for u in urls if not u.startswith("data:")]


def is_remote(url: str) -> bool:
    return url.startswith("//") or bool(urlsplit(url).scheme and urlsplit(url).scheme not in ("data", "blob"))


HTML_FILES = sorted(p for p in SITE.rglob("*.html") if "_static" not in p.relative_to(SITE).parts) if SITE.is_dir() else []


def test_the_site_is_built():
    assert HTML_FILES, f"no HTML in {SITE}: run `make book` first"


def test_no_page_loads_anything_from_another_host_and_every_local_asset_exists():
    remote, missing = [], []
    for page in HTML_FILES:
        for url in loaded_urls(page.read_text("utf-8")):
            if is_remote(url):
                remote.append(f"{page.relative_to(SITE)}: {url}")
                continue
            path = unquote(urlsplit(url).path)
            target = (SITE / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
            if path and not target.resolve().is_file():
                missing.append(f"{page.relative_to(SITE)}: {url}")
    assert not remote, "pages load from other hosts:\n" + "\n".join(remote)
    assert not missing, "pages load files the build does not contain:\n" + "\n".join(missing)


def test_no_stylesheet_imports_anything_from_another_host():
    remote = []
    for sheet in SITE.joinpath("_static").rglob("*.css"):
        text = re.sub(r"url\(\s*['\"]?data:[^)]*\)", "", sheet.read_text("utf-8", errors="replace"))
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) + re.findall(r"@import\s+['\"]([^'\"]+)", text):
            if is_remote(url):
                remote.append(f"{sheet.relative_to(SITE)}: {url}")
    assert not remote, "\n".join(remote)


def _configured_scripts() -> list[str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))["sphinx"]["config"]
    return [config["mathjax_path"], *config["nb_ipywidgets_js"]]


@pytest.mark.parametrize("script", _configured_scripts())
def test_configured_scripts_are_local_copies_in_the_build(script):
    assert not is_remote(script), script
    assert (SITE / "_static" / script).is_file(), f"_static/{script} is not in the build"


def test_vendored_packages_are_the_locked_versions():
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))["packages"]
    vendored = json.loads((SITE / "_static" / "vendor" / "npm-versions.json").read_text("utf-8"))
    assert vendored == {name: lock[f"node_modules/{name}"]["version"] for name in vendored}
    assert set(vendored) == {"mathjax", "requirejs", "@jupyter-widgets/html-manager"}


def test_the_vendored_widget_manager_renders_stored_widgets_offline(offline_page):
    """A page whose notebook stored ipywidgets state gets require.js and the HTML manager
    from the config's local paths; with those, a stored slider renders with no network."""
    import ipywidgets
    from ipywidgets.embed import embed_data

    slider = ipywidgets.IntSlider(value=7, min=0, max=10, description="depth")
    data = embed_data(views=[slider])
    scripts = "".join(f'<script src="/_static/{path}"'
                      + "".join(f' {k}="{v}"' for k, v in (attrs or {}).items()) + "></script>"
                      for path, attrs in yaml.safe_load((ROOT / "_config.yml").read_text("utf-8"))
                      ["sphinx"]["config"]["nb_ipywidgets_js"].items())
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(data["manager_state"])}</script>'
            f"{scripts}</head><body>"
            f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(data["view_specs"][0])}</script>'
            f"</body></html>")
    EXTRA_PAGES["/__tests__/widgets.html"] = page.encode()
    try:
        visit = offline_page("__tests__/widgets.html")
        visit.page.locator(".widget-slider").first.wait_for(timeout=15_000)
        assert visit.page.locator(".widget-readout").first.text_content().strip() == "7"
        assert "depth" in visit.page.locator(".widget-label").first.text_content()
        assert not visit.problems(), "\n".join(visit.problems())
    finally:
        del EXTRA_PAGES["/__tests__/widgets.html"]
        slider.close()

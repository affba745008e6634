"""Helpers of the browser tests of the built book (fixtures are in conftest.py)."""

from __future__ import annotations

import base64
import http.server
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
# As root, in a sandbox without a network: no Chromium sandbox, no GPU, no QUIC, and
# none of the background connections (updates, sync, field trials) that would each be
# refused here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}

#: Pages built from the site that a test may open besides those of the table of contents.
EXTRA_PAGES: dict[str, bytes] = {}

#: Every request the server answered with an error, including those the browser makes on
#: its own (such as /favicon.ico), which the page's events do not report.
SERVER_ERRORS: list[str] = []


def toc_docnames(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every file of the table of contents, in reading order (root first)."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    names = [data["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in data.get("parts", []):
        walk(part.get("chapters"))
    walk(data.get("chapters"))
    walk(data.get("sections"))
    return [str(Path(name).with_suffix("")) if name.endswith((".md", ".ipynb")) else name for name in names]


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; quiet; knows .ipynb; serves the tests' own extra pages."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/x-ipynb+json",
                      ".woff2": "font/woff2", ".woff": "font/woff", ".mjs": "text/javascript"}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path in EXTRA_PAGES:
            body = EXTRA_PAGES[path]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_request(self, code="-", size="-"):
        try:
            status = int(code)
        except (TypeError, ValueError):
            return
        if status >= 400:
            SERVER_ERRORS.append(f"{self.path} (HTTP {status})")

    def log_message(self, format, *args):  # noqa: A002
        pass


@dataclass
class Visit:
    """A page opened offline, and every problem the browser reported while it loaded."""

    page: object
    url: str
    blocked: list[str] = field(default_factory=list)  # requests to other hosts (aborted)
    failed: list[str] = field(default_factory=list)  # requests that failed or got a 4xx/5xx
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything that went wrong, once the page has had no network traffic for 0.5 s."""
        self.page.wait_for_load_state("networkidle")
        self.failed += [f"{error} (server side)" for error in SERVER_ERRORS]
        SERVER_ERRORS.clear()
        return ([f"request to another host: {u}" for u in self.blocked] + [f"failed request: {u}" for u in self.failed]
                + [f"console error: {m}" for m in self.console_errors] + [f"page error: {m}" for m in self.page_errors])


def wait_for_mathjax(page) -> None:
    """Wait until MathJax (if the page loads it) has typeset everything."""
    page.wait_for_function("() => !document.querySelector('script[src*=\"mathjax\"]') || "
                           "(window.MathJax && MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")


def save_screenshot(page, path: Path) -> None:
    """A screenshot of the whole page as PNG.

    Asks Chromium directly (DevTools' Page.captureScreenshot with optimizeForSpeed, a
    faster PNG compression), which takes about half the time of Playwright's full-page
    screenshot on a long chapter; falls back to Playwright's if that fails.
    """
    try:
        session = page.context.new_cdp_session(page)
        try:
            width, height = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            shot = session.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        finally:
            session.detach()
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # noqa: BLE001 (any DevTools trouble: take the slower, portable route)
        page.screenshot(path=str(path), full_page=True)


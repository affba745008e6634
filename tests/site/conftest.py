"""The built HTML book, served on localhost and opened in headless Chromium.

`make site` runs these tests after `make book`. One static server (a free loopback port)
and one Chromium serve the whole session. Every request a page makes to any other host
is blocked by Playwright's routing and recorded, and the test of that page fails: the
book must work with the network cut off. Chromium is Debian's (/usr/bin/chromium,
installed by `make setup`); Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from sitetools import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, SERVER_ERRORS, SITE, VIEWPORT, SiteHandler, Visit


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book in {SITE}: run `make book` before `make site`", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def server(site):
    """Base URL of a static server for the built site on a free loopback port."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(site)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="book-site-server", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def offline_context(browser, server):
    """One browser context for the session that can reach the local server only.

    Every request to another host is aborted and recorded on the page's Visit (see
    ``offline_page``). Pages share the context's HTTP cache, as a reader's tabs do.
    """
    local = urlsplit(server).netloc
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, service_workers="block")
    visits: dict = {}  # page -> its Visit

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != local:
            try:
                visit = visits.get(r.request.frame.page)
            except Exception:  # noqa: BLE001 (a request without a frame: a worker's)
                visit = None
            for target in [visit] if visit else list(visits.values()):
                target.blocked.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    context.route("**/*", route)
    try:
        yield SimpleNamespace(context=context, visits=visits)
    finally:
        context.close()


@pytest.fixture
def offline_page(offline_context, server):
    """open(path) -> Visit: a new page, offline but for the local server, and what went wrong."""
    pages = []

    def open_page(path: str) -> Visit:
        page = offline_context.context.new_page()
        pages.append(page)
        visit = Visit(page, f"{server}/{path.lstrip('/')}")
        offline_context.visits[page] = visit
        SERVER_ERRORS.clear()  # what the server refuses from here on belongs to this visit
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: None if r.url in visit.blocked else visit.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: visit.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        response = page.goto(visit.url, wait_until="load")
        assert response is not None and response.ok, f"{visit.url}: {response and response.status}"
        return visit

    yield open_page
    for page in pages:
        offline_context.visits.pop(page, None)
        page.close()

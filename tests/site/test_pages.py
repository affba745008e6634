"""Every page of the table of contents, opened offline in Chromium: it loads cleanly, its
maths is typeset, its figures load and have alt text, and a screenshot is kept."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sitetools import save_screenshot, toc_docnames, wait_for_mathjax

PAGES = toc_docnames()


def test_the_table_of_contents_has_pages(site):
    assert PAGES and all((site / f"{name}.html").is_file() for name in PAGES), PAGES


@pytest.mark.parametrize("docname", PAGES)
def test_page_renders_offline(docname, offline_page, screenshots):
    visit = offline_page(f"{docname}.html")
    page = visit.page
    wait_for_mathjax(page)

    # Maths: every formula Sphinx marked became MathJax output, without TeX errors.
    maths = page.evaluate("""() => Array.from(document.querySelectorAll('.math')).map(m => ({
        typeset: m.querySelector('mjx-container') !== null, tex: m.textContent.slice(0, 80)}))""")
    untypeset = [m["tex"] for m in maths if not m["typeset"]]
    assert not untypeset, f"{len(untypeset)} of {len(maths)} formulas not typeset, e.g. {untypeset[:3]}"
    errors = page.locator("mjx-merror").all_text_contents()
    assert not errors, f"MathJax reports TeX errors: {errors}"
    if maths:  # ... typeset by MathJax 3 from the build's own _static
        source = page.evaluate("() => document.querySelector('script[src*=\"mathjax\"]').src")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(visit.url))
        assert source.startswith(f"{origin}/_static/vendor/mathjax/"), source
        assert page.evaluate("() => MathJax.version").startswith("3.")

    # Figures: every image loaded (a decoded, non-empty bitmap) and says what it shows.
    page.evaluate("() => Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))")
    images = page.evaluate("""() => Array.from(document.images).map(i => ({
        src: i.currentSrc.slice(0, 100), loaded: i.complete && i.naturalWidth > 0, alt: (i.alt || '').trim()}))""")
    assert not [i["src"] for i in images if not i["loaded"]], f"images that did not load: {images}"
    assert not [i["src"] for i in images if not i["alt"]], f"images without alt text: {images}"

    save_screenshot(page, screenshots / f"{docname.replace('/', '__')}.png")
    assert not visit.problems(), "\n".join(visit.problems())


def test_the_book_has_maths_and_figures(site):
    chapter = (site / "chapters" / "01_perceptron.html").read_text("utf-8")
    assert chapter.count('class="math') > 20 and chapter.count("<img") >= 2


def test_search_finds_selu(offline_page):
    visit = offline_page("search.html?q=SELU")
    results = visit.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    links = results.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(link.startswith("intro.html") for link in links), links
    assert not visit.problems(), "\n".join(visit.problems())

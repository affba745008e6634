"""The scrubbable figures: in the built book, without a kernel, dragging a slider or picking
from a menu changes the figure, within the frame budget."""

from __future__ import annotations

import json
import re

import pytest

from actlab.widgets import MAX_FRAMES
from sitetools import SITE, toc_docnames


def pages_with_explorers() -> list[str]:
    return [name for name in toc_docnames()
            if (SITE / f"{name}.html").is_file() and 'class="actlab-explorer"' in (SITE / f"{name}.html").read_text("utf-8")]


EXPLORER_PAGES = pages_with_explorers()


def test_the_book_has_scrubbable_figures():
    assert "chapters/01_perceptron" in EXPLORER_PAGES, "chapter 1's gate explorer is not scrubbable in the built book"


def _state(explorer) -> tuple[str, str]:
    return explorer.get_attribute("data-state"), explorer.locator("img.actlab-explorer-frame").get_attribute("src")


def _drag(page, slider, fraction: float) -> None:
    """Press the mouse on the slider's thumb and drag it to ``fraction`` of the track."""
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    lo, hi = int(slider.get_attribute("min")), int(slider.get_attribute("max"))
    value = int(slider.input_value())
    thumb = 8  # half the thumb's width: the track runs from x + thumb to x + width - thumb
    track = box["width"] - 2 * thumb
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + thumb + track * (value - lo) / (hi - lo), y)
    page.mouse.down()
    page.mouse.move(box["x"] + thumb + track * fraction, y, steps=8)
    page.mouse.up()


@pytest.mark.parametrize("docname", EXPLORER_PAGES)
def test_explorers_change_when_dragged(docname, offline_page):
    visit = offline_page(f"{docname}.html")
    page = visit.page
    explorers = page.locator("div.actlab-explorer")
    assert explorers.count() > 0
    for n in range(explorers.count()):
        explorer = explorers.nth(n)
        explorer.wait_for()
        assert explorer.get_attribute("data-ready") == "true", "the explorer's script did not run"
        data = json.loads(explorer.locator("script.actlab-explorer-data").text_content())
        assert 0 < len(data["index"]) == int(explorer.get_attribute("data-frames")) <= MAX_FRAMES
        start = _state(explorer)

        for slider in explorer.locator('input[type="range"]').all():
            before = _state(explorer)
            value = int(slider.input_value())
            target = 0.0 if value > int(slider.get_attribute("max")) / 2 else 1.0
            _drag(page, slider, target)
            after = _state(explorer)
            assert int(slider.input_value()) != value, f"dragging {slider.get_attribute('name')} did not move it"
            assert after[0] != before[0] and after[1] != before[1], f"{slider.get_attribute('name')}: figure unchanged"
            label = explorer.locator(f'output[data-value="{slider.get_attribute("data-control")}"]').text_content()
            assert label == data["controls"][int(slider.get_attribute("data-control"))]["labels"][int(slider.input_value())]
            alt = explorer.locator("img.actlab-explorer-frame").get_attribute("alt")
            assert f"{slider.get_attribute('name')} = {label}" in alt

        for menu in explorer.locator("select").all():
            before = _state(explorer)
            options = menu.locator("option").evaluate_all("options => options.map(o => o.value)")
            other = next(v for v in options if v != menu.input_value())
            menu.select_option(other)
            assert _state(explorer)[0] != before[0]

        explorer.locator("button.actlab-explorer-reset").click()
        assert _state(explorer) == start
    assert not visit.problems(), "\n".join(visit.problems())


@pytest.mark.parametrize("docname", EXPLORER_PAGES)
def test_explorers_are_bounded_in_size(docname):
    html = (SITE / f"{docname}.html").read_text("utf-8")
    for payload in re.findall(r'<script type="application/json" class="actlab-explorer-data">(.*?)</script>', html, re.S):
        data = json.loads(payload.replace("<\\/", "</"))
        assert len(data["frames"]) <= len(data["index"]) <= MAX_FRAMES
        assert len(payload) < 1.5e6, f"{len(payload)} bytes of frames in one explorer"

"""Search in Chromium: Pagefind's index of the example site behind Material's dialog."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import article

pytestmark = pytest.mark.browser

LBP = "/articles/low-back-pain-imaging/"


def results(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".kb-search .md-search-result__item")


def test_type_a_query_see_the_article_open_it(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    box = page.locator(".kb-search input.md-search__input")
    box.click()
    expect(page.locator("#__search")).to_be_checked()
    box.press_sequentially("lumbar imaging", delay=20)
    first = results(page).first
    expect(first.locator("h1")).to_have_text("Should adults with acute low back pain and no red flags have lumbar spine imaging?")
    # The result carries the article's review status; a match in the title
    # shows the article's description rather than the title again.
    expect(first.locator(".kb-badge")).to_have_text("Approved")
    expect(first.locator(".kb-badge")).to_have_class(re.compile(r"kb-badge--approved"))
    expect(first.locator("p").last).to_have_text(re.compile(r"^Routine imaging in nonspecific acute low back pain does not improve outcomes"))
    expect(page.locator(".kb-search .md-search-result__meta")).to_contain_text("matching document")
    first.locator("a").click()
    expect(page).to_have_url(site_url + LBP)
    expect(page.locator("#__search")).not_to_be_checked()
    expect(page.locator("article h1").first).to_contain_text("lumbar spine imaging")


def test_match_in_the_body_shows_an_excerpt_with_the_words_marked(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.keyboard.press("/")
    page.keyboard.type("cauda equina", delay=20)
    first = results(page).first
    expect(first.locator("h1")).to_contain_text("lumbar spine imaging")
    expect(first.locator("mark")).to_have_text([re.compile(r"^cauda", re.I), re.compile(r"^equina", re.I)])


def test_keyboard_only_search_from_an_article(page: Page, site_url: str) -> None:
    page.goto(site_url + LBP)
    page.keyboard.press("/")
    box = page.locator(".kb-search input.md-search__input")
    expect(box).to_be_focused()
    page.keyboard.type("sore throat antibiotics", delay=20)
    expect(results(page).first.locator("h1")).to_contain_text("sore throat")
    expect(results(page).first.locator(".kb-badge")).to_have_text("Submitted")
    page.keyboard.press("ArrowDown")
    expect(results(page).first.locator("a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + "/articles/sore-throat-antibiotics/")
    # Escape closes the dialog; the shortcut is ignored while typing elsewhere.
    page.keyboard.press("s")
    expect(page.locator("#__search")).to_be_checked()
    page.keyboard.press("Escape")
    expect(page.locator("#__search")).not_to_be_checked()


def test_header_button_opens_search_on_a_phone(browser: Browser, site_url: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(site_url + LBP)
    box = page.locator(".kb-search input.md-search__input")
    expect(page.locator("#__search")).not_to_be_checked()
    page.locator('label.md-header__button[for="__search"]').click()
    expect(page.locator("#__search")).to_be_checked()
    expect(box).to_be_focused()
    box.press_sequentially("blood pressure", delay=20)
    expect(results(page).first.locator("h1")).to_contain_text("blood pressure")
    page.close()


def test_no_match_and_reset(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.keyboard.press("/")
    page.keyboard.type("qqxzvw", delay=20)
    expect(page.locator(".kb-search .md-search-result__meta")).to_have_text("No matching documents")
    expect(results(page)).to_have_count(0)
    page.locator('.kb-search button[type="reset"]').click()
    expect(page.locator(".kb-search .md-search-result__meta")).to_have_text("Type to start searching")


def test_search_works_after_instant_navigation_to_a_deeper_page(page: Page, site_url: str) -> None:
    # The dialog's relative bundle URL was resolved on the first page.
    page.goto(site_url + "/")
    page.locator('.md-nav a[href$="editorial-policy/"]').first.click()
    expect(page).to_have_url(site_url + "/editorial-policy/")
    page.keyboard.press("/")
    page.keyboard.type("blood pressure target", delay=20)
    expect(results(page).first.locator("h1")).to_contain_text("blood pressure target")
    results(page).first.locator("a").click()
    expect(page).to_have_url(site_url + "/articles/hypertension-blood-pressure-target/")


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """A built tmp_path site over http on 127.0.0.1."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_excerpt_text_is_never_markup(page: Page, make_site) -> None:  # type: ignore[no-untyped-def]
    body = "## Tags\n\nThe text `<img src=x onerror=\"window.pwned=1\">` is shown, never run. Zebrafish.\n"
    site = make_site(
        {"articles/x.md": article("Zebrafish markup question?", body=body)},
        {"plugins": ["medkb/search", "medkb/review", "medkb/citations", "medkb/audience"]},
    )
    with serve(site.site_dir) as url:
        page.goto(url + "/")
        page.keyboard.press("/")
        page.keyboard.type("zebrafish onerror", delay=20)
        item = results(page).first
        expect(item).to_contain_text("<img src=x")
        assert item.locator("img").count() == 0
        assert page.evaluate("window.pwned") is None


def test_show_more_results(page: Page, make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site(
        {f"articles/q{i}.md": article(f"Walrus question {i}?", body="## Answer\n\nWalrus text.\n") for i in range(3)},
        {"plugins": [{"medkb/search": {"results_per_page": 2, "more_label": "More walruses"}},
                     "medkb/review", "medkb/citations", "medkb/audience"]},
    )
    with serve(site.site_dir) as url:
        page.goto(url + "/")
        page.keyboard.press("/")
        page.keyboard.type("walrus", delay=20)
        expect(page.locator(".kb-search .md-search-result__meta")).to_have_text("3 matching documents")
        expect(results(page)).to_have_count(2)
        more = page.locator(".kb-search__more")
        expect(more).to_have_text("More walruses")
        more.click()
        expect(results(page)).to_have_count(3)
        expect(results(page).nth(2).locator("a")).to_be_focused()
        expect(more).to_be_hidden()

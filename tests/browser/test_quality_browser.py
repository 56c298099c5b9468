"""Accessibility of every page type and no request leaving the site, in Chromium."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "approved article": "/articles/low-back-pain-imaging/",
    "article under review": "/articles/occipital-nerve-blocks-trigger-point-injections/",
    "submitted article": "/articles/sore-throat-antibiotics/",
    "article, professional audience": "/articles/hypertension-blood-pressure-target/?audience=professional",
    "board": "/board/",
    "review queue": "/review-queue/",
    "editorial policy": "/editorial-policy/",
    "404": "/404.html",
    "browse": "/browse/",
    "browse A-Z": "/browse/a-z/",
}


def violations(page: Page) -> list[tuple[str, list[object]]]:
    result = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]


@pytest.fixture(params=["light", "dark"])
def scheme_page(request: pytest.FixtureRequest, browser: Browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(color_scheme=request.param)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_accessibility_violations(scheme_page: Page, site_url: str, name: str) -> None:
    scheme_page.goto(site_url + PAGES[name])
    assert violations(scheme_page) == []


def test_no_violations_with_search_results_open(scheme_page: Page, site_url: str) -> None:
    scheme_page.goto(site_url + "/")
    box = scheme_page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("imaging", delay=20)
    expect(scheme_page.locator(".md-search-result__item").first).to_be_visible()
    assert violations(scheme_page) == []


def test_axe_check_finds_a_violation(page: Page, site_url: str) -> None:
    page.goto(site_url + PAGES["approved article"])
    page.evaluate("document.querySelector('article').insertAdjacentHTML('beforeend', '<input type=\"text\">')")
    assert any(rule == "label" for rule, _ in violations(page))


def test_no_request_leaves_the_site(browser: Browser, site_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for path in PAGES.values():
        page.goto(site_url + path, wait_until="networkidle")
    outside = [url for url in requested if not url.startswith(site_url) and not url.startswith("data:")]
    assert outside == []
    assert len(requested) > len(PAGES)
    context.close()


def test_reader_finds_an_article_by_browsing(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.locator('.md-nav a[href$="browse/"]').first.click()
    expect(page).to_have_url(site_url + "/browse/")
    page.locator('.kb-browse-lists a[href$="primary-care/"]').click()
    expect(page).to_have_url(site_url + "/browse/primary-care/")
    page.locator(".kb-article-list > li > a").first.click()
    expect(page.locator(".kb-review")).to_be_visible()
    assert "/articles/" in page.url

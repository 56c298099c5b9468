"""The answer first, on a phone and on a desktop, in real Chromium against the built example."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

ARTICLES = (
    "/articles/low-back-pain-imaging/",
    "/articles/hypertension-blood-pressure-target/",
    "/articles/sore-throat-antibiotics/",
    "/articles/occipital-nerve-blocks-trigger-point-injections/",
)
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}

FIRST_HEADING = """() => {
  const h = [...document.querySelectorAll("article.md-content__inner h2")].find((el) => el.checkVisibility());
  return {top: h.getBoundingClientRect().top + scrollY, text: h.textContent.replace("\u00b6", "").trim()};
}"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.mark.parametrize("chosen", [False, True], ids=["before-a-choice", "after-a-choice"])
def test_phone_first_heading_is_the_key_points_within_the_first_screen(phone: BrowserContext, site_url: str, chosen: bool) -> None:
    page = phone.new_page()
    for article in ARTICLES:
        page.goto(site_url + article + ("?audience=professional" if chosen else ""))
        first = page.evaluate(FIRST_HEADING)
        assert first["text"] == "Key points", article
        assert first["top"] < 812, f"{article}: first heading at y={first['top']:.0f}"


def test_desktop_key_points_are_visible_without_scrolling(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for article in ARTICLES:
        # Before a choice (the picker open): the heading and the first point on the first screen.
        page.goto(site_url + article)
        first = page.locator("section.kb-key-points li").first.bounding_box()
        assert first is not None and first["y"] + first["height"] <= 900, f"{article}: first key point ends at y={first}"
        # Once the reader has chosen (the picker one line): every point.
        page.goto(site_url + article + "?audience=student")
        box = page.locator("section.kb-key-points").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900, f"{article}: key points end at y={box and box['y'] + box['height']}"
    context.close()


def test_phone_table_of_contents_from_the_header_menu(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    page.goto(site_url + ARTICLES[0])
    page.locator('label.md-header__button[for="__drawer"]').click()
    item = page.locator(".md-nav--primary .kb-nav-page")
    expect(item).to_be_visible()
    item.locator('label.md-nav__link[for="__toc"]').click()
    links = item.locator(".md-nav--secondary a.md-nav__link")
    expect(links.first).to_be_visible()
    names = [t.strip() for t in links.all_inner_texts()]
    assert names[:2] == ["Key points", "Recommendation"] and "References" in names
    links.filter(has_text="When Imaging Is Appropriate").click()
    expect(page).to_have_url(site_url + ARTICLES[0] + "#when-imaging-is-appropriate")
    expect(page.locator("#when-imaging-is-appropriate")).to_be_in_viewport()


def test_the_article_is_not_listed_in_the_desktop_sidebar(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + ARTICLES[0])
    expect(page.locator(".md-nav--primary .kb-nav-page")).to_be_hidden()
    expect(page.locator(".md-sidebar--secondary .md-nav__link").first).to_be_visible()
    context.close()


def test_phone_tap_targets_are_at_least_24_px(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    page.goto(site_url + ARTICLES[1])
    small = page.evaluate("""() => {
      const targets = [...document.querySelectorAll("sup.kb-cite a, .kb-picker__option, .kb-picker__option input")];
      return targets.filter((el) => el.checkVisibility()).map((el) => {
        const r = el.getBoundingClientRect();
        return {what: el.outerHTML.slice(0, 60), w: r.width, h: r.height};
      }).filter((t) => t.w < 24 || t.h < 24);
    }""")
    assert small == []
    page.goto(site_url + ARTICLES[1] + "?audience=student")
    box = page.locator(".kb-picker__change").bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24


def test_picker_collapses_to_one_line_once_chosen_and_opens_again(page: Page, site_url: str) -> None:
    page.goto(site_url + ARTICLES[0])
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page.locator(".kb-picker fieldset")).to_be_visible()
    expect(page.locator(".kb-picker__current")).to_be_hidden()
    page.locator('input[name="kb-audience"][value="professional"]').check()
    # Still open while the reader is in it (arrow keys move on) ...
    expect(page.locator(".kb-picker fieldset")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("html")).to_have_attribute("data-kb-audience", "patient")
    expect(page.locator(".kb-picker fieldset")).to_be_visible()
    # ... then one line once focus leaves.
    page.locator("h1").click()
    expect(page.locator(".kb-picker fieldset")).to_be_hidden()
    current = page.locator(".kb-picker__current")
    expect(current).to_be_visible()
    assert " ".join(current.inner_text().split()) == "Reading as: Patient or caregiver · Change"
    # Remembered: collapsed from the first paint of the next page.
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
      window.__kbPickerOpen = document.querySelector(".kb-picker fieldset").checkVisibility();
    });""")
    page.goto(site_url + ARTICLES[1])
    assert page.evaluate("window.__kbPickerOpen") is False
    change = page.locator(".kb-picker__change")
    expect(change).to_have_attribute("aria-expanded", "false")
    change.click()
    expect(change).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".kb-picker fieldset")).to_be_visible()
    expect(page.locator('input[name="kb-audience"][value="patient"]')).to_be_focused()


def test_back_to_top_on_a_long_page(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    page.goto(site_url + ARTICLES[3])
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(300)
    page.mouse.wheel(0, -300)
    top = page.locator(".md-top")
    expect(top).to_be_visible()
    top.click()
    page.wait_for_function("window.scrollY === 0")


def test_not_found_page_leads_on(page: Page, site_url: str) -> None:
    page.goto(site_url + "/404.html")
    expect(page.locator("h1")).to_have_text("Page not found")
    page.keyboard.press("/")
    expect(page.locator(".kb-search input[name='query']")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("ul.kb-not-found").get_by_role("link", name="Browse articles").click()
    expect(page).to_have_url(site_url + "/browse/")
    expect(page.locator("ul.kb-browse-lists > li").first).to_be_visible()


def test_phone_header_lines_fit_the_screen(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    for article in ARTICLES:
        page.goto(site_url + article)
        wide = page.evaluate("""() => [...document.querySelectorAll(".kb-review *, .kb-picker *")]
          .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > document.documentElement.clientWidth)
          .map((el) => el.outerHTML.slice(0, 80))""")
        assert wide == [], article

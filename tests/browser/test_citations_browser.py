"""Citation previews and links in real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

ARTICLE = "/articles/low-back-pain-imaging/"


def test_preview_on_hover_and_focus(page: Page, site_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url + ARTICLE)
    first = page.locator("sup.kb-cite a").first
    first.hover()
    preview = page.locator("#kb-cite-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Diagnostic imaging for low back pain")
    expect(first).to_have_attribute("aria-describedby", "kb-cite-preview")
    page.mouse.move(0, 0)
    expect(preview).to_have_count(0)
    # Keyboard focus shows it too; Escape hides it.
    page.locator("sup.kb-cite a:visible").nth(1).focus()  # the hidden variants of other readers are no targets
    expect(preview).to_be_visible()
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    assert errors == []


def test_preview_after_instant_navigation_and_not_in_print(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.locator('.kb-article-list a[href$="low-back-pain-imaging/"]').first.click()
    expect(page).to_have_url(site_url + ARTICLE)
    page.locator("sup.kb-cite a").first.hover()
    expect(page.locator("#kb-cite-preview")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#kb-cite-preview")).to_be_hidden()
    expect(page.locator("ol.kb-references:visible")).to_have_count(1)
    expect(page.locator("sup.kb-cite").first).to_be_visible()


def test_number_jumps_to_entry_and_back_without_javascript(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    link = page.locator("sup.kb-cite a").first
    target = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(site_url + ARTICLE + target)
    expect(page.locator(f"li{target}")).to_be_in_viewport()
    page.locator(f"li{target} .kb-backrefs a").first.click()
    expect(page).to_have_url(site_url + ARTICLE + "#cite-1")
    context.close()
